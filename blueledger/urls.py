from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from blueledger.api import api
from blueledger.core import views as core_views

# The API authenticates each request itself (bearer token or session) and answers 401, never a
# redirect to the login page.
api_urls, api_app, api_namespace = api.urls
for pattern in api_urls:
    pattern.callback = login_not_required(pattern.callback)

urlpatterns = [
    path("", include("blueledger.core.urls")),
    path("accounts/", include("blueledger.accounts.urls")),
    path("deadlines/", include("blueledger.deadlines.urls")),
    path("audit/", include("blueledger.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", (api_urls, api_app, api_namespace)),
    path("admin/", admin.site.urls),
]
