"""Helpers for the audit tests: a rolled-back scratch state, and an attacker with SQL access."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from blueledger.audit import chain, guards
from blueledger.audit.models import AuditEvent, ChainLink


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint that is always undone (one per hypothesis example)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextmanager
def attacker() -> Iterator[Any]:
    """Play someone with full SQL access: the append-only triggers dropped, a cursor in hand.

    The drop is undone with the enclosing test's transaction.
    """
    guards.uninstall(connection)
    with connection.cursor() as cursor:
        yield cursor


def sealed_ids() -> list[int]:
    """Event ids in chain order."""
    return list(ChainLink.objects.order_by("seq").values_list("event_id", flat=True))


def reference_hashes() -> dict[int, bytes]:
    """Each link's hash as it should be, computed in Python from the events' model values."""
    prev = chain.ZERO_HASH
    hashes = {}
    for link in ChainLink.objects.order_by("seq").select_related("event"):
        prev = hashes[link.seq] = chain.link_hash(prev, chain.reference_bytes(link.seq, link.event))
    return hashes


def rechain() -> None:
    """Recompute every link hash, as an attacker covering their tracks would (see attacker)."""
    stored = dict(ChainLink.objects.values_list("seq", "hash"))
    with connection.cursor() as cursor:
        for seq, expected in reference_hashes().items():
            if bytes(stored[seq]) != expected:
                cursor.execute(
                    f"UPDATE {chain.LINK_TABLE} SET hash = %s WHERE seq = %s",  # noqa: S608
                    [expected, seq],
                )


def event_ids() -> list[int]:
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
