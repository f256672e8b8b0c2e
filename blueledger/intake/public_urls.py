"""The public pages, at the root of the site: /report and /follow-up."""

from django.urls import path

from . import public_views

app_name = "intake_public"
urlpatterns = [
    path("report", public_views.report, name="report"),
    path("follow-up", public_views.follow_up, name="follow_up"),
]
