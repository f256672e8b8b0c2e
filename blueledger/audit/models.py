"""The audit log of DESIGN.md section 6: events, the hash chain that seals them, signed checkpoints.

Three append-only tables, so that the application never updates or deletes a row of the log:

- ``AuditEvent``: what happened, inserted by ``record()`` inside the caller's transaction. It
  carries no hash, so writers never wait for one another.
- ``ChainLink``: the sealer (``chain.seal``) gives each event a sequence number and a hash that
  covers the previous link and the event's content. Keeping the chain in its own table means
  sealing is an INSERT, never an UPDATE of the event.
- ``Checkpoint``: a signed Merkle tree head over links 1..N, exported and kept elsewhere.

The actor and organisation are foreign keys without database constraints and with DO_NOTHING:
deleting a user must neither be refused because of the log nor alter a sealed event; the event
keeps the user's id and the username of the time (``actor_label``).
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.core import clock

HASH_BYTES = 32


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def of_organisations(self, organisation_ids: Iterable[int]) -> "AuditEventQuerySet":
        """Events of these organisations and events of none (failed logins of unknown users)."""
        return self.filter(
            models.Q(organisation_id__in=list(organisation_ids))
            | models.Q(organisation_id__isnull=True)
        )

    def matching(
        self, action: str = "", since: date | None = None, until: date | None = None
    ) -> "AuditEventQuerySet":
        """Filter by exact action and by UTC dates, both ends included."""
        events = self
        if action:
            events = events.filter(action=action)
        if since:
            events = events.filter(created_at__gte=datetime.combine(since, time(), tzinfo=UTC))
        if until:
            end = datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)
            events = events.filter(created_at__lt=end)
        return events

    def page(self, before: int | None, size: int) -> tuple[list["AuditEvent"], int | None]:
        """Newest first, older than event BEFORE; return the page and the BEFORE of the next."""
        events = self.select_related("link", "organisation").order_by("-id")
        if before is not None:
            events = events.filter(id__lt=before)
        rows: list[AuditEvent] = list(events[: size + 1])  # type: ignore[arg-type]
        return rows[:size], rows[size - 1].pk if len(rows) > size else None


class AuditEvent(models.Model):
    """Who did what to which record, when, in a non-personal summary; never changed."""

    created_at = models.DateTimeField(_("time"), default=clock.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor's username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["action", "id"], name="audit_event_action_id")]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"

    @property
    def seq(self) -> int | None:
        """The sequence number once sealed (needs select_related("link") to be cheap)."""
        try:
            return self.link.seq
        except ChainLink.DoesNotExist:
            return None


class ChainLink(models.Model):
    """The place of one event in the chain: its sequence number and hash (see chain.py)."""

    seq = models.PositiveBigIntegerField(_("sequence number"), primary_key=True)
    # PROTECT and a real constraint: even without the triggers a sealed event cannot be deleted.
    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, related_name="link", verbose_name=_("event")
    )
    hash = models.BinaryField(_("hash"), max_length=HASH_BYTES)

    class Meta:
        verbose_name = _("chain link")
        verbose_name_plural = _("chain links")

    def __str__(self) -> str:
        return f"{self.seq}: {bytes(self.hash).hex()}"


class Checkpoint(models.Model):
    """A signed Merkle tree head (RFC 9162) over links 1..tree_size, for safekeeping elsewhere."""

    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    tree_size = models.PositiveBigIntegerField(_("tree size"))
    root_hash = models.BinaryField(_("root hash"), max_length=HASH_BYTES)
    head_hash = models.BinaryField(_("chain head hash"), max_length=HASH_BYTES)
    public_key = models.BinaryField(_("public key"), max_length=32)
    signature = models.BinaryField(_("signature"), max_length=64)
    # The compact range (RFC 9162 section 2.1.4) at tree_size, so the next checkpoint starts here
    # instead of rehashing the whole log; it is checked against the signed root before use.
    peaks = models.BinaryField(_("subtree roots"), blank=True)

    class Meta:
        ordering = ["-tree_size", "-id"]
        get_latest_by = ["tree_size", "id"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        indexes = [models.Index(fields=["tree_size", "id"], name="audit_checkpoint_size")]

    def __str__(self) -> str:
        return f"{self.tree_size}: {bytes(self.root_hash).hex()}"
