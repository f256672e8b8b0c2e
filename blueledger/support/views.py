"""Victim support pages for victims' advocates: dashboard, records, claims and providers.

Every page is for advocates only (anyone else gets 403, the conduct officer included: their minimal
summary is in the API). Records are looked up through ``blueledger.support.access`` (out of scope
answers 404); every change calls the matching action, one action per POST.
"""

import calendar
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blueledger.accounts.models import Mission, User
from blueledger.accounts.roles import Role
from blueledger.audit import events as audit
from blueledger.core import clock
from blueledger.deadlines.models import PENDING_STATES, Obligation, ObligationKind

from . import actions, forms
from .access import (
    children_for,
    claim_for,
    claims_for,
    is_advocate,
    may_manage_claim,
    support_record_for,
    support_records_for,
)
from .models import AssistanceReferral, Child, PaternityClaim, ServiceProvider, SupportRecord
from .vocabularies import (
    CLAIM_TRANSITIONS,
    CLOSED_STATUSES,
    WAITING_STATUSES,
    AssistanceType,
    ClaimStage,
    ConsentPurpose,
)

PAGE_SIZE = 50
PANEL_SIZE = 50
ENDED_WITHOUT_SUPPORT = frozenset({ClaimStage.WITHDRAWN, ClaimStage.NOT_ESTABLISHED})
# Sealed fields a list never shows: not decrypted, not even loaded.
SEALED = ("needs_notes", "plan", "victim__name", "victim__contact", "child__name")


def _advocate(request: HttpRequest) -> User:
    """The signed-in user, who must be a victims' advocate (anyone else: 403)."""
    user: User = request.user  # type: ignore[assignment]
    if not is_advocate(user):
        raise PermissionDenied
    return user


def _add_errors(form: Form, exc: ValidationError) -> None:
    """Put an action's errors on the form fields they name, the rest on the form itself."""
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _may_override(user: User) -> bool:
    return user.has_perm(actions.OVERRIDE_PERMISSION)


def _reference(record: SupportRecord) -> str:
    """The allegation reference of RECORD's person (the mother's allegation for a child)."""
    if record.victim_id is not None:
        return record.victim.allegation.reference  # type: ignore[union-attr]
    return record.child.mother.allegation.reference  # type: ignore[union-attr]


def _first_contact_due() -> Subquery:
    """The due time of a record's pending first-contact obligation, read in the same query."""
    return Subquery(
        Obligation.objects.filter(
            kind=ObligationKind.VICTIM_FIRST_CONTACT,
            content_type__app_label="support",
            content_type__model="supportrecord",
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            state__in=PENDING_STATES,
        ).values("due_at")[:1]
    )


def _listed(records: QuerySet[SupportRecord]) -> QuerySet[SupportRecord]:
    """RECORDS with what a row shows, in one query, sealed fields left unread."""
    return (
        records.select_related(
            "victim__allegation", "child__mother__allegation", "mission", "advocate"
        )
        .defer(*SEALED)
        .annotate(first_contact_due=_first_contact_due())
    )


def _awaiting(records: Any) -> Any:
    """Victims not yet contacted (a child's record starts with the advocate already there)."""
    return records.awaiting_first_contact().filter(victim__isnull=False)


def _months_before(day: date, months: int) -> date:
    """DAY moved back by MONTHS calendar months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def age_band(band: str, today: date) -> Q:
    """Claims whose registration falls in BAND (forms.AGE_BANDS) as of TODAY."""
    three_months, a_year, three_years = (_months_before(today, m) for m in (3, 12, 36))
    return {
        "lt3m": Q(registered_on__gt=three_months),
        "3to12m": Q(registered_on__gt=a_year, registered_on__lte=three_months),
        "1to3y": Q(registered_on__gt=three_years, registered_on__lte=a_year),
        "gt3y": Q(registered_on__lte=three_years),
    }[band]


def _advocate_assignments(user: User) -> list[Any]:
    return [a for a in user.assignments_cached() if a.role == Role.VICTIMS_ADVOCATE]


def _missions_of_scope(user: User) -> list[Mission]:
    """The missions an advocate works in: all of an organisation's, or the one assigned."""
    condition = Q(pk__in=[])
    for a in _advocate_assignments(user):
        if a.mission_id is None:
            condition |= Q(organisation_id=a.organisation_id)
        else:
            condition |= Q(pk=a.mission_id)
    return list(Mission.objects.filter(condition).order_by("code"))


