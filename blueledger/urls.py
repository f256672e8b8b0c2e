from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from blueledger.api import api

# The API authenticates each request itself (bearer token or session) and answers 401, never a
# redirect to the login page.
api_urls, api_app, api_namespace = api.urls
for pattern in api_urls:
    pattern.callback = login_not_required(pattern.callback)  # type: ignore[type-var]

urlpatterns = [
    path("", include("blueledger.core.urls")),
    path("accounts/", include("blueledger.accounts.urls")),
    path("deadlines/", include("blueledger.deadlines.urls")),
    path("audit/", include("blueledger.audit.urls")),
    path("intake/", include("blueledger.intake.urls")),
    path("", include("blueledger.intake.public_urls")),
    path("allegations/", include("blueledger.cases.urls")),
    path("support/", include("blueledger.support.urls")),
    path("member-states/", include("blueledger.memberstates.urls")),
    path("notes/", include("blueledger.notes.urls")),
    path("liaison/", include("blueledger.liaison.urls")),
    path("", include("blueledger.transparency.urls")),
    # Anyone, signed in or not, may choose the language of the page they read.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/v1/", (api_urls, api_app, api_namespace)),
    path("admin/", admin.site.urls),
]
