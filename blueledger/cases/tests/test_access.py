"""Scopes per persona (DESIGN.md section 3), need-to-know for identities, audited reads."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from blueledger.accounts.roles import Role
from blueledger.audit.models import AuditEvent
from blueledger.cases import access, actions
from blueledger.conftest import make_user

from .conftest import open_one

pytestmark = pytest.mark.django_db
DAY = date(2026, 2, 20)


@pytest.fixture
def world(clock, dpo, partner, minusca, monusco):  # type: ignore[no-untyped-def]
    """Five allegations, each visible to a different set of personas."""
    a = open_one(dpo, minusca)
    b = open_one(dpo, monusco)
    actions.refer(None, b, target="oios", referred_on=DAY)
    actions.add_victim(None, b, sex="female", age_group="child", is_child=True, name="V. Synthetic")
    c = open_one(dpo, monusco)
    actions.add_subject(None, c, category="MC", nationality="BGD", name="S. Synthetic")
    actions.refer(None, c, target="member_state_tcc", member_state="BGD", referred_on=DAY)
    d = open_one(dpo, monusco)
    actions.add_subject(None, d, category="MC", nationality="BGD")  # not referred yet
    actions.add_victim(None, d)
    e = open_one(partner, None)
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


PERSONAS = {
    "intake_officer": {"A"},
    "conduct_officer": {"B", "C", "D"},
    "investigator": {"B"},
    "advocate": {"B", "D"},
    "liaison": {"C"},
    "liaison_sen": set(),
    "partner_conduct_officer": {"E"},
    "dpo_conduct_officer": {"A", "B", "C", "D"},
    "analyst": set(),
    "auditor": set(),
    "administrator": set(),
    "outsider": set(),
}


@pytest.fixture
def persona(request, dpo, partner):  # type: ignore[no-untyped-def]
    name = request.param
    if name == "liaison_sen":
        return make_user("liaison.sen", Role.MEMBER_STATE_LIAISON, dpo, country="SEN")
    if name == "partner_conduct_officer":
        return make_user("conduct.partner", Role.CONDUCT_OFFICER, partner)
    if name == "dpo_conduct_officer":
        return make_user("conduct.dpo", Role.CONDUCT_OFFICER, dpo)
    return request.getfixturevalue(name)


@pytest.mark.parametrize(("persona", "expected"), PERSONAS.items(), indirect=["persona"])
def test_each_persona_sees_exactly_its_scope(world, persona, expected) -> None:  # type: ignore[no-untyped-def]
    seen = {
        key for key, a in world.items() if access.allegations_for(persona).filter(pk=a.pk).exists()
    }
    assert seen == expected
    assert access.allegations_for(persona).count() == len(expected)
    for key, allegation in world.items():
        if key in expected:
            assert access.allegation_for(persona, allegation.pk) == allegation
        else:
            with pytest.raises(access.Http404):
                access.allegation_for(persona, allegation.pk)


def test_signed_out_and_deactivated_users_see_nothing(world, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    assert not access.allegations_for(AnonymousUser()).exists()
    assert not access.victims_for(AnonymousUser()).exists()
    conduct_officer.is_active = False
    conduct_officer.save()
    assert not access.allegations_for(conduct_officer).exists()


def test_only_conduct_officers_of_scope_may_see_identities(
    world, conduct_officer, intake_officer, investigator, liaison, advocate
) -> None:  # type: ignore[no-untyped-def]
    assert access.may_see_identities(conduct_officer, world["C"])
    assert not access.may_see_identities(conduct_officer, world["A"])  # another mission
    for user in (intake_officer, investigator, liaison, advocate):
        for allegation in world.values():
            assert not access.may_see_identities(user, allegation)
    assert access.may_manage(conduct_officer, world["B"])
    assert not access.may_manage(investigator, world["B"])


def test_liaisons_never_see_victims(world, liaison, advocate, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    assert not access.victims_for(liaison).exists()
    assert access.victims_for(advocate).count() == 2
    assert access.victims_for(conduct_officer).count() == 2
    assert {s.allegation_id for s in access.subjects_for(liaison)} == {world["C"].pk}


def test_reading_an_identity_is_audited(world, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    subject = world["C"].subjects.get()
    assert actions.reveal_identity(conduct_officer, subject, "name") == "S. Synthetic"
    event = AuditEvent.objects.get(action="identity.read")
    assert event.actor_id == conduct_officer.pk
    assert (event.object_type, event.object_id) == ("cases.subject", str(subject.pk))
    assert "S. Synthetic" not in event.summary
    assert actions.reveal_identity(conduct_officer, world["C"], "narrative")


def test_reading_an_identity_without_need_to_know_is_refused_and_audited(
    world, investigator
) -> None:  # type: ignore[no-untyped-def]
    victim = world["B"].victims.get()
    with pytest.raises(PermissionDenied):
        actions.reveal_identity(investigator, victim, "name")
    assert AuditEvent.objects.filter(action="identity.read_refused").count() == 1
    assert not AuditEvent.objects.filter(action="identity.read").exists()


def test_only_identity_fields_can_be_revealed(world, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(actions.CaseError) as error:
        actions.reveal_identity(conduct_officer, world["C"].subjects.get(), "category")
    assert error.value.field == "field"


def test_investigators_record_on_what_was_referred_to_them(
    world, investigator, conduct_officer, liaison
) -> None:  # type: ignore[no-untyped-def]
    assert access.may_investigate(investigator, world["B"])
    assert not access.may_investigate(investigator, world["C"])
    assert access.may_investigate(conduct_officer, world["C"])
    assert not access.may_investigate(liaison, world["C"])


def test_liaisons_answer_referrals_to_their_own_country(world, liaison, dpo) -> None:  # type: ignore[no-untyped-def]
    referral = world["C"].referrals.get()
    assert access.may_answer_referral(liaison, referral)
    other = make_user("liaison.npl", Role.MEMBER_STATE_LIAISON, dpo, country="NPL")
    assert not access.may_answer_referral(other, referral)
    assert not access.may_answer_referral(liaison, world["B"].referrals.get())
    assert not access.may_answer_referral(AnonymousUser(), referral)
