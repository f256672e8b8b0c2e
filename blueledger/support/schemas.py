"""Request and response bodies of /api/v1/victims, /paternity-claims and /service-providers.

Lists never carry a name. A victim's or child's name is returned only in the full record, to a
victims' advocate of scope, each read audited. The conduct officer of the allegation gets the
minimal summary (its own schema, `view: "summary"`); Member State liaisons get claims with every
field that could point to the mother or child left null.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from blueledger.cases.vocabularies import Sex
from blueledger.core import clock
from blueledger.core.schemas import StrictSchema

from .actions import arrears
from .vocabularies import (
    AssistanceType,
    ClaimStage,
    ConsentMethod,
    ConsentPurpose,
    ReferralStatus,
)

ADVOCATES_ONLY = "Null unless you are a victims' advocate of the claim's scope."


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _counts(obj: Any) -> dict[str, int]:
    return {status: getattr(obj, f"referrals_{status}", 0) or 0 for status in ReferralStatus.values}


# -- errors -----------------------------------------------------------------------------------


# -- service providers ------------------------------------------------------------------------


class ProviderOut(Schema):
    id: int
    organisation: str = Field(..., description="Organisation code.")
    mission: str | None = Field(..., description="Mission code; null serves every mission.")
    name: str
    services: list[AssistanceType]
    contact: str
    active: bool

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_mission(obj: Any) -> str | None:
        return obj.mission.code if obj.mission_id else None


class ProviderIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=200)
    mission: str | None = Field(None, description="Mission code; leave out for every mission.")
    organisation: str | None = Field(
        None, description="Organisation code; defaults to the mission's, else your own."
    )
    services: list[AssistanceType] = Field(..., min_length=1)
    contact: str = Field("", max_length=500)


class ProviderFilters(Schema):
    mission: str | None = Field(
        None, description="Mission code: its providers and all-mission ones."
    )
    kind: AssistanceType | None = Field(None, description="Providers offering this assistance.")


# -- support records --------------------------------------------------------------------------


class VictimFilters(Schema):
    awaiting_first_contact: bool | None = Field(
        None, description="true: no first contact yet; false: contacted."
    )
    mission: str | None = Field(None, description="Mission code, e.g. MONUSCO.")


class VictimItemOut(Schema):
    """One support record in a list: never a name."""

    id: int
    kind: Literal["victim", "child"]
    allegation: str = Field(..., description="Reference of the allegation.")
    mission: str | None = Field(..., description="Mission code, if any.")
    advocate: str | None = Field(..., description="Username of the advocate following them.")
    known_since: datetime
    first_contact_at: datetime | None
    first_contact_due: datetime | None = Field(
        ..., description="Due time of the open first-contact deadline, if any."
    )
    needs: list[AssistanceType]
    consents: dict[str, bool] = Field(..., description="Purpose -> whether consent is in force.")
    referrals_by_status: dict[str, int]

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return "victim" if obj.victim_id is not None else "child"

    @staticmethod
    def resolve_allegation(obj: Any) -> str:
        victim = obj.victim if obj.victim_id is not None else obj.child.mother
        return str(victim.allegation.reference)

    @staticmethod
    def resolve_mission(obj: Any) -> str | None:
        return obj.mission.code if obj.mission_id else None

    @staticmethod
    def resolve_advocate(obj: Any) -> str | None:
        return _username(obj.advocate)

    @staticmethod
    def resolve_consents(obj: Any) -> dict[str, bool]:
        return {p: bool(getattr(obj, f"consent_{p}", False)) for p in ConsentPurpose.values}

    @staticmethod
    def resolve_referrals_by_status(obj: Any) -> dict[str, int]:
        return _counts(obj)


class ConsentOut(Schema):
    id: int
    purpose: ConsentPurpose
    given: bool = Field(..., description="False is a withdrawal.")
    on: date
    method: ConsentMethod
    recorded_by: str
    recorded_at: datetime

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str:
        return str(obj.recorded_by.get_username())


class ConsentsOut(Schema):
    in_force: dict[str, bool] = Field(..., description="Purpose -> whether consent is in force.")
    history: list[ConsentOut] = Field(..., description="Oldest first.")


class ConsentIn(StrictSchema):
    purpose: ConsentPurpose
    given: bool = Field(..., description="false records a withdrawal, effective at once.")
    on: date = Field(..., description="When the person gave or withdrew it; not in the future.")
    method: ConsentMethod


class OverrideOut(Schema):
    id: int
    purpose: ConsentPurpose
    action: str
    reason: str
    by: str
    at: datetime

    @staticmethod
    def resolve_by(obj: Any) -> str:
        return str(obj.by.get_username())


class ReferralOut(Schema):
    id: int
    kind: AssistanceType
    provider: int = Field(..., description="Service provider id.")
    provider_name: str
    status: ReferralStatus
    referred_on: date
    accepted_on: date | None
    first_service_on: date | None
    completed_on: date | None
    follow_up_on: date | None
    notes: str | None

    @staticmethod
    def resolve_provider(obj: Any) -> int:
        return int(obj.provider_id)

    @staticmethod
    def resolve_provider_name(obj: Any) -> str:
        return str(obj.provider.name)


class ReferralIn(StrictSchema):
    kind: AssistanceType
    provider: int = Field(..., description="Service provider id (one offering KIND).")
    referred_on: date
    follow_up_on: date | None = None
    notes: str = Field("", max_length=10_000, description="Stored encrypted.")
    override_reason: str = Field(
        "", max_length=500, description="To refer without consent to services (permission)."
    )


class ReferralUpdateIn(StrictSchema):
    status: ReferralStatus
    on: date = Field(..., description="When the referral reached STATUS.")
    follow_up_on: date | None = None
    override_reason: str = Field("", max_length=500)


class ChildOut(Schema):
    id: int
    record: int | None = Field(..., description="The child's own support record.")
    mother_record: int | None = Field(..., description="The mother's support record.")
    name: str | None
    sex: Sex
    born_on: date = Field(..., description="Approximate birth date.")
    alleged_father: int | None = Field(..., description="Subject id.")
    needs: list[AssistanceType]
    claims: list[int] = Field(..., description="Paternity claim ids.")

    @staticmethod
    def resolve_record(obj: Any) -> int | None:
        return getattr(getattr(obj, "support", None), "pk", None)

    @staticmethod
    def resolve_mother_record(obj: Any) -> int | None:
        return getattr(getattr(obj.mother, "support", None), "pk", None)

    @staticmethod
    def resolve_name(obj: Any) -> str | None:
        return getattr(obj, "shown_name", None)

    @staticmethod
    def resolve_alleged_father(obj: Any) -> int | None:
        return obj.alleged_father_id

    @staticmethod
    def resolve_claims(obj: Any) -> list[int]:
        return [claim.pk for claim in obj.claims.all()]


class ChildIn(StrictSchema):
    born_on: date = Field(..., description="Approximate: the first of the month if only that.")
    sex: Sex = Sex.UNKNOWN
    name: str = Field("", max_length=200, description="Stored encrypted.")
    alleged_father: int | None = Field(None, description="Subject id of the mother's allegation.")
    needs: list[AssistanceType] = []


class VictimDetailOut(VictimItemOut):
    """The full support record, for victims' advocates of scope."""

    view: Literal["full"] = "full"
    name: str | None = Field(..., description="The victim's or child's name; each read audited.")
    mother_record: int | None = Field(..., description="For a child: the mother's record.")
    first_contact_by: str | None
    needs_notes: str | None
    needs_assessed_at: datetime | None
    plan: str | None
    plan_updated_at: datetime | None
    referrals: list[ReferralOut]
    consent_history: list[ConsentOut]
    overrides: list[OverrideOut]
    children: list[ChildOut]

    @staticmethod
    def resolve_name(obj: Any) -> str | None:
        return getattr(obj, "shown_name", None)

    @staticmethod
    def resolve_mother_record(obj: Any) -> int | None:
        if obj.child_id is None:
            return None
        return getattr(getattr(obj.child.mother, "support", None), "pk", None)

    @staticmethod
    def resolve_first_contact_by(obj: Any) -> str | None:
        return _username(obj.first_contact_by)

    @staticmethod
    def resolve_referrals(obj: Any) -> list[Any]:
        return list(obj.referrals.all())

    @staticmethod
    def resolve_consent_history(obj: Any) -> list[Any]:
        return list(obj.consents.all())

    @staticmethod
    def resolve_overrides(obj: Any) -> list[Any]:
        return list(obj.overrides.all())

    @staticmethod
    def resolve_children(obj: Any) -> list[Any]:
        return list(getattr(obj, "shown_children", []))


