"""record() writes one plain event; the sealer chains events in batches, in order, exactly once."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueledger.accounts.models import ApiToken, Organisation, User
from blueledger.audit import chain
from blueledger.audit.events import record
from blueledger.audit.models import AuditEvent, ChainLink
from blueledger.audit.verify import verify

from .conftest import reference_hashes, rolled_back, sealed_ids


def test_record_is_one_insert_and_names_the_target(conduct_officer: User) -> None:
    token = ApiToken.objects.create(user=conduct_officer, name="x", key_hash="h", hint="bl_x")
    with CaptureQueriesContext(connection) as queries:
        event = record("token.created", actor=conduct_officer, target=token, summary="created")
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.object_type, event.object_id) == ("accounts.apitoken", str(token.pk))
    assert (event.actor_id, event.actor_label) == (conduct_officer.pk, "conduct.monusco")
    # The token has no organisation of its own: the actor's is used.
    assert event.organisation_id == conduct_officer.organisation_id
    assert event.seq is None


def test_the_organisation_comes_from_the_target_before_the_actor(
    auditor: User, outsider: User, partner: Organisation
) -> None:
    assert record("x.y", actor=auditor, target=outsider).organisation_id == partner.pk
    assert record("x.y", actor=auditor, target=partner).organisation_id == partner.pk
    explicit = record("x.y", actor=outsider, organisation=auditor.organisation)
    assert explicit.organisation_id == auditor.organisation_id


def test_an_anonymous_or_absent_actor_is_recorded_as_none(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    event = record("login.failed", actor=AnonymousUser(), summary="login failed")
    assert (event.actor_id, event.actor_label, event.organisation_id) == (None, "", None)


def test_a_long_summary_is_cut_and_an_empty_action_refused(db: None) -> None:
    assert len(record("x.y", summary="s" * 600).summary) == 500
    with pytest.raises(ValueError, match="action"):
        record("", summary="nothing")


def test_deleting_a_user_keeps_their_sealed_events_verifiable(
    auditor: User, outsider: User
) -> None:
    record("login.succeeded", actor=outsider, target=outsider, summary="signed in")
    chain.seal()
    outsider.delete()
    event = AuditEvent.objects.select_related("actor").get()
    assert event.actor is None and event.actor_label == "outsider"
    assert verify().ok


def test_sealing_in_batches_with_events_recorded_in_between_keeps_id_order(db: None) -> None:
    first = [record("a.b", summary=str(i)).pk for i in range(7)]
    assert chain.seal(batch=3) == 7
    later = [record("a.b", summary=str(i)).pk for i in range(4)]
    assert chain.seal(batch=2) == 4
    assert chain.seal() == 0
    assert sealed_ids() == first + later
    assert list(ChainLink.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 12)
    )
    report = verify()
    assert report.ok and report.events == 11 and report.unsealed == 0


def test_an_event_committed_late_behind_sealed_ones_is_sealed_next(db: None) -> None:
    early = record("a.b", summary="early").pk
    chain.seal()
    # A transaction that took its id before others but committed after they were sealed.
    late = AuditEvent.objects.create(id=early + 5, action="a.b", summary="late").pk
    newer = AuditEvent.objects.create(id=early + 9, action="a.b", summary="newer").pk
    chain.seal()
    behind = AuditEvent.objects.create(id=early + 2, action="a.b", summary="behind").pk
    assert chain.seal() == 1
    assert sealed_ids() == [early, late, newer, behind]
    assert verify().ok


def test_an_event_far_behind_is_found_by_the_sweep(db: None) -> None:
    AuditEvent.objects.create(id=chain.LOOKBACK_IDS * 3, action="a.b")
    chain.seal()
    straggler = AuditEvent.objects.create(id=5, action="a.b").pk
    assert chain.seal() == 0
    assert chain.seal(sweep=True) == 1
    assert sealed_ids()[-1] == straggler
    assert verify().ok


TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.datetimes(
                min_value=datetime(2000, 1, 1),  # noqa: DTZ001
                max_value=datetime(2100, 1, 1),  # noqa: DTZ001
                timezones=st.just(UTC),
            ),
            st.none() | st.integers(min_value=1, max_value=2**62),
            st.none() | st.integers(min_value=1, max_value=2**62),
            TEXT,
            TEXT.filter(bool),
            TEXT,
            TEXT,
            st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=500),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_the_database_renders_every_event_as_the_python_reference_does(
    db: None, events: list[tuple]
) -> None:
    with rolled_back():
        for created_at, actor_id, organisation_id, label, action, otype, oid, summary in events:
            AuditEvent.objects.create(
                created_at=created_at,
                actor_id=actor_id,
                organisation_id=organisation_id,
                actor_label=label,
                action=action[:64],
                object_type=otype,
                object_id=oid,
                summary=summary,
            )
        chain.seal()
        stored = {seq: bytes(h) for seq, h in ChainLink.objects.values_list("seq", "hash")}
        assert stored == reference_hashes()
        assert verify().ok
