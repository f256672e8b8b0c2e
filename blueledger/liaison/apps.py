from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "blueledger.liaison"
    label = "liaison"
    verbose_name = _("Member State liaison portal")
