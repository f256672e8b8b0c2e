from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def audit_log(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