def _providers_of_scope(user: User) -> QuerySet[ServiceProvider]:
    """The directory an advocate reads: providers of their organisation (and mission)."""
    condition = Q(pk__in=[])
    for a in _advocate_assignments(user):
        scope = Q(organisation_id=a.organisation_id)
        if a.mission_id is not None:
            scope &= Q(mission__isnull=True) | Q(mission_id=a.mission_id)
        condition |= scope
    return ServiceProvider.objects.filter(condition)


# -- the dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BandCell:
    count: int
    url: str


@dataclass(frozen=True)
class StageRow:
    stage: Any
    cells: list[BandCell]
    total: int


def _claims_by_stage_and_age(claims: QuerySet[PaternityClaim], today: date) -> list[StageRow]:
    """Count the claims per stage and age band in one query; each count links to its list."""
    bands = list(forms.AGE_BANDS)
    counts: dict[str, Any] = {
        row["stage"]: row
        for row in claims.order_by()
        .values("stage")
        .annotate(
            **{f"band{i}": Count("pk", filter=age_band(b, today)) for i, b in enumerate(bands)}
        )
    }
    base = reverse("support:claims")
    rows = []
    for value, label in ClaimStage.choices:
        found = counts.get(value, {})
        cells = [
            BandCell(int(found.get(f"band{i}", 0)), f"{base}?stage={value}&age={band}")
            for i, band in enumerate(bands)
        ]
        rows.append(StageRow(label, cells, sum(c.count for c in cells)))
    return rows


def _waiting_referrals(user: User, today: date) -> list[AssistanceReferral]:
    referrals = list(
        AssistanceReferral.objects.filter(
            record__in=support_records_for(user).values("pk"),
            status__in=sorted(WAITING_STATUSES),
        )
        .select_related(
            "provider", "record__victim__allegation", "record__child__mother__allegation"
        )
        .defer("notes", *(f"record__{f}" for f in SEALED))
        .order_by("referred_on", "id")[: PANEL_SIZE + 1]
    )
    for referral in referrals:
        referral.days_waiting = (today - referral.referred_on).days  # type: ignore[attr-defined]
        referral.reference = _reference(referral.record)  # type: ignore[attr-defined]
        referral.follow_up_overdue = bool(  # type: ignore[attr-defined]
            referral.follow_up_on and referral.follow_up_on < today
        )
    return referrals


def _children_needs(records: QuerySet[SupportRecord]) -> tuple[int, list[tuple[Any, int]]]:
    """How many children have records, and how many of them need each type of assistance."""
    needs = list(records.filter(child__isnull=False).values_list("needs", flat=True))
    counted: Counter[str] = Counter(n for listed in needs for n in set(listed or []))
    return len(needs), [(label, counted.get(value, 0)) for value, label in AssistanceType.choices]


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The advocate's desk: first contacts due, referrals waiting, claims, children's needs."""
    user = _advocate(request)
    now = clock.now()
    today = now.date()
    records: Any = support_records_for(user)
    awaiting = list(_listed(_awaiting(records)).order_by("known_since", "id")[: PANEL_SIZE + 1])
    for record in awaiting:
        record.reference = _reference(record)  # type: ignore[attr-defined]
        due = record.first_contact_due  # type: ignore[attr-defined]
        record.overdue = due is not None and due < now  # type: ignore[attr-defined]
    referrals = _waiting_referrals(user, today)
    children, needs = _children_needs(records)
    context = {
        "awaiting": awaiting[:PANEL_SIZE],
        "awaiting_more": len(awaiting) > PANEL_SIZE,
        "referrals": referrals[:PANEL_SIZE],
        "referrals_more": len(referrals) > PANEL_SIZE,
        "bands": list(forms.AGE_BANDS.values()),
        "claims": _claims_by_stage_and_age(claims_for(user), today),
        "children": children,
        "needs": needs,
    }
    return render(request, "support/dashboard.html", context)


# -- the list of records --------------------------------------------------------------------------


@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    """List the support records in scope, filtered and searched, 50 a page."""
    user = _advocate(request)
    now = clock.now()
    missions = [m.code for m in _missions_of_scope(user)]
    form = forms.RecordFilterForm(request.GET or None, missions=missions)
    records = _listed(support_records_for(user))
    if form.is_valid():
        data = form.cleaned_data
        if data["mission"]:
            records = records.filter(mission__code=data["mission"])
        if data["awaiting"]:
            records = _awaiting(records)
        if data["mine"]:
            records = records.filter(advocate=user)
        if data["q"]:
            reference = data["q"].strip()
            records = records.filter(
                Q(victim__allegation__reference__icontains=reference)
                | Q(child__mother__allegation__reference__icontains=reference)
            )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page:
        record.reference = _reference(record)  # type: ignore[attr-defined]
        due = record.first_contact_due  # type: ignore[attr-defined]
        record.overdue = due is not None and due < now  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "support/records.html", context)


# -- one record -----------------------------------------------------------------------------------


def _advocates_for(record: SupportRecord) -> list[User]:
    """The victims' advocates whose scope covers RECORD: who may be assigned to it."""
    covering = Q(
        assignments__role=Role.VICTIMS_ADVOCATE,
        assignments__organisation_id=record.organisation_id,
    ) & (Q(assignments__mission__isnull=True) | Q(assignments__mission_id=record.mission_id))
    return list(User.objects.filter(covering, is_active=True).distinct().order_by("username"))