class VictimSummaryOut(Schema):
    """What the conduct officer of the allegation may know of a victim's support: no more."""

    view: Literal["summary"] = "summary"
    id: int
    kind: Literal["victim", "child"]
    allegation: str = Field(..., description="Reference of the allegation.")
    first_contact_made: bool
    first_contact_at: datetime | None
    advocate_assigned: bool
    referrals_by_status: dict[str, int]


VictimOut = Annotated[VictimDetailOut | VictimSummaryOut, Field(discriminator="view")]


class AdvocateIn(StrictSchema):
    advocate: str = Field(..., min_length=1, max_length=150, description="Username.")


class FirstContactIn(StrictSchema):
    at: AwareDatetime = Field(..., description="When the contact was made, with its time zone.")


class NeedsIn(StrictSchema):
    needs: list[AssistanceType]
    notes: str = Field("", max_length=10_000, description="Stored encrypted.")


class PlanIn(StrictSchema):
    plan: str = Field(..., min_length=1, max_length=10_000, description="Stored encrypted.")


# -- paternity claims -------------------------------------------------------------------------


class ClaimFilters(Schema):
    stage: ClaimStage | None = None
    member_state: str | None = Field(None, description="ISO 3166 alpha-3 code, e.g. BGD.")


class ClaimStepOut(Schema):
    stage: ClaimStage
    on: date
    note: str | None = Field(..., description=ADVOCATES_ONLY)

    @staticmethod
    def resolve_note(obj: Any) -> str | None:
        return obj.note if getattr(obj, "shown", False) else None


