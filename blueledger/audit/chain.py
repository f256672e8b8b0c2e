"""The hash chain: how an event becomes bytes, how links are hashed, and the sealer.

Format (version 1), stable because exported checkpoints depend on it:

    event bytes  = "{seq}\\n{event id}\\n{created_at}\\n{actor id}\\n{organisation id}\\n"
                   + lp(actor_label) + lp(action) + lp(object_type) + lp(object_id) + lp(summary)
    lp(text)     = "{length in bytes}:" + text, UTF-8
    link hash    = SHA-256(0x00 || previous link hash || event bytes)   (32 zero bytes before seq 1)

``created_at`` is UTC as ``YYYY-MM-DD HH:MM:SS.ffffff``; an absent actor or organisation is empty.
A link hash is the RFC 9162 leaf hash of (previous hash || event bytes), so the chain's hashes are
also the leaves of the Merkle tree that checkpoints sign (``merkle.py``).

The database renders the fields as text, read as UTF-8 bytes (``select_fields``, ``bytes_cursor``),
and Python joins them (``event_bytes``) for both the sealer and the verifier, so the two cannot
disagree; the tests check the rendering against ``reference_bytes``, computed from a model instance
in plain Python.

Writers insert events freely; ``seal`` chains them afterwards in batches, in id order, under one
lock (an advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions serialise anyway). Events
committed late, behind ids already sealed, are found by looking back ``LOOKBACK_IDS`` ids, and by a
full sweep (``sweep=True``) that the hourly checkpoint job and ``blueledger audit seal`` run.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any

from django.db import connection, transaction

from .models import AuditEvent, ChainLink

ZERO_HASH = bytes(32)
SEAL_BATCH = 2000
LOOKBACK_IDS = 10_000
LOCK_KEY = 0x626C_6175_6469_74  # "blaudit": the PostgreSQL advisory lock of the chain's head

EVENT_TABLE = AuditEvent._meta.db_table
LINK_TABLE = ChainLink._meta.db_table
EVENT_FORMAT = b"%d\n%d\n%s\n%s\n%s\n%d:%s%d:%s%d:%s%d:%s%d:%s"
LEAF_FORMAT = b"\x00%s" + EVENT_FORMAT  # the bytes a link hashes: 0x00, previous hash, event

_sha256 = hashlib.sha256


def event_bytes(
    seq: int,
    event_id: int,
    created_at: bytes,
    actor_id: bytes,
    organisation_id: bytes,
    actor_label: bytes,
    action: bytes,
    object_type: bytes,
    object_id: bytes,
    summary: bytes,
) -> bytes:
    """Join the rendered fields of an event into its canonical bytes."""
    return EVENT_FORMAT % (
        seq,
        event_id,
        created_at,
        actor_id,
        organisation_id,
        len(actor_label),
        actor_label,
        len(action),
        action,
        len(object_type),
        object_type,
        len(object_id),
        object_id,
        len(summary),
        summary,
    )


def link_hash(prev_hash: bytes, data: bytes) -> bytes:
    return _sha256(b"\x00" + prev_hash + data).digest()


def reference_bytes(seq: int, event: AuditEvent) -> bytes:
    """The canonical bytes of EVENT at SEQ from its Python values, independently of SQL."""

    def number(value: int | None) -> bytes:
        return b"" if value is None else str(value).encode()

    return event_bytes(
        seq,
        event.pk,
        event.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f").encode(),
        number(event.actor_id),
        number(event.organisation_id),
        event.actor_label.encode(),
        event.action.encode(),
        event.object_type.encode(),
        event.object_id.encode(),
        event.summary.encode(),
    )


def select_fields(vendor: str, alias: str = "e") -> str:
    """SQL rendering an event's fields as bytes, in event_bytes order after seq and id."""
    e = alias
    if vendor == "postgresql":
        return (
            f"to_char({e}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), "
            f"coalesce({e}.actor_id::text, ''), coalesce({e}.organisation_id::text, ''), "
            f"{e}.actor_label, {e}.action, {e}.object_type, {e}.object_id, {e}.summary"
        )
    # SQLite keeps datetimes as text and drops ".000000"; anything else in the text (an offset)
    # must show in the bytes. Text comes back as bytes (see bytes_cursor).
    return ", ".join(
        [
            f"CASE WHEN length({e}.created_at) = 19 THEN {e}.created_at || '.000000' "
            f"ELSE {e}.created_at END",
            f"ifnull(CAST({e}.actor_id AS TEXT), '')",
            f"ifnull(CAST({e}.organisation_id AS TEXT), '')",
            f"{e}.actor_label, {e}.action, {e}.object_type, {e}.object_id, {e}.summary",
        ]
    )


