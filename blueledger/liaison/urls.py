from django.urls import URLPattern

app_name = "liaison"
urlpatterns: list[URLPattern] = []
