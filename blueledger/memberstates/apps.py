from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemberStatesConfig(AppConfig):
    name = "blueledger.memberstates"
    label = "memberstates"
    verbose_name = _("Member States")
