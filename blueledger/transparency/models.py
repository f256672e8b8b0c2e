"""The publication store: de-identified rows and protected aggregates, apart from live records.

Public pages and the open-data API read these tables only, never the cases tables. Nothing here
holds free text: every string column is a code from a closed vocabulary (mission, category,
country, taxonomy, status, outcome, action, claim stage).
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.core import clock

DEFAULT_K = 3


class PublicationPolicy(models.Model):
    """What an organisation publishes of its allegations; the rest stays out of the store."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="publication_policy",
        verbose_name=_("organisation"),
    )
    k = models.PositiveSmallIntegerField(
        _("threshold k"),
        default=DEFAULT_K,
        validators=[MinValueValidator(2)],
        help_text=_("Counts from 1 to k-1 are suppressed."),
    )
    publish_nationality = models.BooleanField(_("publish nationality"), default=True)
    publish_investigating_body = models.BooleanField(_("publish investigating body"), default=True)
    publish_investigation_days = models.BooleanField(_("publish investigation days"), default=True)
    publish_interim_measures = models.BooleanField(_("publish interim measures"), default=True)
    publish_findings = models.BooleanField(_("publish findings"), default=True)
    publish_actions = models.BooleanField(_("publish actions"), default=True)
    publish_paternity = models.BooleanField(_("publish paternity claims"), default=True)
    victims_epsilon = models.FloatField(
        _("privacy budget for victim figures (epsilon)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
        help_text=_(
            "Empty: victim counts are protected by suppression like every table. A value turns on "
            "differential privacy for the victims table: each release spends this budget; smaller "
            "is more private and noisier (1.0 is a common choice)."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("publication policy")
        verbose_name_plural = _("publication policies")
        constraints = [
            models.CheckConstraint(condition=models.Q(k__gte=2), name="policy_k_at_least_2")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} (k={self.k})"

    def snapshot(self) -> dict[str, object]:
        """Return the policy as plain JSON, kept with each release it shaped."""
        return {
            "k": self.k,
            "nationality": self.publish_nationality,
            "investigating_body": self.publish_investigating_body,
            "investigation_days": self.publish_investigation_days,
            "interim_measures": self.publish_interim_measures,
            "findings": self.publish_findings,
            "actions": self.publish_actions,
            "paternity": self.publish_paternity,
            "victims_epsilon": self.victims_epsilon,
            # Not a choice: publication before the referral could warn the subject.
            "requires_referral": True,
        }


class ReleaseQuerySet(models.QuerySet["Release"]):
    def published(self) -> "ReleaseQuerySet":
        return self.filter(status=Release.Status.PUBLISHED)

    def latest_for(self, organisation_id: int | None) -> "Release | None":
        """Return the newest published release of ORGANISATION_ID (None: all organisations)."""
        scope = (
            models.Q(organisation__isnull=True)
            if organisation_id is None
            else models.Q(organisation_id=organisation_id)
        )
        return self.published().filter(scope).order_by("-built_at", "-id").first()


class Release(models.Model):
    """One build of the store; pages show the newest published release."""

    class Status(models.TextChoices):
        BUILDING = "building", _("Building")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="releases",
        verbose_name=_("organisation"),
        help_text=_("Empty for a release of all organisations."),
    )
    built_at = models.DateTimeField(_("built at"), default=clock.now)
    k = models.PositiveSmallIntegerField(_("threshold k"), default=DEFAULT_K)
    victims_epsilon = models.FloatField(
        _("privacy budget spent on victim figures"),
        null=True,
        blank=True,
        help_text=_("Empty when the victims table was protected by suppression."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.BUILDING
    )
    allegation_count = models.PositiveIntegerField(_("allegations"), default=0)
    row_count = models.PositiveIntegerField(_("allegation rows"), default=0)
    cell_count = models.PositiveIntegerField(_("cells"), default=0)
    suppressed_count = models.PositiveIntegerField(_("suppressed cells"), default=0)
    policy = models.JSONField(_("policy snapshot"), default=dict)
    # Names of the codes the release uses whose names live in editable reference tables (the
    # thematic areas of the taxonomy), so pages never read them from live tables.
    labels = models.JSONField(_("labels"), default=dict, editable=False)
    # What this and every earlier release of the same scope hid and published
    # (disclosure.ReleaseHistory.to_dict): the next release stays consistent with all of them,
    # even with figures that were absent from this one. Holds no hidden value.
    history = models.JSONField(_("disclosure history"), default=dict, editable=False)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-built_at", "-id"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        indexes = [
            models.Index(
                fields=["organisation", "status", "-built_at"], name="release_scope_status_built"
            )
        ]

    def __str__(self) -> str:
        return f"{_('Release')} #{self.pk} ({self.status})"


class PublishedAllegation(models.Model):
    """One allegation per category of personnel and country (the counting rule), coded only."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="allegations", verbose_name=_("release")
    )
    month = models.DateField(_("month received"), help_text=_("Always the first of the month."))
    mission = models.CharField(_("mission"), max_length=32, blank=True)
    category = models.CharField(_("category of personnel"), max_length=24, blank=True)
    # Room for the "suppressed" marker beside three-letter codes.
    nationality = models.CharField(
        _("nationality"), max_length=16, blank=True, help_text=_("Uniformed personnel only.")
    )
    sea_type = models.CharField(
        _("classification"),
        max_length=64,
        help_text=_("SE or SA, or the thematic area of other misconduct."),
    )
    is_sea = models.BooleanField(_("sexual exploitation or abuse"), default=False)
    # None when disclosure control hides the year's victim count, or in differential-privacy mode
    # (exact counts per row would undo the noise of the victims table).
    victims_adults = models.PositiveIntegerField(_("adult victims"), null=True)
    victims_children = models.PositiveIntegerField(_("child victims"), null=True)
    investigating_body = models.CharField(_("investigating body"), max_length=16, blank=True)
    investigation_days = models.PositiveIntegerField(_("investigation days"), null=True)
    status = models.CharField(_("status"), max_length=32)
    interim_measures = models.JSONField(_("interim measures"), default=list)
    findings = models.JSONField(_("findings"), default=list)
    actions = models.JSONField(_("actions"), default=list)
    paternity_status = models.CharField(_("paternity claim"), max_length=16, blank=True)

    class Meta:
        ordering = ["release", "-month", "-id"]
        verbose_name = _("published allegation")
        verbose_name_plural = _("published allegations")
        indexes = [
            # The public table reads newest first, all of a release or one mission: both walk an
            # index backwards and stop after a page, with no sort.
            models.Index(fields=["release", "month", "id"], name="published_allegation_month"),
            models.Index(
                fields=["release", "mission", "month", "id"], name="published_allegation_mission"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="published_allegation_month_first_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.mission} {self.sea_type}"


class PublishedCell(models.Model):
    """One cell or margin of an aggregate table.

    ``dims`` lists the table's dimension values in order; None stands for "all" (a margin), so
    ``[null, null]`` is the grand total. ``value`` is None when suppressed.
    """

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="cells", verbose_name=_("release")
    )
    table = models.CharField(_("table"), max_length=64)
    dims = models.JSONField(_("dimension values"))
    value = models.IntegerField(_("value"), null=True)

    class Meta:
        ordering = ["release", "table", "id"]
        verbose_name = _("published cell")
        verbose_name_plural = _("published cells")
        indexes = [models.Index(fields=["release", "table"], name="published_cell_table")]

    def __str__(self) -> str:
        return f"{self.table} {self.dims}"


class PublishedRate(models.Model):
    """Allegations per 1,000 uniformed personnel of one country in one year.

    Computed only from a published (not suppressed) count and the public contributions, so a rate
    reveals nothing a table hides.
    """

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="rates", verbose_name=_("release")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    nationality = models.CharField(_("nationality"), max_length=3)
    allegations = models.PositiveIntegerField(_("allegations"))
    personnel = models.PositiveIntegerField(
        _("personnel"), help_text=_("Average monthly uniformed personnel deployed in the year.")
    )
    per_thousand = models.DecimalField(_("per 1,000 personnel"), max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["release", "year", "nationality"]
        verbose_name = _("published rate")
        verbose_name_plural = _("published rates")
        constraints = [
            models.UniqueConstraint(
                fields=["release", "year", "nationality"], name="published_rate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.nationality} {self.per_thousand}"
