"""Parties: identities are encrypted and found again only through blind indexes."""

import pytest
from django.core.exceptions import FieldError

from blueledger.cases import actions
from blueledger.cases.models import Subject

pytestmark = pytest.mark.django_db


def test_subjects_are_found_by_identifier_and_name_through_blind_indexes(
    allegation, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    subject = actions.add_subject(
        conduct_officer,
        allegation,
        category="UNPOL",
        nationality="sen",
        name="Amadou Ndiaye-Sy",
        identifier="SN 123-456",
    )
    actions.add_subject(conduct_officer, allegation, category="UNPOL", identifier="SN 999")
    assert list(Subject.objects.with_identifier("sn123456")) == [subject]
    assert list(Subject.objects.with_name("AMADOU NDIAYE SY")) == [subject]
    assert not Subject.objects.with_identifier("").exists()
    assert subject.nationality_id == "SEN"
    assert subject.is_uniformed
    with pytest.raises(FieldError):
        list(Subject.objects.filter(name__icontains="Amadou"))


def test_an_unnamed_subject_has_no_index(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    subject = actions.add_subject(conduct_officer, allegation, category="contractor", name="  ")
    assert subject.name is None and subject.name_bidx is None
    assert not subject.is_uniformed
