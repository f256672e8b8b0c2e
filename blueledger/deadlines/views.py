from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def my_deadlines(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
