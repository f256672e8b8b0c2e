from django.urls import path

from . import views

app_name = "memberstates"
urlpatterns = [
    path("compact", views.compact, name="compact"),
    path("contributions/", views.contribution_list, name="contributions"),
    path("contributions/export.csv", views.contribution_export, name="contributions_export"),
    path("contributions/import/", views.contribution_import, name="contributions_import"),
]
