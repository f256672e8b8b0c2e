from django.urls import path

from . import views

app_name = "liaison"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("scorecard", views.scorecard_page, name="scorecard"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("referrals/<int:pk>/<slug:step>", views.referral_step, name="referral_step"),
    path("paternity-claims/<int:pk>/answer", views.claim_answer, name="claim_answer"),
]
