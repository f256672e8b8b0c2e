"""Victim support API: /api/v1/victims, /api/v1/paternity-claims, /api/v1/service-providers.

Every lookup goes through ``blueledger.support.access``. A record the caller may not see answers
404 exactly like a missing one. The conduct officer of the allegation sees a victim's minimal
summary and nothing else of it: the rest answers 403, as do collections and writes for roles
that have none of them. Writes call the support actions; their refusals answer 422 naming the
field (``consent`` when a consent is not in force), and as each action runs in one transaction
nothing is half-saved. Names are returned only in the full record, each read audited.
"""

from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.audit import events as audit
from blueledger.cases import access as cases_access
from blueledger.core.schemas import ErrorOut, InvalidOut, answers_invalid
from blueledger.deadlines.models import Obligation, ObligationKind

from . import access, actions
from .models import (
    AssistanceReferral,
    Child,
    Consent,
    PaternityClaim,
    ServiceProvider,
    SupportRecord,
)
from .schemas import (
    AdvocateIn,
    ChildIn,
    ChildOut,
    ClaimDetailOut,
    ClaimFilters,
    ClaimIn,
    ClaimOut,
    ClaimStepIn,
    ConsentIn,
    ConsentOut,
    ConsentsOut,
    FirstContactIn,
    NeedsIn,
    PaymentIn,
    PaymentOut,
    PlanIn,
    ProviderFilters,
    ProviderIn,
    ProviderOut,
    ReferralIn,
    ReferralOut,
    ReferralUpdateIn,
    VictimDetailOut,
    VictimFilters,
    VictimItemOut,
    VictimOut,
    VictimSummaryOut,
)
from .vocabularies import ConsentPurpose, ReferralStatus

router = Router(tags=["victim support"])

READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 422: InvalidOut}


# -- helpers ----------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # Every route is authenticated (bearer token or session) before it runs.
    return cast(User, request.user)


def _advocate(request: HttpRequest) -> User:
    user = _user(request)
    if not access.is_advocate(user):
        raise PermissionDenied(_("Only victims' advocates work on victim support."))
    return user


def _supported(request: HttpRequest, record_id: int) -> tuple[User, SupportRecord]:
    """The record for an advocate of scope; 403 to the conduct officer who sees its summary."""
    user = _user(request)
    try:
        return user, access.support_record_for(user, record_id)
    except Http404:
        access.summary_record_for(user, record_id)  # 404 unless they may see the summary
        raise PermissionDenied(_("Only victims' advocates of its scope see this.")) from None


def _object_id() -> Cast:
    return Cast(OuterRef("pk"), output_field=CharField())


def _due(kind: str, model: type[Any]) -> Subquery:
    pending = Obligation.objects.open().filter(
        kind=kind, content_type=ContentType.objects.get_for_model(model), object_id=_object_id()
    )
    return Subquery(pending.order_by("due_at").values("due_at")[:1])


