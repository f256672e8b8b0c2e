"""Every state change of an allegation and its records: one function each.

Each action validates its input (a ``CaseError`` naming the offending field), writes in one
transaction, records an audit event with a non-personal summary (references, codes and dates;
never names, contacts or narratives) and opens, meets or cancels deadlines of DESIGN.md section 2.
Actions do not decide who may act: pages and the API check ``blueledger.cases.access`` first.
"""

from .allegations import open_allegation, reference_prefix, transition, update_allegation
from .base import CaseError
from .parties import IDENTITY_FIELDS, add_subject, add_victim, add_witness, reveal_identity
from .steps import (
    add_interim_measure,
    complete_investigation,
    name_investigation_officer,
    record_action,
    record_finding,
    record_referral_answer,
    refer,
    start_investigation,
)

__all__ = [
    "IDENTITY_FIELDS",
    "CaseError",
    "add_interim_measure",
    "add_subject",
    "add_victim",
    "add_witness",
    "complete_investigation",
    "name_investigation_officer",
    "open_allegation",
    "record_action",
    "record_finding",
    "record_referral_answer",
    "reference_prefix",
    "refer",
    "reveal_identity",
    "start_investigation",
    "transition",
    "update_allegation",
]
