from django.urls import path

from . import views

app_name = "support"
urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("records/", views.record_list, name="records"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/reveal/", views.record_reveal, name="record_reveal"),
    path(
        "records/<int:pk>/referrals/<int:referral>/update/",
        views.referral_update,
        name="referral_update",
    ),
    path("records/<int:pk>/<slug:step>/", views.record_step, name="record_step"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/register/<int:child>/", views.claim_open, name="claim_open"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/advance/", views.claim_advance, name="claim_advance"),
    path("claims/<int:pk>/payments/", views.claim_payment, name="claim_payment"),
    path("providers/", views.providers, name="providers"),
]