class PaymentOut(Schema):
    id: int
    paid_on: date
    amount: Decimal


class ClaimOut(Schema):
    """A claim; to a Member State liaison, without anything pointing to the mother or child."""

    id: int
    stage: ClaimStage
    stage_on: date
    registered_on: date
    member_state: str | None = Field(..., description="The alleged father's nationality.")
    answer_due: datetime | None = Field(
        ..., description="When the Member State's answer is due, while it is awaited."
    )
    monthly_support: Decimal | None
    currency: str
    support_from: date | None
    allegation: str | None = Field(..., description=ADVOCATES_ONLY)
    child: int | None = Field(..., description=ADVOCATES_ONLY)
    child_record: int | None = Field(..., description=ADVOCATES_ONLY)
    mother_record: int | None = Field(..., description=ADVOCATES_ONLY)

    @staticmethod
    def resolve_member_state(obj: Any) -> str | None:
        return obj.member_state_id

    @staticmethod
    def resolve_answer_due(obj: Any) -> datetime | None:
        return getattr(obj, "answer_due", None)

    @staticmethod
    def resolve_allegation(obj: Any) -> str | None:
        return obj.child.mother.allegation.reference if obj.shown else None

    @staticmethod
    def resolve_child(obj: Any) -> int | None:
        return obj.child_id if obj.shown else None

    @staticmethod
    def resolve_child_record(obj: Any) -> int | None:
        return getattr(getattr(obj.child, "support", None), "pk", None) if obj.shown else None

    @staticmethod
    def resolve_mother_record(obj: Any) -> int | None:
        if not obj.shown:
            return None
        return getattr(getattr(obj.child.mother, "support", None), "pk", None)


class ClaimDetailOut(ClaimOut):
    steps: list[ClaimStepOut] = Field(..., description="Oldest first.")
    payments: list[PaymentOut]
    support_due: Decimal = Field(..., description="Owed by today since support was due.")
    arrears: Decimal = Field(..., description="Owed and not paid by today.")

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        steps = list(obj.steps.all())
        for step in steps:
            step.shown = obj.shown
        return steps

    @staticmethod
    def resolve_payments(obj: Any) -> list[Any]:
        return list(obj.payments.all())

    @staticmethod
    def resolve_support_due(obj: Any) -> Decimal:
        return Decimal(obj.support_due(clock.now().date()))

    @staticmethod
    def resolve_arrears(obj: Any) -> Decimal:
        return arrears(obj, clock.now().date())


class ClaimIn(StrictSchema):
    child: int = Field(..., description="Child id.")
    registered_on: date
    override_reason: str = Field(
        "", max_length=500, description="To act without the mother's recorded wish (permission)."
    )


class ClaimStepIn(StrictSchema):
    stage: ClaimStage
    on: date
    note: str = Field("", max_length=10_000, description="Stored encrypted.")
    monthly_support: Decimal | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="For support_ordered."
    )
    currency: str = Field("", max_length=3, description="For support_ordered, e.g. USD.")
    support_from: date | None = Field(None, description="For support_ordered.")
    override_reason: str = Field("", max_length=500)


class PaymentIn(StrictSchema):
    paid_on: date
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