def _with_state(records: QuerySet[SupportRecord]) -> QuerySet[SupportRecord]:
    """Annotate each record with its consents in force, referral counts and first-contact due."""
    consents = {
        f"consent_{purpose}": Subquery(
            Consent.objects.filter(record=OuterRef("pk"), purpose=purpose)
            .order_by("-recorded_at", "-id")
            .values("given")[:1]
        )
        for purpose in ConsentPurpose.values
    }
    counts = {
        f"referrals_{status}": Coalesce(
            Subquery(
                AssistanceReferral.objects.filter(record=OuterRef("pk"), status=status)
                .order_by()
                .values("record")
                .annotate(n=Count("id"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )
        for status in ReferralStatus.values
    }
    return records.annotate(
        first_contact_due=_due(ObligationKind.VICTIM_FIRST_CONTACT, SupportRecord),
        **consents,
        **counts,
    ).select_related("mission", "advocate", "victim__allegation", "child__mother__allegation")


def _reveal(user: User, record: SupportRecord, person: Any) -> str | None:
    """Return PERSON's name to an advocate of scope, one audit event per name read."""
    name = person.name
    if not name:
        return None
    audit.record(
        "support.identity_read",
        actor=user,
        target=person,
        organisation=record.organisation_id,
        summary=f"name of {person._meta.model_name} #{person.pk} via support record #{record.pk}",
    )
    return str(name)


def _children(user: User, record: SupportRecord, children: Any) -> list[Child]:
    shown = list(children.select_related("support", "mother__support").prefetch_related("claims"))
    for child in shown:
        child.shown_name = _reveal(user, record, child)  # type: ignore[attr-defined]
    return shown


def _full(user: User, record_id: int) -> SupportRecord:
    """The full record of an advocate of scope, ready for VictimDetailOut."""
    record = (
        _with_state(access.support_records_for(user))
        .select_related("first_contact_by", "child__mother__support")
        .prefetch_related("referrals__provider", "consents__recorded_by", "overrides__by")
        .get(pk=record_id)
    )
    person = record.victim if record.victim_id is not None else record.child
    record.shown_name = _reveal(user, record, person)  # type: ignore[attr-defined]
    mine = access.children_for(user)
    record.shown_children = (  # type: ignore[attr-defined]
        _children(user, record, mine.filter(mother_id=record.victim_id))
        if record.victim_id is not None
        else []
    )
    return record


def _summary(record: SupportRecord) -> VictimSummaryOut:
    counts = dict.fromkeys(ReferralStatus.values, 0)
    for status, n in (
        AssistanceReferral.objects.filter(record=record)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    ):
        counts[status] = n
    victim = record.victim if record.victim_id is not None else record.child.mother  # type: ignore[union-attr]
    return VictimSummaryOut(
        id=record.pk,
        kind="victim" if record.victim_id is not None else "child",
        allegation=victim.allegation.reference,  # type: ignore[union-attr]
        first_contact_made=record.first_contact_at is not None,
        first_contact_at=record.first_contact_at,
        advocate_assigned=record.advocate_id is not None,
        referrals_by_status=counts,
    )


def _mission(code: str | None) -> Mission | None:
    if not code:
        return None
    mission = Mission.objects.select_related("organisation").filter(code__iexact=code).first()
    if mission is None:
        raise ValidationError({"mission": _("No mission has this code.")})
    return mission


# -- support records --------------------------------------------------------------------------


@router.get(
    "/victims",
    response={200: list[VictimItemOut], 401: ErrorOut, 403: ErrorOut},
    url_name="support_records",
)
@paginate(LimitOffsetPagination)
def list_victims(request: HttpRequest, filters: Query[VictimFilters]) -> Any:
    """Support records of your scope (victims and children), newest known first; no names."""
    user = _advocate(request)
    records = access.support_records_for(user)
    if filters.awaiting_first_contact is not None:
        records = records.filter(first_contact_at__isnull=filters.awaiting_first_contact)
    if filters.mission:
        records = records.filter(mission__code__iexact=filters.mission)
    return _with_state(records.defer("needs_notes", "plan", "victim__name", "victim__contact"))


@router.get("/victims/{record_id}", response={200: VictimOut, **READ})
def get_victim(request: HttpRequest, record_id: int) -> Any:
    """The full support record (advocates of scope), or its minimal summary (conduct officer)."""
    user = _user(request)
    try:
        record = access.support_record_for(user, record_id)
    except Http404:
        return _summary(access.summary_record_for(user, record_id))
    full = _full(user, record.pk)
    full.view = "full"  # type: ignore[attr-defined]  # the tag of the response's union
    return full


@router.post("/victims/{record_id}/advocate", response={200: VictimDetailOut, **WRITE})
@answers_invalid
def assign_advocate(request: HttpRequest, record_id: int, payload: AdvocateIn) -> Any:
    """Assign the victims' advocate who follows this person."""
    user, record = _supported(request, record_id)
    chosen = User.objects.filter(username=payload.advocate, is_active=True).first()
    if chosen is None:
        raise ValidationError({"advocate": _("Choose a victims' advocate of this organisation.")})
    actions.assign_advocate(user, record, chosen)
    return _full(user, record.pk)


@router.post("/victims/{record_id}/first-contact", response={200: VictimDetailOut, **WRITE})
@answers_invalid
def first_contact(request: HttpRequest, record_id: int, payload: FirstContactIn) -> Any:
    """Record the first contact with the person; meets the 2-day deadline."""
    user, record = _supported(request, record_id)
    actions.record_first_contact(user, record, payload.at)
    return _full(user, record.pk)


@router.put("/victims/{record_id}/needs", response={200: VictimDetailOut, **WRITE})
@answers_invalid
def assess_needs(request: HttpRequest, record_id: int, payload: NeedsIn) -> Any:
    """Record the needs assessment: the kinds of assistance needed, with notes (sealed)."""
    user, record = _supported(request, record_id)
    actions.assess_needs(user, record, [n.value for n in payload.needs], payload.notes)
    return _full(user, record.pk)


@router.put("/victims/{record_id}/plan", response={200: VictimDetailOut, **WRITE})
@answers_invalid
def update_plan(request: HttpRequest, record_id: int, payload: PlanIn) -> Any:
    """Write the assistance plan (sealed)."""
    user, record = _supported(request, record_id)
    actions.update_plan(user, record, payload.plan)
    return _full(user, record.pk)


@router.get("/victims/{record_id}/consents", response={200: ConsentsOut, **READ})
def list_consents(request: HttpRequest, record_id: int) -> Any:
    """The consents in force and their whole history, oldest first."""
    _, record = _supported(request, record_id)
    history = list(record.consents.select_related("recorded_by"))  # type: ignore[attr-defined]
    in_force: dict[str, bool] = dict.fromkeys(ConsentPurpose.values, False)
    for consent in history:  # oldest first: the last one per purpose is in force
        in_force[consent.purpose] = consent.given
    return {"in_force": in_force, "history": history}


@router.post("/victims/{record_id}/consents", response={201: ConsentOut, **WRITE})
@answers_invalid
def record_consent(request: HttpRequest, record_id: int, payload: ConsentIn) -> Any:
    """Record a consent given or withdrawn; a withdrawal takes effect at once."""
    user, record = _supported(request, record_id)
    consent = actions.record_consent(
        user, record, payload.purpose.value, payload.given, payload.on, payload.method.value
    )
    return Status(201, consent)


@router.get("/victims/{record_id}/referrals", response={200: list[ReferralOut], **READ})
def list_referrals(request: HttpRequest, record_id: int) -> Any:
    """Assistance referrals of the person, oldest first."""
    _, record = _supported(request, record_id)
    return list(record.referrals.select_related("provider"))  # type: ignore[attr-defined]


@router.post("/victims/{record_id}/referrals", response={201: ReferralOut, **WRITE})
@answers_invalid
def refer(request: HttpRequest, record_id: int, payload: ReferralIn) -> Any:
    """Refer the person to a provider; needs consent to services (or an audited override)."""
    user, record = _supported(request, record_id)
    provider = access.providers_for(user).filter(pk=payload.provider).first()
    if provider is None:
        raise ValidationError({"provider": _("Choose a service provider of this organisation.")})
    referral = actions.refer_to_service(
        user,
        record,
        kind=payload.kind.value,
        provider=provider,
        referred_on=payload.referred_on,
        follow_up_on=payload.follow_up_on,
        notes=payload.notes,
        override_reason=payload.override_reason,
    )
    return Status(201, referral)


@router.post("/victims/{record_id}/referrals/{referral_id}", response={200: ReferralOut, **WRITE})
@answers_invalid
def update_referral(
    request: HttpRequest, record_id: int, referral_id: int, payload: ReferralUpdateIn
) -> Any:
    """Move a referral on: accepted, in progress, completed, declined or unavailable."""
    user, record = _supported(request, record_id)
    referral = record.referrals.select_related("provider").filter(pk=referral_id).first()  # type: ignore[attr-defined]
    if referral is None:
        raise Http404("No such referral.")
    referral.record = record
    return actions.update_referral(
        user,
        referral,
        status=payload.status.value,
        on=payload.on,
        follow_up_on=payload.follow_up_on,
        override_reason=payload.override_reason,
    )


@router.post("/victims/{record_id}/children", response={201: ChildOut, **WRITE})
@answers_invalid
def register_child(request: HttpRequest, record_id: int, payload: ChildIn) -> Any:
    """Register a child born of SEA on the mother's record; the child gets a record of their own."""
    user, record = _supported(request, record_id)
    if record.victim is None:
        raise ValidationError({"mother": _("Register a child on the mother's record.")})
    father = None
    if payload.alleged_father is not None:
        father = cases_access.subjects_for(user).filter(pk=payload.alleged_father).first()
        if father is None:
            raise ValidationError(
                {"alleged_father": _("The alleged father must be a subject of the allegation.")}
            )
    child = actions.register_child(
        user,
        record.victim,
        born_on=payload.born_on,
        sex=payload.sex.value,
        name=payload.name,
        alleged_father=father,
        needs=[n.value for n in payload.needs],
    )
    return Status(201, _children(user, record, access.children_for(user).filter(pk=child.pk))[0])


# -- paternity claims -------------------------------------------------------------------------


def _claims(claims: QuerySet[PaternityClaim]) -> QuerySet[PaternityClaim]:
    return claims.annotate(
        answer_due=_due(ObligationKind.PATERNITY_ANSWER, PaternityClaim)
    ).select_related("child__support", "child__mother__allegation", "child__mother__support")


def _shown(user: User, claim: PaternityClaim) -> PaternityClaim:
    """Mark whether USER sees what points to the mother and child (advocates of scope only)."""
    claim.shown = access.may_manage_claim(user, claim)  # type: ignore[attr-defined]
    return claim


def _claim(user: User, claim_id: int) -> PaternityClaim:
    access.claim_for(user, claim_id)  # 404 alike for missing and unseen
    found = _claims(access.claims_for(user)).prefetch_related("steps", "payments").get(pk=claim_id)
    return _shown(user, found)


class _ShownPagination(LimitOffsetPagination):
    """Limit-offset paging that marks each claim of the page for what its reader may see."""

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        user = _user(request)
        page[self.items_attribute] = [_shown(user, c) for c in page[self.items_attribute]]
        return page


@router.get(
    "/paternity-claims",
    response={200: list[ClaimOut], 401: ErrorOut, 403: ErrorOut},
    url_name="support_claims",
)
@paginate(_ShownPagination)
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]) -> Any:
    """Claims of your scope; Member State liaisons see those against their nationals, anonymous."""
    user = _user(request)
    if not (
        access.is_advocate(user)
        or any(a.role == Role.MEMBER_STATE_LIAISON for a in user.assignments_cached())
    ):
        raise PermissionDenied(_("Your role does not see paternity claims."))
    claims = access.claims_for(user)
    if filters.stage is not None:
        claims = claims.filter(stage=filters.stage.value)
    if filters.member_state:
        claims = claims.filter(member_state_id=filters.member_state.upper())
    return _claims(claims)


@router.post("/paternity-claims", response={201: ClaimDetailOut, **WRITE})
@answers_invalid
def open_claim(request: HttpRequest, payload: ClaimIn) -> Any:
    """Register a paternity claim for a child; needs the mother's recorded wish (consent)."""
    user = _advocate(request)
    child = (
        access.children_for(user)
        .select_related("mother__allegation", "alleged_father")
        .filter(pk=payload.child)
        .first()
    )
    if child is None:
        raise ValidationError({"child": _("Choose a child whose support you follow.")})
    claim = actions.open_claim(
        user, child, registered_on=payload.registered_on, override_reason=payload.override_reason
    )
    return Status(201, _claim(user, claim.pk))


@router.get("/paternity-claims/{claim_id}", response={200: ClaimDetailOut, **READ})
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    """One claim with its steps, payments, arrears and the Member State's answer due."""
    return _claim(_user(request), claim_id)


def _managed_claim(request: HttpRequest, claim_id: int) -> tuple[User, PaternityClaim]:
    user = _user(request)
    claim = access.claim_for(user, claim_id)
    if not access.may_manage_claim(user, claim):
        raise PermissionDenied(_("Only victims' advocates of its scope may change this claim."))
    return user, claim


@router.post("/paternity-claims/{claim_id}/steps", response={200: ClaimDetailOut, **WRITE})
@answers_invalid
def advance_claim(request: HttpRequest, claim_id: int, payload: ClaimStepIn) -> Any:
    """Move the claim to its next stage, dated; referral starts the Member State's 90 days."""
    user, claim = _managed_claim(request, claim_id)
    actions.advance_claim(
        user,
        claim,
        payload.stage.value,
        on=payload.on,
        note=payload.note,
        monthly_support=payload.monthly_support,
        currency=payload.currency,
        support_from=payload.support_from,
        override_reason=payload.override_reason,
    )
    return _claim(user, claim.pk)


@router.post("/paternity-claims/{claim_id}/payments", response={201: PaymentOut, **WRITE})
@answers_invalid
def record_payment(request: HttpRequest, claim_id: int, payload: PaymentIn) -> Any:
    """Record a child-support payment received on a claim with support ordered."""
    user, claim = _managed_claim(request, claim_id)
    payment = actions.record_payment(user, claim, paid_on=payload.paid_on, amount=payload.amount)
    return Status(201, payment)


# -- service providers ------------------------------------------------------------------------


@router.get(
    "/service-providers",
    response={200: list[ProviderOut], 401: ErrorOut, 403: ErrorOut},
    url_name="support_providers",
)
@paginate(LimitOffsetPagination)
def list_providers(request: HttpRequest, filters: Query[ProviderFilters]) -> Any:
    """Service providers of your organisation, by name."""
    user = _advocate(request)
    providers = access.providers_for(user).select_related("organisation", "mission")
    if filters.mission:
        providers = providers.filter(
            Q(mission__isnull=True) | Q(mission__code__iexact=filters.mission)
        )
    if filters.kind is not None:
        # The JSON list's text holds each service quoted; the kind is a vocabulary code.
        providers = providers.filter(services__icontains=f'"{filters.kind.value}"')
    return providers


@router.post("/service-providers", response={201: ProviderOut, **WRITE})
@answers_invalid
def add_provider(request: HttpRequest, payload: ProviderIn) -> Any:
    """Add a provider to your organisation's directory, for one mission or all of them."""
    user = _advocate(request)
    mission = _mission(payload.mission)
    if payload.organisation:
        organisation = Organisation.objects.filter(code=payload.organisation).first()
        if organisation is None:
            raise ValidationError({"organisation": _("No organisation has this code.")})
    elif mission is not None:
        organisation = mission.organisation
    else:
        organisation = next(
            a.organisation for a in user.assignments_cached() if a.role == Role.VICTIMS_ADVOCATE
        )
    provider = actions.add_provider(
        user,
        organisation=organisation,
        mission=mission,
        name=payload.name,
        services=[s.value for s in payload.services],
        contact=payload.contact,
    )
    found: ServiceProvider = (
        access.providers_for(user).select_related("organisation", "mission").get(pk=provider.pk)
    )
    return Status(201, found)
