from django.urls import URLPattern

app_name = "memberstates"
urlpatterns: list[URLPattern] = []
