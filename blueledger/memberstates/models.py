"""Countries and their commitments: Voluntary Compact, focal points, personnel contributed."""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.cases.vocabularies import UNIFORMED_CATEGORIES, CategoryOfPersonnel
from blueledger.crypto.fields import EncryptedTextField


class Country(models.Model):
    """A country or territory of ISO 3166-1, loaded from pycountry by a data migration."""

    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3, primary_key=True)
    iso2 = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # A date rather than a history of signatures: a Member State signs the Compact once and no
    # withdrawal has happened; a withdrawal would be a new decision and a new model.
    compact_signed_on = models.DateField(
        _("Voluntary Compact signed on"),
        null=True,
        blank=True,
        help_text=_("Empty while the country has not signed the Voluntary Compact on SEA."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name


class FocalPoint(models.Model):
    """An official a Member State names to receive national investigation or paternity matters.

    Name, email and phone are personal data: stored encrypted, never logged, never public.
    """

    class Kind(models.TextChoices):
        NATIONAL_INVESTIGATIONS = "national_investigations", _("National investigations")
        PATERNITY = "paternity", _("Paternity")

    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="focal_points", verbose_name=_("country")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = EncryptedTextField(_("name"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = EncryptedTextField(_("email"), blank=True, default="")
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["country", "kind", "pk"]
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        indexes = [models.Index(fields=["country", "active"], name="focal_point_country_active")]

    def __str__(self) -> str:
        # Django's admin log keeps str() of every object it touches: no name here.
        return f"{self.get_kind_display()} · {self.country_id} · #{self.pk}"


CONTRIBUTION_CATEGORIES = [
    (value, label) for value, label in CategoryOfPersonnel.choices if value in UNIFORMED_CATEGORIES
]


class ContributionQuerySet(models.QuerySet["Contribution"]):
    def since(self, first_month: date) -> "ContributionQuerySet":
        return self.filter(month__gte=first_month)

    def deployed(self) -> "ContributionQuerySet":
        """Rows with personnel: a zero count records that a contribution ended."""
        return self.filter(count__gt=0)

    def matching(
        self,
        *,
        mission: str | None = None,
        country: str | None = None,
        month: date | None = None,
        category: str | None = None,
    ) -> "ContributionQuerySet":
        """Rows of MISSION (code), COUNTRY (alpha-3), MONTH and CATEGORY; None matches any."""
        found = self
        if mission:
            found = found.filter(mission__code__iexact=mission)
        if country:
            found = found.filter(country_id=country.upper())
        if month:
            found = found.filter(month=month)
        if category:
            found = found.filter(category=category.upper())
        return found


class Contribution(models.Model):
    """Uniformed personnel a country contributed to a mission in one month, per category.

    Only uniformed categories: the UN publishes contributions per country for military and police;
    civilian staff are not contributed by Member States.
    """

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    mission = models.ForeignKey(
        "accounts.Mission",
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("mission"),
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("country")
    )
    category = models.CharField(
        _("category of personnel"), max_length=16, choices=CONTRIBUTION_CATEGORIES
    )
    count = models.PositiveIntegerField(_("personnel"))

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "mission__code", "country__name", "category"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "mission", "country", "category"], name="unique_contribution"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=sorted(UNIFORMED_CATEGORIES)),
                name="contribution_uniformed_category",
            ),
        ]
        indexes = [
            models.Index(fields=["country", "month"], name="contribution_country_month"),
            models.Index(fields=["mission", "month"], name="contribution_mission_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.mission_id} {self.country_id} {self.category}"
