from django.urls import path

from . import views

app_name = "cases"


def _step(route: str, step: str, name: str) -> object:
    return path(route, views.allegation_step, {"step": step}, name=name)


urlpatterns = [
    path("", views.allegation_list, name="list"),
    path("export.csv", views.allegation_export, name="export"),
    path("new/", views.allegation_new, name="new"),
    path("<int:pk>/", views.allegation_detail, name="detail"),
    path("<int:pk>/reveal/", views.allegation_reveal, name="reveal"),
    _step("<int:pk>/transition/", "transition", "transition"),
    _step("<int:pk>/facts/", "facts", "facts"),
    _step("<int:pk>/subjects/add/", "subject", "add_subject"),
    _step("<int:pk>/victims/add/", "victim", "add_victim"),
    _step("<int:pk>/witnesses/add/", "witness", "add_witness"),
    _step("<int:pk>/referrals/add/", "referral", "refer"),
    _step("<int:pk>/referrals/<int:record>/answer/", "answer", "answer_referral"),
    _step("<int:pk>/interim-measures/add/", "measure", "add_measure"),
    _step("<int:pk>/investigations/add/", "investigation", "start_investigation"),
    _step("<int:pk>/investigations/<int:record>/complete/", "complete", "complete_investigation"),
    _step("<int:pk>/investigations/<int:record>/nio/", "nio", "name_nio"),
    _step("<int:pk>/findings/add/", "finding", "record_finding"),
    _step("<int:pk>/actions/add/", "action", "record_action"),
]
