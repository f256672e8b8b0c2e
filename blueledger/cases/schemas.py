"""Request and response bodies of /api/v1/allegations.

Identity fields (names, identifiers, contacts, the narrative, the NIO's name) are null unless the
caller has need-to-know on the allegation; each one returned was read through
``actions.reveal_identity`` and so left an audit event. The endpoint puts what it revealed in the
record's ``shown_identities`` attribute; the resolvers below read only that.
"""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from blueledger.core.schemas import StrictSchema

from .lifecycle import Status
from .vocabularies import (
    ActionKind,
    AgeGroup,
    CategoryOfPersonnel,
    Channel,
    FindingOutcome,
    IncidentPrecision,
    InterimMeasureKind,
    InvestigatingBody,
    ReferralTarget,
    Seriousness,
    Sex,
)

IDENTITY_NOTE = "Null unless you have need-to-know on the allegation; each read is audited."


def _shown(obj: Any, field: str) -> Any:
    return getattr(obj, "shown_identities", {}).get(field)


# -- errors -----------------------------------------------------------------------------------


# -- allegations ------------------------------------------------------------------------------


class AllegationSummaryOut(Schema):
    id: int
    reference: str = Field(..., description="e.g. MINUSCA-2026-0042.")
    organisation: str = Field(..., description="Organisation code.")
    mission: str | None = Field(..., description="Mission code, if any.")
    received_on: date
    channel: Channel
    incident_date: date | None = Field(
        ..., description="With month or year precision, the first day of that month or year."
    )
    incident_precision: IncidentPrecision
    location: str = Field(..., description="Coarse: a town, a camp or a region.")
    classification: str | None = Field(..., description="Code of the misconduct type.")
    seriousness: Seriousness | None
    status: Status
    referred_to_member_state: bool
    updated_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_mission(obj: Any) -> str | None:
        return obj.mission.code if obj.mission_id else None

    @staticmethod
    def resolve_classification(obj: Any) -> str | None:
        return obj.classification.code if obj.classification_id else None

    @staticmethod
    def resolve_seriousness(obj: Any) -> str | None:
        return obj.seriousness or None


class AllegationOut(AllegationSummaryOut):
    narrative: str | None = Field(..., description=IDENTITY_NOTE)
    reopened_count: int
    created_at: datetime
    allowed_transitions: list[Status] = Field(
        ..., description="Statuses the table allows next; preconditions may still block them."
    )

    @staticmethod
    def resolve_narrative(obj: Any) -> str | None:
        return _shown(obj, "narrative")

    @staticmethod
    def resolve_allowed_transitions(obj: Any) -> list[str]:
        from .lifecycle import allowed_targets

        return sorted(allowed_targets(obj.status))


class AllegationPage(Schema):
    items: list[AllegationSummaryOut]
    count: int = Field(..., description="How many allegations match, over all pages.")


class AllegationIn(StrictSchema):
    organisation: str | None = Field(
        None, description="Organisation code; defaults to the mission's, else your own."
    )
    mission: str | None = Field(None, description="Mission code, e.g. MONUSCO.")
    received_on: date = Field(..., description="Not in the future, not before the incident.")
    channel: Channel
    narrative: str = Field("", max_length=100_000, description="Stored encrypted.")
    incident_date: date | None = None
    incident_precision: IncidentPrecision = IncidentPrecision.UNKNOWN
    location: str = Field("", max_length=200, description="Coarse: never an address.")
    classification: str | None = Field(None, description="Code of a misconduct type.")
    seriousness: Seriousness | None = None
    reference: str = Field(
        "", max_length=40, description="Only to import an existing case; normally generated."
    )


class AllegationPatch(StrictSchema):
    received_on: date | None = None
    channel: Channel | None = None
    incident_date: date | None = None
    incident_precision: IncidentPrecision | None = None
    location: str | None = Field(None, max_length=200)
    classification: str | None = Field(None, description="Code of a misconduct type; null clears.")
    seriousness: Seriousness | None = None
    narrative: str | None = Field(None, max_length=100_000)


class TransitionIn(StrictSchema):
    to: Status
    reason: str = Field("", max_length=1000, description="Required to reopen; kept encrypted.")


# -- parties ----------------------------------------------------------------------------------


class SubjectOut(Schema):
    id: int
    category: CategoryOfPersonnel
    nationality: str | None = Field(..., description="ISO 3166 alpha-3 code.")
    unit: str
    rank: str
    name: str | None = Field(..., description=IDENTITY_NOTE)
    identifier: str | None = Field(..., description=IDENTITY_NOTE)
    created_at: datetime

    @staticmethod
    def resolve_nationality(obj: Any) -> str | None:
        return obj.nationality_id

    @staticmethod
    def resolve_name(obj: Any) -> str | None:
        return _shown(obj, "name")

    @staticmethod
    def resolve_identifier(obj: Any) -> str | None:
        return _shown(obj, "identifier")


