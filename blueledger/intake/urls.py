from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.register, name="register"),
    path("<int:pk>/", views.report, name="report"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("<int:pk>/messages/", views.send_message, name="send_message"),
    path("<int:pk>/contact/", views.read_contact, name="read_contact"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        views.download_attachment,
        name="attachment",
    ),
]