def _providers_for(user: User, record: SupportRecord) -> list[ServiceProvider]:
    """Active providers a referral from RECORD may go to: its organisation, its mission or all."""
    return list(
        _providers_of_scope(user)
        .filter(organisation_id=record.organisation_id, active=True)
        .filter(Q(mission__isnull=True) | Q(mission_id=record.mission_id))
    )


def _subjects_of(record: SupportRecord) -> list[Any]:
    """The subjects of a victim's allegation, without identities: the possible fathers."""
    if record.victim is None:
        return []
    return list(record.victim.allegation.subjects.defer("name", "identifier").order_by("id"))


def _first_contact(user: User, record: SupportRecord, form: Any) -> str:
    actions.record_first_contact(user, record, form.cleaned_data["at"])
    return _("First contact recorded.")


def _assign(user: User, record: SupportRecord, form: Any) -> str:
    actions.assign_advocate(user, record, form.chosen())
    return _("Advocate assigned.")


def _assess(user: User, record: SupportRecord, form: Any) -> str:
    actions.assess_needs(user, record, form.cleaned_data["needs"], form.cleaned_data["notes"])
    return _("Needs assessment recorded.")


def _plan(user: User, record: SupportRecord, form: Any) -> str:
    actions.update_plan(user, record, form.cleaned_data["plan"])
    return _("Assistance plan saved.")


def _consent(user: User, record: SupportRecord, form: Any) -> str:
    data = form.cleaned_data
    actions.record_consent(user, record, data["purpose"], data["given"], data["on"], data["method"])
    if data["given"]:
        return _("Consent recorded.")
    return _("Withdrawal recorded; it takes effect at once.")


def _refer(user: User, record: SupportRecord, form: Any) -> str:
    data = form.cleaned_data
    actions.refer_to_service(
        user,
        record,
        kind=data["kind"],
        provider=form.chosen(),
        referred_on=data["referred_on"],
        follow_up_on=data["follow_up_on"],
        notes=data["notes"],
        override_reason=form.override_reason(),
    )
    return _("Referral recorded.")


def _child(user: User, record: SupportRecord, form: Any) -> str:
    data = form.cleaned_data
    child = actions.register_child(
        user,
        record.victim,  # type: ignore[arg-type]
        born_on=data["born_on"],
        sex=data["sex"],
        name=data["name"],
        alleged_father=form.chosen(),
        needs=data["needs"],
    )
    return _("Child #%(n)s registered.") % {"n": child.pk}


Builder = Callable[[User, SupportRecord, Any, str], Form]


@dataclass(frozen=True)
class Step:
    """A form on the record page: how to build it, the action it calls, its title."""

    build: Builder
    run: Callable[[User, SupportRecord, Any], str]
    title: Any
    victims_only: bool = False


STEPS: dict[str, Step] = {
    "first_contact": Step(
        lambda u, r, d, p: forms.FirstContactForm(d, prefix=p),
        _first_contact,
        _l("Record the first contact"),
    ),
    "advocate": Step(
        lambda u, r, d, p: forms.AdvocateForm(
            d, prefix=p, advocates=_advocates_for(r), initial={"advocate": r.advocate_id}
        ),
        _assign,
        _l("Assign an advocate"),
    ),
    "needs": Step(
        lambda u, r, d, p: forms.NeedsForm(
            d, prefix=p, initial={"needs": r.needs, "notes": r.needs_notes or ""}
        ),
        _assess,
        _l("Assess the needs"),
    ),
    "plan": Step(
        lambda u, r, d, p: forms.PlanForm(d, prefix=p, initial={"plan": r.plan or ""}),
        _plan,
        _l("Write the assistance plan"),
    ),
    "consent": Step(
        lambda u, r, d, p: forms.ConsentForm(d, prefix=p),
        _consent,
        _l("Record a consent or its withdrawal"),
    ),
    "refer": Step(
        lambda u, r, d, p: forms.ReferForm(
            d, prefix=p, providers=_providers_for(u, r), may_override=_may_override(u)
        ),
        _refer,
        _l("Refer to a service"),
    ),
    "child": Step(
        lambda u, r, d, p: forms.ChildForm(d, prefix=p, subjects=_subjects_of(r)),
        _child,
        _l("Register a child"),
        victims_only=True,
    ),
}


