"""verify() finds any edit, deletion, insertion or reordering of sealed events, and names it.

Each example builds a sealed, checkpointed log, then plays an attacker with full SQL access (the
append-only triggers dropped, as a database superuser could) and changes it in one way.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from blueledger.accounts.models import Organisation, User
from blueledger.audit import chain, checkpoints
from blueledger.audit.events import record
from blueledger.audit.models import AuditEvent, ChainLink, Checkpoint
from blueledger.audit.verify import verify

from .conftest import attacker, rechain, rolled_back

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
FIELDS = [
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "summary",
    "organisation_id",
    "id",
]


@dataclass
class Tamper:
    kind: str  # edit, delete, renumber, insert, swap, shift, hash
    position: int  # 1-based place in the chain where the log first differs
    other: int = 0  # the second position of a swap
    field: str = ""


events_strategy = st.lists(
    st.tuples(st.booleans(), st.sampled_from([0, 1, 2]), TEXT.filter(bool), TEXT, TEXT, TEXT),
    min_size=1,
    max_size=8,
)


@st.composite
def tampers(draw: Any, size: int, kinds: tuple[str, ...]) -> Tamper:
    kind = draw(st.sampled_from([k for k in kinds if size > 1 or k != "swap"]))
    position = draw(st.integers(min_value=1, max_value=size))
    if kind == "swap":
        other = draw(st.integers(min_value=1, max_value=size).filter(lambda p: p != position))
        return Tamper(kind, min(position, other), max(position, other))
    if kind == "edit":
        return Tamper(kind, position, field=draw(st.sampled_from(FIELDS)))
    return Tamper(kind, position)


def _build(events: list[tuple], users: list[User], organisations: list[Organisation]) -> list[int]:
    ids = []
    for with_actor, org, action, object_type, object_id, summary in events:
        ids.append(
            record(
                action[:64],
                actor=users[len(ids) % len(users)] if with_actor else None,
                object_type=object_type,
                object_id=object_id,
                summary=summary,
                organisation=[None, *organisations][org % (len(organisations) + 1)],
            ).pk
        )
    chain.seal()
    return ids


def _changed(field: str, value: Any) -> Any:
    if field == "created_at":
        return value + timedelta(microseconds=1)
    if field in ("actor_id", "organisation_id"):
        return 1 if value is None else (None if value % 2 else value + 1)
    if field == "id":
        return value + 1000
    return value + "!" if len(value) < 60 else "!" + value[1:]


def _apply(tamper: Tamper, ids: list[int], cursor: Any) -> int | None:
    """Change the log as TAMPER says; return the id of the event expected to be named."""
    size = len(ids)
    position = tamper.position
    target = ids[position - 1]
    link = chain.LINK_TABLE
    if tamper.kind == "edit":
        value = AuditEvent.objects.filter(pk=target).values_list(tamper.field, flat=True).get()
        AuditEvent.objects.filter(pk=target).update(**{tamper.field: _changed(tamper.field, value)})
        return target
    if tamper.kind in ("delete", "renumber"):
        cursor.execute(f"DELETE FROM {link} WHERE seq = %s", [position])  # noqa: S608
        AuditEvent.objects.filter(pk=target).delete()
        if tamper.kind == "renumber":  # close the gap, so no sequence number is missing
            for seq in range(position + 1, size + 1):
                cursor.execute(f"UPDATE {link} SET seq = %s WHERE seq = %s", [seq - 1, seq])  # noqa: S608
            return ids[position] if position < size else None
        return None
    if tamper.kind == "insert":
        fake = record("login.succeeded", summary="signed in").pk
        for seq in range(size, position - 1, -1):
            cursor.execute(f"UPDATE {link} SET seq = %s WHERE seq = %s", [seq + 1, seq])  # noqa: S608
        old_hash = bytes(ChainLink.objects.get(seq=position + 1).hash)
        ChainLink.objects.create(seq=position, event_id=fake, hash=old_hash)
        return fake
    if tamper.kind == "swap":
        first, second = ids[tamper.position - 1], ids[tamper.other - 1]
        for seq, event_id in (
            (tamper.position, -1),
            (tamper.other, first),
            (tamper.position, second),
        ):
            cursor.execute(f"UPDATE {link} SET event_id = %s WHERE seq = %s", [event_id, seq])  # noqa: S608
        return second
    if tamper.kind == "shift":  # move one character from the action into the object type
        event = AuditEvent.objects.get(pk=target)
        assume(len(event.action) > 1)
        AuditEvent.objects.filter(pk=target).update(
            action=event.action[:-1], object_type=event.action[-1] + event.object_type
        )
        return target
    if tamper.kind == "hash":
        cursor.execute(f"UPDATE {link} SET hash = %s WHERE seq = %s", [b"\x01" * 32, position])  # noqa: S608
        return target
    raise AssertionError(tamper.kind)


ALL_KINDS = ("edit", "delete", "renumber", "insert", "swap", "shift", "hash")


@SETTINGS
@given(st.data(), events_strategy)
def test_any_change_to_sealed_events_is_found_where_it_happened(
    auditor: User, outsider: User, dpo: Organisation, partner: Organisation, data: Any, events: list
) -> None:
    with rolled_back():
        ids = _build(events, [auditor, outsider], [dpo, partner])
        checkpoints.create_checkpoint()
        assert verify().ok
        tamper = data.draw(tampers(len(ids), ALL_KINDS))
        with attacker() as cursor:
            named = _apply(tamper, ids, cursor)
        report = verify()
        assert not report.ok
        first = report.first
        assert first is not None
        assert first.position == tamper.position, (tamper, report.problems)
        if named is not None and first.checkpoint_id is None:
            assert first.event_id == named, (tamper, report.problems)


@SETTINGS
@given(st.data(), events_strategy)
def test_recomputing_the_hashes_after_a_change_is_caught_by_the_checkpoint(
    auditor: User, dpo: Organisation, data: Any, events: list
) -> None:
    with rolled_back():
        ids = _build(events, [auditor], [dpo])
        checkpoint = checkpoints.create_checkpoint()
        # Not "delete": a missing sequence number shows without any checkpoint.
        tamper = data.draw(tampers(len(ids), ("edit", "renumber", "insert", "swap", "shift")))
        with attacker() as cursor:
            _apply(tamper, ids, cursor)
            if tamper.kind == "edit" and tamper.field == "id":
                cursor.execute(
                    f"UPDATE {chain.LINK_TABLE} SET event_id = %s WHERE seq = %s",  # noqa: S608
                    [ids[tamper.position - 1] + 1000, tamper.position],
                )
            rechain()
        report = verify()
        assert [p.checkpoint_id for p in report.problems] == [checkpoint.pk], report.problems


@SETTINGS
@given(events_strategy, st.integers(min_value=1, max_value=8))
def test_an_exported_checkpoint_catches_a_rewrite_with_the_stolen_signing_key(
    auditor: User, events: list, position: int
) -> None:
    with rolled_back():
        ids = _build(events, [auditor], [])
        assume(position <= len(ids))
        anchor = checkpoints.parse_anchor(checkpoints.export(checkpoints.create_checkpoint()))
        with attacker():
            AuditEvent.objects.filter(pk=ids[position - 1]).update(summary="nothing happened")
            rechain()
            Checkpoint.objects.all().delete()
        checkpoints.create_checkpoint()  # re-signed with the keyring, as a thief of it could
        assert verify().ok  # the database alone cannot tell
        report = verify([anchor])
        assert not report.ok
        assert report.first is not None and "anchor" in report.first.reason


def test_deleting_the_newest_sealed_events_is_caught_by_the_checkpoint(db: None) -> None:
    ids = [record("a.b", summary=str(i)).pk for i in range(5)]
    chain.seal()
    checkpoints.create_checkpoint()
    with attacker() as cursor:
        cursor.execute(f"DELETE FROM {chain.LINK_TABLE} WHERE seq > 3")  # noqa: S608
        AuditEvent.objects.filter(pk__in=ids[3:]).delete()
    report = verify()
    assert report.first is not None
    assert report.first.position == 4
    assert "covers 5 events but only 3" in report.first.reason


def test_a_tampered_or_foreign_checkpoint_signature_is_reported(db: None) -> None:
    record("a.b")
    checkpoint = checkpoints.create_checkpoint()
    with attacker():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(signature=b"\x00" * 64)
    report = verify()
    assert report.first is not None and "signature does not verify" in report.first.reason
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    message = checkpoints.message(
        1, bytes(checkpoint.root_hash), bytes(checkpoint.head_hash), checkpoint.created_at
    )
    with attacker():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(
            public_key=key.public_key().public_bytes_raw(), signature=key.sign(message)
        )
    report = verify()
    assert report.first is not None and "not the keyring's" in report.first.reason


def test_unsealed_events_are_counted_but_do_not_fail_verification(db: None) -> None:
    record("a.b")
    chain.seal()
    record("a.c")
    report = verify()
    assert report.ok and report.events == 1 and report.unsealed == 1
    assert connection.vendor in ("sqlite", "postgresql")
