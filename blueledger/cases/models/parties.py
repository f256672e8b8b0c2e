"""Parties of an allegation: subjects (alleged perpetrators), victims and witnesses."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.cases.vocabularies import UNIFORMED_CATEGORIES, AgeGroup, CategoryOfPersonnel, Sex
from blueledger.core import clock
from blueledger.crypto.blind_index import BlindIndexField, index_filter, normalise_identifier
from blueledger.crypto.fields import EncryptedTextField


class SubjectQuerySet(models.QuerySet["Subject"]):
    def with_identifier(self, value: str) -> "SubjectQuerySet":
        """Subjects whose identifier equals VALUE once normalised ("AB-12 3" = "ab123")."""
        return self.filter(index_filter(Subject, "identifier_bidx", value))

    def with_name(self, value: str) -> "SubjectQuerySet":
        """Subjects whose name equals VALUE once normalised (case, accents, punctuation)."""
        return self.filter(index_filter(Subject, "name_bidx", value))


class Subject(models.Model):
    """A person alleged to have committed misconduct; identity encrypted, lookups by blind index."""

    allegation = models.ForeignKey(
        "cases.Allegation",
        on_delete=models.CASCADE,
        related_name="subjects",
        verbose_name=_("allegation"),
    )
    category = models.CharField(
        _("category of personnel"), max_length=24, choices=CategoryOfPersonnel.choices
    )
    nationality = models.ForeignKey(
        "memberstates.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nationality"),
    )
    unit = models.CharField(_("contingent or unit"), max_length=200, blank=True)
    rank = models.CharField(_("rank"), max_length=100, blank=True)
    name = EncryptedTextField(_("name"), null=True, blank=True)
    name_bidx = BlindIndexField(source="name", purpose="cases.subject.name")
    identifier = EncryptedTextField(
        _("identifier"),
        null=True,
        blank=True,
        help_text=_("Personnel, passport or service number."),
    )
    identifier_bidx = BlindIndexField(
        source="identifier", purpose="cases.subject.identifier", normaliser=normalise_identifier
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        constraints = [
            models.CheckConstraint(condition=~models.Q(category=""), name="subject_has_category")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} #{self.pk}"

    @property
    def is_uniformed(self) -> bool:
        return self.category in UNIFORMED_CATEGORIES


class Victim(models.Model):
    """A person harmed; published only by sex and age group, identity encrypted."""

    allegation = models.ForeignKey(
        "cases.Allegation",
        on_delete=models.CASCADE,
        related_name="victims",
        verbose_name=_("allegation"),
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    is_child = models.BooleanField(
        _("child at the time of the incident"),
        default=False,
        help_text=_("Under 18 when the incident happened, even if an adult now."),
    )
    name = EncryptedTextField(_("name"), null=True, blank=True)
    contact = EncryptedTextField(_("contact"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("victim")
        verbose_name_plural = _("victims")

    def __str__(self) -> str:
        return f"{_('Victim')} #{self.pk}"

    def clean(self) -> None:
        if self.is_child and self.age_group == AgeGroup.ADULT:
            raise ValidationError(
                {"age_group": _("A child victim cannot be in the adult age group.")}
            )
        if not self.is_child and self.age_group == AgeGroup.CHILD:
            raise ValidationError({"age_group": _("The child age group needs the child flag set.")})


class Witness(models.Model):
    allegation = models.ForeignKey(
        "cases.Allegation",
        on_delete=models.CASCADE,
        related_name="witnesses",
        verbose_name=_("allegation"),
    )
    name = EncryptedTextField(_("name"), null=True, blank=True)
    contact = EncryptedTextField(_("contact"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")

    def __str__(self) -> str:
        return f"{_('Witness')} #{self.pk}"
