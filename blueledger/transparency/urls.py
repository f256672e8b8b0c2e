from django.urls import path

from . import views
from .opendata import urlpatterns_opendata

app_name = "transparency"
urlpatterns = [
    path("statistics", views.statistics, name="statistics"),
    path("statistics/allegations", views.allegations, name="allegations"),
    path("statistics/methods", views.methods, name="methods"),
    *urlpatterns_opendata,
]