@contextmanager
def bytes_cursor(name: str = "blueledger_audit") -> Iterator[Any]:
    """A cursor in a transaction that returns text as its UTF-8 bytes, on either database.

    On PostgreSQL it is a server-side cursor in binary: rows arrive without text parsing.
    """
    if connection.vendor == "postgresql":
        from psycopg.types.string import ByteaBinaryLoader

        with transaction.atomic():
            raw: Any = connection.connection
            with raw.cursor(name=name, binary=True) as cursor:
                for text_type in ("text", "varchar"):
                    cursor.adapters.register_loader(text_type, ByteaBinaryLoader)
                yield cursor
        return
    with transaction.atomic(), connection.cursor() as cursor:
        raw = connection.connection
        previous = raw.text_factory
        raw.text_factory = bytes
        try:
            yield cursor
        finally:
            raw.text_factory = previous


def lock_head() -> None:
    """Serialise sealers and checkpoint writers until the end of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def head() -> tuple[int, bytes]:
    """The last link's sequence number and hash; (0, zero hash) for an empty chain."""
    last = ChainLink.objects.order_by("-seq").values_list("seq", "hash").first()
    return (0, ZERO_HASH) if last is None else (last[0], bytes(last[1]))


def _unsealed(after: int, limit: int) -> list[tuple[Any, ...]]:
    sql = (
        f"SELECT e.id, {select_fields(connection.vendor)} FROM {EVENT_TABLE} e "  # noqa: S608
        f"WHERE e.id > %s AND NOT EXISTS (SELECT 1 FROM {LINK_TABLE} l WHERE l.event_id = e.id) "
        "ORDER BY e.id LIMIT %s"
    )
    with bytes_cursor() as cursor:
        cursor.execute(sql, [after, limit])
        return cursor.fetchall()


def _newest_sealed_event_id() -> int:
    newest = ChainLink.objects.order_by("-event_id").values_list("event_id", flat=True).first()
    return newest or 0


def _insert_links(links: list[tuple[int, int, bytes]]) -> None:
    # Plain statements: bulk_create would cost more CPU than the hashing, and the sealer shares
    # the processes (and on threads, the GIL) with the writers.
    if connection.vendor == "postgresql":
        import psycopg

        columns = list(zip(*links, strict=True))
        with psycopg.Cursor(connection.connection) as cursor:  # binds server-side, in binary
            cursor.execute(
                f"INSERT INTO {LINK_TABLE} (seq, event_id, hash) "  # noqa: S608
                "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[])",
                [list(column) for column in columns],
            )
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {LINK_TABLE} (seq, event_id, hash) VALUES (%s, %s, %s)",  # noqa: S608
            links,
        )


def seal(batch: int = SEAL_BATCH, *, sweep: bool = False) -> int:
    """Chain unsealed events in id order, BATCH per transaction; return how many were sealed."""
    sealed = 0
    after: int | None = 0 if sweep else None
    while True:
        with transaction.atomic():
            lock_head()
            seq, prev = head()
            if after is None:
                after = max(0, _newest_sealed_event_id() - LOOKBACK_IDS)
            rows = _unsealed(after, batch)
            if not rows:
                break
            links = []
            for event_id, *fields in rows:
                seq += 1
                prev = link_hash(prev, event_bytes(seq, event_id, *fields))
                links.append((seq, event_id, prev))
            _insert_links(links)
        sealed += len(rows)
        after = rows[-1][0]
        if len(rows) < batch:
            break
    return sealed


def unsealed_count() -> int:
    """How many events wait for the sealer."""
    return AuditEvent.objects.count() - ChainLink.objects.count()
