from django.urls import path

from . import views

app_name = "support"
urlpatterns: list = [path("", views.dashboard, name="dashboard")]