@dataclass(frozen=True)
class ShownForm:
    name: str
    title: Any
    url: str
    form: Form


def _record_page(
    request: HttpRequest,
    user: User,
    record: SupportRecord,
    *,
    bound: dict[str, Form] | None = None,
    shown_name: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render RECORD's page; BOUND forms (with their errors) replace the blank ones."""
    bound = bound or {}
    now = clock.now()
    today = now.date()
    may_override = _may_override(user)
    step_forms: dict[str, ShownForm] = {}
    for name, step in STEPS.items():
        if step.victims_only and record.victim_id is None:
            continue
        if name == "first_contact" and record.first_contact_at is not None:
            continue
        form = bound.get(name) or step.build(user, record, None, name)
        url = reverse("support:record_step", args=[record.pk, name])
        step_forms[name] = ShownForm(name, step.title, url, form)

    consents = list(record.consents.select_related("recorded_by"))
    current = {c.purpose: c for c in consents}  # ordered by time: the last one is in force
    consent_state = [(label, current.get(value)) for value, label in ConsentPurpose.choices]

    referrals = list(record.referrals.select_related("provider").order_by("referred_on", "id"))
    referral_rows = []
    for referral in referrals:
        update: Form | None = None
        if referral.status not in CLOSED_STATUSES:
            prefix = f"referral-{referral.pk}"
            update = bound.get(prefix) or forms.ReferralUpdateForm(
                prefix=prefix,
                may_override=may_override,
                initial={"follow_up_on": referral.follow_up_on},
            )
        url = reverse("support:referral_update", args=[record.pk, referral.pk])
        referral_rows.append(
            (referral, ShownForm(f"referral-{referral.pk}", "", url, update) if update else None)
        )

    children_rows = []
    child: Child | None = record.child
    mother_record = None
    if record.victim_id is not None:
        children = list(
            children_for(user)
            .filter(mother_id=record.victim_id)
            .select_related("support", "alleged_father__nationality")
            .defer("name", "support__needs_notes", "support__plan")
            .prefetch_related("claims")
        )
    else:
        children = [child] if child is not None else []
        mother_record = (
            support_records_for(user)
            .filter(victim_id=child.mother_id)  # type: ignore[union-attr]
            .values_list("pk", flat=True)
            .first()
        )
    for each in children:
        prefix = f"claim-{each.pk}"
        claims = list(each.claims.all())
        shown = None
        # One open claim per child: the form returns once it is withdrawn or not established.
        if prefix in bound or not any(c.stage not in ENDED_WITHOUT_SUPPORT for c in claims):
            claim_form = bound.get(prefix) or forms.OpenClaimForm(
                prefix=prefix, may_override=may_override
            )
            url = reverse("support:claim_open", args=[each.pk])
            shown = ShownForm(prefix, _l("Register a paternity claim"), url, claim_form)
        children_rows.append((each, claims, shown))

    due = (
        Obligation.objects.for_record(record)
        .filter(kind=ObligationKind.VICTIM_FIRST_CONTACT, state__in=PENDING_STATES)
        .values_list("due_at", flat=True)
        .first()
    )
    context = {
        "record": record,
        "reference": _reference(record),
        "person": record.victim or child,
        "shown_name": shown_name,
        "first_contact_due": due,
        "first_contact_overdue": due is not None and due < now,
        "forms": step_forms,
        "consent_state": consent_state,
        "consents": consents,
        "referrals": referral_rows,
        "children": children_rows,
        "mother_record": mother_record,
        "needs_labels": [
            AssistanceType(n).label for n in record.needs if n in AssistanceType.values
        ],
        "today": today,
        "may_override": may_override,
    }
    return render(request, "support/record.html", context, status=status)


@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one support record with a form for each step."""
    user = _advocate(request)
    return _record_page(request, user, support_record_for(user, pk))


@never_cache
@require_POST
def record_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the person's name to the advocate, the read audited."""
    user = _advocate(request)
    record = support_record_for(user, pk)
    person: Any = record.victim or record.child
    audit.record(
        "identity.read",
        actor=user,
        target=person,
        organisation=record.organisation_id,
        summary=f"{person._meta.label_lower}.name on support record #{record.pk}",
    )
    return _record_page(request, user, record, shown_name=person.name or "—")


@require_POST
def record_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take one step on a support record (one action), then go back to its page."""
    user = _advocate(request)
    record = support_record_for(user, pk)
    found = STEPS.get(step)
    if found is None or (found.victims_only and record.victim_id is None):
        raise Http404
    form = found.build(user, record, request.POST, step)
    if form.is_valid():
        try:
            message = found.run(user, record, form)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, message)
            return HttpResponseRedirect(reverse("support:record", args=[record.pk]))
    # The action may have changed the instance before failing: show the stored state.
    record = support_record_for(user, pk)
    return _record_page(request, user, record, bound={step: form}, status=400)


@require_POST
def referral_update(request: HttpRequest, pk: int, referral: int) -> HttpResponse:
    """Move one referral of a record on (accepted, in progress, completed...)."""
    user = _advocate(request)
    record = support_record_for(user, pk)
    found = record.referrals.filter(pk=referral).first()
    if found is None:
        raise Http404
    prefix = f"referral-{found.pk}"
    form = forms.ReferralUpdateForm(request.POST, prefix=prefix, may_override=_may_override(user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_referral(
                user,
                found,
                status=data["status"],
                on=data["on"],
                follow_up_on=data["follow_up_on"],
                override_reason=form.override_reason(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Referral updated."))
            return HttpResponseRedirect(reverse("support:record", args=[record.pk]))
    record = support_record_for(user, pk)
    return _record_page(request, user, record, bound={prefix: form}, status=400)


# -- claims ---------------------------------------------------------------------------------------


@require_POST
def claim_open(request: HttpRequest, child: int) -> HttpResponse:
    """Register a paternity claim for a child (the form on the record page)."""
    user = _advocate(request)
    found = (
        children_for(user).select_related("mother__allegation", "support").filter(pk=child).first()
    )
    if found is None:
        raise Http404
    prefix = f"claim-{found.pk}"
    form = forms.OpenClaimForm(request.POST, prefix=prefix, may_override=_may_override(user))
    if form.is_valid():
        try:
            claim = actions.open_claim(
                user,
                found,
                registered_on=form.cleaned_data["registered_on"],
                override_reason=form.override_reason(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Paternity claim #%(n)s registered.") % {"n": claim.pk})
            return HttpResponseRedirect(reverse("support:claim", args=[claim.pk]))
    # Show the errors on the page the form came from: the child's record or the mother's.
    mother = (
        support_records_for(user)
        .filter(victim_id=found.mother_id)
        .values_list("pk", flat=True)
        .first()
    )
    came_from = request.POST.get("from", "")
    target = found.support.pk if came_from == str(found.support.pk) else mother  # type: ignore[attr-defined]
    return _record_page(
        request, user, support_record_for(user, target), bound={prefix: form}, status=400
    )


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    """List the paternity claims in scope, by stage, Member State and age, 50 a page."""
    user = _advocate(request)
    today = clock.now().date()
    claims = claims_for(user)
    countries = list(
        claims.filter(member_state__isnull=False)
        .order_by("member_state__name")
        .values_list("member_state_id", "member_state__name")
        .distinct()
    )
    form = forms.ClaimFilterForm(request.GET or None, countries=countries)
    listed = claims.select_related("member_state", "child__support").defer(
        "child__name", "child__support__needs_notes", "child__support__plan"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["stage"]:
            listed = listed.filter(stage=data["stage"])
        if data["member_state"]:
            listed = listed.filter(member_state_id=data["member_state"])
        if data["age"]:
            listed = listed.filter(age_band(data["age"], today))
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    for claim in page:
        days = (today - claim.registered_on).days
        claim.age_months = days * 12 // 365  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "support/claims.html", context)


def _claim_page(
    request: HttpRequest,
    user: User,
    claim: PaternityClaim,
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    today = clock.now().date()
    may_override = _may_override(user)
    payments = list(claim.payments.all())
    paid = sum((p.amount for p in payments), start=0)
    advance = None
    if CLAIM_TRANSITIONS.get(claim.stage):
        advance = bound.get("advance") or forms.AdvanceClaimForm(
            prefix="advance", stage=claim.stage, may_override=may_override
        )
    payment = None
    if claim.stage == ClaimStage.SUPPORT_ORDERED:
        payment = bound.get("payment") or forms.PaymentForm(prefix="payment")
    child = claim.child
    records = support_records_for(user)
    context = {
        "claim": claim,
        "child": child,
        "child_record": records.filter(child=child).values_list("pk", flat=True).first(),
        "mother_record": records.filter(victim_id=child.mother_id)
        .values_list("pk", flat=True)
        .first(),
        "reference": child.mother.allegation.reference,
        "steps": list(claim.steps.select_related("recorded_by")),
        "payments": payments,
        "paid": paid,
        "due": claim.support_due(today),
        "arrears": actions.arrears(claim, today),
        "answer_due": Obligation.objects.for_record(claim)
        .filter(kind=ObligationKind.PATERNITY_ANSWER)
        .order_by("-opened_at")
        .first(),
        "now": clock.now(),
        "advance": advance,
        "payment": payment,
    }
    return render(request, "support/claim.html", context, status=status)


def _claim(user: User, pk: int) -> PaternityClaim:
    """A claim the advocate may manage; a liaison's view of it belongs to their portal."""
    claim = claim_for(user, pk)
    if not may_manage_claim(user, claim):
        raise Http404("No such claim.")
    return claim


@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one claim: its steps, the Member State's deadline, payments and arrears."""
    user = _advocate(request)
    return _claim_page(request, user, _claim(user, pk))


@require_POST
def claim_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a claim to its next stage."""
    user = _advocate(request)
    claim = _claim(user, pk)
    form = forms.AdvanceClaimForm(
        request.POST, prefix="advance", stage=claim.stage, may_override=_may_override(user)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.advance_claim(
                user,
                claim,
                data["stage"],
                on=data["on"],
                note=data["note"],
                monthly_support=data["monthly_support"],
                currency=data["currency"],
                support_from=data["support_from"],
                override_reason=form.override_reason(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Claim moved to “%(stage)s”.") % {"stage": ClaimStage(data["stage"]).label},
            )
            return HttpResponseRedirect(reverse("support:claim", args=[claim.pk]))
    return _claim_page(request, user, _claim(user, pk), bound={"advance": form}, status=400)


@require_POST
def claim_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a child-support payment received."""
    user = _advocate(request)
    claim = _claim(user, pk)
    form = forms.PaymentForm(request.POST, prefix="payment")
    if form.is_valid():
        try:
            actions.record_payment(
                user,
                claim,
                paid_on=form.cleaned_data["paid_on"],
                amount=form.cleaned_data["amount"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Payment recorded."))
            return HttpResponseRedirect(reverse("support:claim", args=[claim.pk]))
    return _claim_page(request, user, _claim(user, pk), bound={"payment": form}, status=400)


# -- the directory of providers -------------------------------------------------------------------


def _organisation_for(user: User, mission: Mission | None) -> int | None:
    """The organisation a new provider belongs to: its mission's, or the advocate's own."""
    if mission is not None:
        return mission.organisation_id
    organisations: Iterable[int] = {
        a.organisation_id for a in _advocate_assignments(user) if a.mission_id is None
    }
    found = sorted(organisations)
    return found[0] if len(found) == 1 else None


@require_http_methods(["GET", "POST"])
def providers(request: HttpRequest) -> HttpResponse:
    """The directory of service providers per mission, with a form to add one."""
    user = _advocate(request)
    missions = _missions_of_scope(user)
    form = forms.ProviderForm(request.POST or None, prefix="provider", missions=missions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mission = form.chosen_mission()
        organisation = _organisation_for(user, mission)
        try:
            if organisation is None:
                raise ValidationError({"mission": _("Choose the mission this provider serves.")})
            actions.add_provider(
                user,
                organisation=organisation,
                mission=mission,
                name=data["name"],
                services=data["services"],
                contact=data["contact"],
            )
        except PermissionDenied:
            form.add_error("mission", _("You may not add providers for this mission."))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Provider added."))
            return HttpResponseRedirect(reverse("support:providers"))
    directory = list(
        _providers_of_scope(user).select_related("mission").order_by("mission__code", "name", "id")
    )
    labels = dict(AssistanceType.choices)
    for provider in directory:
        provider.service_labels = [labels.get(s, s) for s in provider.services]  # type: ignore[attr-defined]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "support/providers.html", {"form": form, "providers": directory}, status=status
    )
