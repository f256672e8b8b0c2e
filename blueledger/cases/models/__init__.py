"""Models of the cases app, split by sub-domain and re-exported here."""

from .allegations import Allegation, AllegationQuerySet, ReferenceCounter, StatusChange
from .parties import Subject, SubjectQuerySet, Victim, Witness
from .steps import Action, Finding, InterimMeasure, Investigation, Referral
from .taxonomy import MisconductType, MisconductTypeQuerySet

__all__ = [
    "Action",
    "Allegation",
    "AllegationQuerySet",
    "Finding",
    "InterimMeasure",
    "Investigation",
    "MisconductType",
    "MisconductTypeQuerySet",
    "ReferenceCounter",
    "Referral",
    "StatusChange",
    "Subject",
    "SubjectQuerySet",
    "Victim",
    "Witness",
]