class SubjectIn(StrictSchema):
    category: CategoryOfPersonnel
    nationality: str | None = Field(None, description="ISO 3166 alpha-3 code, e.g. BGD.")
    unit: str = Field("", max_length=200)
    rank: str = Field("", max_length=100)
    name: str | None = Field(None, max_length=2000, description="Stored encrypted.")
    identifier: str | None = Field(None, max_length=100, description="Stored encrypted.")


class VictimOut(Schema):
    id: int
    sex: Sex
    age_group: AgeGroup
    is_child: bool
    name: str | None = Field(..., description=IDENTITY_NOTE)
    contact: str | None = Field(..., description=IDENTITY_NOTE)
    created_at: datetime

    @staticmethod
    def resolve_name(obj: Any) -> str | None:
        return _shown(obj, "name")

    @staticmethod
    def resolve_contact(obj: Any) -> str | None:
        return _shown(obj, "contact")


class VictimIn(StrictSchema):
    sex: Sex = Sex.UNKNOWN
    age_group: AgeGroup = AgeGroup.UNKNOWN
    is_child: bool = False
    name: str | None = Field(None, max_length=2000, description="Stored encrypted.")
    contact: str | None = Field(None, max_length=2000, description="Stored encrypted.")


class WitnessOut(Schema):
    id: int
    name: str | None = Field(..., description=IDENTITY_NOTE)
    contact: str | None = Field(..., description=IDENTITY_NOTE)
    created_at: datetime

    @staticmethod
    def resolve_name(obj: Any) -> str | None:
        return _shown(obj, "name")

    @staticmethod
    def resolve_contact(obj: Any) -> str | None:
        return _shown(obj, "contact")


class WitnessIn(StrictSchema):
    name: str | None = Field(None, max_length=2000, description="Stored encrypted.")
    contact: str | None = Field(None, max_length=2000, description="Stored encrypted.")


# -- steps ------------------------------------------------------------------------------------


class ReferralOut(Schema):
    id: int
    target: ReferralTarget
    member_state: str | None = Field(..., description="ISO 3166 alpha-3 code.")
    note_verbale: str
    referred_on: date
    acknowledged_on: date | None = Field(..., description="When the Member State answered.")
    created_at: datetime

    @staticmethod
    def resolve_member_state(obj: Any) -> str | None:
        return obj.member_state_id


class ReferralIn(StrictSchema):
    target: ReferralTarget
    referred_on: date
    member_state: str | None = Field(None, description="Required for a Member State (alpha-3).")
    note_verbale: str = Field("", max_length=100)


class ReferralAnswerIn(StrictSchema):
    answered_on: date


class InvestigationOut(Schema):
    id: int
    body: InvestigatingBody
    member_state: str | None = Field(..., description="ISO 3166 alpha-3 code.")
    nio_name: str | None = Field(..., description=IDENTITY_NOTE)
    started_on: date
    completed_on: date | None
    duration_days: int | None = Field(..., description="To completion, or so far.")
    created_at: datetime

    @staticmethod
    def resolve_member_state(obj: Any) -> str | None:
        return obj.member_state_id

    @staticmethod
    def resolve_nio_name(obj: Any) -> str | None:
        return _shown(obj, "nio_name")


class InvestigationIn(StrictSchema):
    body: InvestigatingBody
    started_on: date
    member_state: str | None = Field(None, description="For a Member State or joint body.")
    nio_name: str | None = Field(None, max_length=2000, description="Stored encrypted.")


class OfficerIn(StrictSchema):
    nio_name: str = Field(..., min_length=1, max_length=2000, description="Stored encrypted.")


class CompletionIn(StrictSchema):
    completed_on: date


class InterimMeasureOut(Schema):
    id: int
    subject: int | None = Field(..., description="Subject id; null for a whole unit.")
    kind: InterimMeasureKind
    decided_on: date
    ended_on: date | None
    authority: str
    created_at: datetime

    @staticmethod
    def resolve_subject(obj: Any) -> int | None:
        return obj.subject_id


class InterimMeasureIn(StrictSchema):
    kind: InterimMeasureKind
    decided_on: date
    subject: int | None = Field(None, description="Subject id; leave out for a whole unit.")
    authority: str = Field("", max_length=200)


class FindingOut(Schema):
    id: int
    subject: int
    outcome: FindingOutcome
    decided_on: date
    authority: str
    created_at: datetime

    @staticmethod
    def resolve_subject(obj: Any) -> int:
        return obj.subject_id


class FindingIn(StrictSchema):
    subject: int = Field(..., description="Subject id.")
    outcome: FindingOutcome
    decided_on: date
    authority: str = Field(..., max_length=200)


class ActionOut(Schema):
    id: int
    subject: int
    kind: ActionKind
    decided_on: date
    authority: str
    created_at: datetime

    @staticmethod
    def resolve_subject(obj: Any) -> int:
        return obj.subject_id


class ActionIn(StrictSchema):
    subject: int = Field(..., description="Subject id.")
    kind: ActionKind
    decided_on: date
    authority: str = Field(..., max_length=200)
