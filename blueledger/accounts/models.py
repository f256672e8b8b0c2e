"""Organisations, missions, users, their roles and scopes, and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.core import clock

from .roles import Role, actions_for


class Organisation(models.Model):
    """A UN entity, department or partner: the unit of ownership, policy and calendar."""

    class Kind(models.TextChoices):
        UN_ENTITY = "un_entity", _("UN entity")
        DEPARTMENT = "department", _("Department")
        PARTNER = "partner", _("Partner")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.UN_ENTITY)
    require_two_factor = models.BooleanField(
        _("require two-factor login"),
        default=False,
        help_text=_("Members must confirm a TOTP device before they reach any page."),
    )
    custodian_email = models.EmailField(
        _("custodian email"),
        blank=True,
        help_text=_("Told when someone breaks the glass to read a reporter's identity."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Mission(models.Model):
    """A field mission (peacekeeping operation or political mission) run by an organisation."""

    code = models.CharField(
        _("code"), max_length=16, unique=True, help_text=_("For example MINUSCA.")
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="missions",
        verbose_name=_("organisation"),
    )
    country = models.ForeignKey(
        "memberstates.Country",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("host country"),
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.ended_on is None or self.ended_on >= clock.now().date()


class User(AbstractUser):
    """A staff member or partner with one or more role assignments."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team",
        verbose_name=_("supervisor"),
        help_text=_("Receives escalations of this person's breached deadlines."),
    )
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def roles(self) -> set[str]:
        return {a.role for a in self.assignments_cached()}

    def assignments_cached(self) -> list["RoleAssignment"]:
        # One query per request at most: navigation, access checks and pages all ask.
        cached: list[RoleAssignment] | None = getattr(self, "_assignments", None)
        if cached is None:
            cached = list(self.assignments.select_related("organisation", "mission", "country"))
            self._assignments = cached
        return cached

    def can(self, action: str) -> bool:
        return self.is_active and any(
            action in actions_for(a.role) for a in self.assignments_cached()
        )

    def scopes_for(self, action: str) -> list["RoleAssignment"]:
        """The assignments that grant ACTION; their scopes bound which records it applies to."""
        return [a for a in self.assignments_cached() if action in actions_for(a.role)]

    @property
    def needs_two_factor(self) -> bool:
        return bool(self.organisation and self.organisation.require_two_factor)


class RoleAssignment(models.Model):
    """A role held within a scope: the organisation, optionally one mission or one country."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    mission = models.ForeignKey(
        Mission,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mission"),
        help_text=_("Leave empty for every mission of the organisation."),
    )
    country = models.ForeignKey(
        "memberstates.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
        help_text=_(
            "Required for Member State liaisons: the country whose nationals they answer for."
        ),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "mission", "country"],
                name="unique_role_assignment",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=Role.MEMBER_STATE_LIAISON)
                | models.Q(country__isnull=False),
                name="liaison_has_country",
            ),
        ]

    def __str__(self) -> str:
        scope = self.mission or self.country or self.organisation
        return f"{self.get_role_display()} ({scope})"

    def clean(self) -> None:
        if self.role == Role.MEMBER_STATE_LIAISON and self.country_id is None:
            raise ValidationError({"country": _("A Member State liaison needs a country.")})
        if self.mission is not None and self.mission.organisation_id != self.organisation_id:
            raise ValidationError({"mission": _("This mission belongs to another organisation.")})


def hash_token(raw: str) -> str:
    # Tokens carry 256 random bits, so a fast unsalted hash is as strong as a slow one here.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for scripts and integrations: shown once, stored hashed, revocable."""

    PREFIX = "bl_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
