"""Countries: Member States, troop and police contributors, host countries."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.Model):
    """A country or territory of ISO 3166-1, loaded from pycountry by a data migration."""

    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3, primary_key=True)
    iso2 = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name
