"""Allegation pages: the list with filters and CSV export, opening one, and its page with a form
for each step.

Every lookup goes through ``blueledger.cases.access``; every change calls the matching action
after checking that the viewer may take it (actions do not check permissions themselves).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat
from django.utils.cache import patch_vary_headers
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blueledger.accounts.models import Mission, User
from blueledger.accounts.roles import Role
from blueledger.audit import events as audit
from blueledger.core import clock

from . import actions, export, forms, lifecycle
from .access import (
    allegation_for,
    allegations_for,
    may_answer_referral,
    may_investigate,
    may_manage,
    may_see_identities,
    subjects_for,
    victims_for,
)
from .actions import IDENTITY_FIELDS, CaseError
from .filters import DEFAULT_SORT, AllegationFilters, apply_filters, parse_filters
from .lifecycle import Status
from .listing import RowDeadlines, obligations_of, row_deadlines_of
from .models import Allegation
from .timeline import timeline
from .vocabularies import CategoryOfPersonnel

PAGE_SIZE = 50
# The list shows an exact total only when counting is cheap: up to this many matches (a larger
# scope says "more than"). The page itself never counts: it reads one row past the page to know
# whether a next page exists, and the count comes in a request of its own (htmx, or a link).
COUNT_CAP = 1_000
# Pages are read by offset, which costs the rows skipped: past this page, filter or sort instead.
MAX_PAGE = 200


@dataclass(frozen=True)
class ListPage:
    """One page of the list, read without counting the matches (per_page + 1 rows)."""

    rows: list[Allegation]
    number: int
    per_page: int
    has_next: bool
    clamped: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def total(self) -> int | None:
        """The number of matches when this page shows it is the last, else None (unknown)."""
        if self.has_next or (not self.rows and self.number > 1):
            return None
        return (self.number - 1) * self.per_page + len(self.rows)


def page_number(value: Any) -> tuple[int, bool]:
    """Return the page asked for (1 when unreadable) and whether it was lowered to MAX_PAGE."""
    try:
        number = max(1, int(str(value)))
    except (TypeError, ValueError):
        return 1, False
    return min(number, MAX_PAGE), number > MAX_PAGE


def list_page(allegations: Any, value: Any, per_page: int) -> ListPage:
    """Read page VALUE of ALLEGATIONS: per_page + 1 rows, the extra one telling of a next page."""
    number, clamped = page_number(value)
    bottom = (number - 1) * per_page
    rows = list(allegations[bottom : bottom + per_page + 1])
    return ListPage(rows[:per_page], number, per_page, len(rows) > per_page, clamped)


@dataclass(frozen=True)
class Counted:
    """How many allegations match: exact up to COUNT_CAP, else only "more than COUNT_CAP"."""

    total: int
    capped: bool


def count_matches(allegations: Any) -> Counted:
    """Count at most COUNT_CAP + 1 matches, unordered (the database picks the cheapest path)."""
    counted = allegations.order_by().values("pk")[: COUNT_CAP + 1].count()
    return Counted(min(counted, COUNT_CAP), counted > COUNT_CAP)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _add_errors(form: Form, exc: ValidationError) -> None:
    """Put an action's errors on the form fields they name, the rest on the form itself."""
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


# -- the list ---------------------------------------------------------------------------------


def _sort_links(filters: AllegationFilters) -> dict[str, dict[str, str]]:
    """Return, per sortable column, the link that sorts by it and the current direction."""
    columns = {"reference": ("reference", "-reference"), "received": ("-received", "received")}
    columns["status"] = ("status", "status")
    links = {}
    base = filters.as_query()
    base.pop("sort", None)
    for column, (first, second) in columns.items():
        current = filters.sort if filters.sort in (first, second) else ""
        target = second if current == first else first
        query = {**base, **({"sort": target} if target != DEFAULT_SORT else {})}
        direction = ""
        if current:
            direction = "descending" if current.startswith("-") else "ascending"
        links[column] = {"url": "?" + urlencode(query), "direction": direction}
    return links


def _options(choices: Iterable[tuple[str, Any]], selected: str) -> SafeString:
    """Render a select's options once in Python: a template loop costs ~100x per option."""
    return mark_safe(  # noqa: S308 - every value and label is escaped here
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )


def _filter_choices(user: User, values: Any) -> dict[str, Any]:
    """Return the filter bar's options (each select's once rendered), with VALUES selected."""
    organisations = {a.organisation_id for a in user.assignments_cached()}
    missions = Mission.objects.filter(organisation_id__in=organisations).values_list(
        "code", flat=True
    )
    chosen = {name: str(values.get(name, "")) for name in ("status", "classification", "category")}
    return {
        "mission_options": _options(((c, c) for c in missions), chosen_mission(values)),
        "status_options": _options(Status.choices, chosen["status"]),
        "classification_options": _options(
            forms.classification_choices()[1:], chosen["classification"]
        ),
        "category_options": _options(CategoryOfPersonnel.choices, chosen["category"]),
    }


def chosen_mission(values: Any) -> str:
    return str(values.get("mission", "")).upper()


@dataclass(frozen=True)
class ListRow:
    """One row of the list, its cells ready to print (the template only escapes them)."""

    url: str
    reference: str
    mission: str
    received: str
    classification: str
    status: str
    overdue: bool
    next_due: str


def _rows(allegations: list[Allegation], now: Any) -> list[ListRow]:
    """Turn a page of allegations into rows: labels, dates and links made once here."""
    statuses = {value: str(label) for value, label in Status.choices}
    short = get_format("SHORT_DATE_FORMAT")
    deadlines = row_deadlines_of(allegations, now)
    rows = []
    for allegation in allegations:
        deadline = deadlines.get(allegation.pk, RowDeadlines())
        rows.append(
            ListRow(
                url=allegation.get_absolute_url(),
                reference=allegation.reference,
                mission=allegation.mission.code if allegation.mission else "—",
                received=dateformat.format(allegation.received_on, short),
                classification=allegation.classification.name if allegation.classification else "—",
                status=statuses.get(allegation.status, allegation.status),
                overdue=deadline.overdue,
                next_due=dateformat.format(localtime(deadline.next_due), short)
                if deadline.next_due
                else "—",
            )
        )
    return rows


@require_GET
def allegation_list(request: HttpRequest) -> HttpResponse:
    """List the allegations the viewer may see, filtered, sorted and 50 a page.

    With ``count=1`` the page counts the matches too; an htmx request with it gets the count alone
    (the page asks for it once shown, so the count never delays the rows).
    """
    user = _user(request)
    counting = request.GET.get("count") == "1"
    if counting and request.headers.get("HX-Request") == "true":
        return _list_count(request, user)
    context: dict[str, Any] = {"values": request.GET, **_filter_choices(user, request.GET)}
    context["may_open"] = _may_open(user)
    try:
        filters = parse_filters(request.GET)
    except CaseError as exc:
        context.update(error_field=exc.field, error=exc.messages[0], page=None, rows=[])
        return render(request, "cases/list.html", context, status=400)
    now = clock.now()
    allegations = _listed(user, filters, now)
    page = list_page(allegations, request.GET.get("page"), PAGE_SIZE)
    query = filters.as_query()
    counted = None
    if page.total is not None:
        counted = Counted(page.total, False)
    elif counting:
        counted = count_matches(allegations)
    context.update(
        filters=filters,
        page=page,
        counted=counted,
        count_cap=COUNT_CAP,
        count_url="?" + urlencode({**query, "page": str(page.number), "count": "1"}),
        rows=_rows(page.rows, now),
        query=urlencode(query),
        export_url=reverse("cases:export") + ("?" + urlencode(query) if query else ""),
        sorts=_sort_links(filters),
    )
    return render(request, "cases/list.html", context)


def _listed(user: User, filters: AllegationFilters, now: Any) -> Any:
    """The allegations USER may see that FILTERS match, in order, with what a row shows."""
    return apply_filters(
        allegations_for(user).select_related("mission", "classification").defer("narrative"),
        filters,
        now,
    )


def _list_count(request: HttpRequest, user: User) -> HttpResponse:
    """Answer htmx's request for the number of matches with the count alone."""
    try:
        filters = parse_filters(request.GET)
    except CaseError:
        return HttpResponse(status=204)
    context = {
        "counted": count_matches(_listed(user, filters, clock.now())),
        "count_cap": COUNT_CAP,
    }
    response = render(request, "cases/_list_count.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def allegation_export(request: HttpRequest) -> HttpResponseBase:
    """Stream the filtered list as CSV (columns in blueledger.cases.export)."""
    user = _user(request)
    try:
        filters = parse_filters(request.GET)
    except CaseError as exc:
        return HttpResponseBadRequest(
            f"{exc.field}: {exc.messages[0]}", content_type="text/plain; charset=utf-8"
        )
    now = clock.now()
    allegations = apply_filters(allegations_for(user), filters, now)
    query = filters.as_query()
    audit.record(
        "allegation.exported",
        actor=user,
        summary="allegation list exported as CSV"
        + (f" ({', '.join(f'{k}={v}' for k, v in sorted(query.items()))})" if query else ""),
    )
    response = StreamingHttpResponse(
        export.stream(allegations, now), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="allegations-{now:%Y%m%d}.csv"'
    return response


# -- opening an allegation --------------------------------------------------------------------


def _conduct_assignments(user: User) -> list[Any]:
    if not user.is_authenticated or not user.is_active:
        return []
    return [a for a in user.assignments_cached() if a.role == Role.CONDUCT_OFFICER]


def _may_open(user: User) -> bool:
    return bool(_conduct_assignments(user))


@require_http_methods(["GET", "POST"])
def allegation_new(request: HttpRequest) -> HttpResponse:
    """Open an allegation directly, e.g. from a Member State's notice (conduct officers)."""
    user = _user(request)
    assignments = _conduct_assignments(user)
    if not assignments:
        raise PermissionDenied
    whole = {a.organisation_id for a in assignments if a.mission_id is None}
    missions = Mission.objects.filter(
        Q(organisation_id__in=whole) | Q(pk__in=[a.mission_id for a in assignments])
    ).select_related("organisation")
    form = forms.OpenAllegationForm(request.POST or None, missions=missions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mission = data["mission"]
        if mission is not None:
            organisation = mission.organisation
        elif len(whole) == 1:
            organisation = next(a.organisation for a in assignments if a.mission_id is None)
        else:
            organisation = None
        if organisation is None or not may_manage(
            user, Allegation(organisation=organisation, mission=mission)
        ):
            form.add_error("mission", _("Choose a mission you work for."))
        else:
            try:
                allegation = actions.open_allegation(
                    user,
                    organisation=organisation,
                    mission=mission,
                    received_on=data["received_on"],
                    channel=data["channel"],
                    narrative=data["narrative"],
                    incident_date=data["incident_date"],
                    incident_precision=data["incident_precision"],
                    location=data["location"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Allegation %(reference)s opened.") % {"reference": allegation.reference},
                )
                return HttpResponseRedirect(allegation.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/new.html", {"form": form}, status=status)


# -- one allegation ---------------------------------------------------------------------------

# Who may take a step: conduct officers of scope (manage), they and investigators of the body
# (investigate), they and liaisons of the referred Member State (answer, per referral).
MANAGE, INVESTIGATE, ANSWER = "manage", "investigate", "answer"


@dataclass(frozen=True)
class Step:
    """A step form on the allegation page: its form, who may take it, and its action."""

    form: type[forms.StepForm]
    permission: str
    run: Callable[[User, Allegation, forms.StepForm, Any], str]
    url_name: str
    title: Any
    per_record: str = ""  # "investigation" or "referral": the step acts on one of those


def _transition(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    data = form.cleaned_data
    actions.transition(user, allegation, data["to"], data["reason"])
    return _("Status changed to “%(status)s”.") % {"status": Status(data["to"]).label}


def _facts(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    data = form.cleaned_data
    actions.update_allegation(
        user,
        allegation,
        classification=data["classification"],
        seriousness=data["seriousness"],
        location=data["location"],
        incident_date=data["incident_date"],
        incident_precision=data["incident_precision"],
    )
    return _("Facts updated.")


def _subject(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    subject = actions.add_subject(user, allegation, **form.cleaned_data)
    return _("Subject #%(n)s added.") % {"n": subject.pk}


def _victim(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    victim = actions.add_victim(user, allegation, **form.cleaned_data)
    return _("Victim #%(n)s added.") % {"n": victim.pk}


def _witness(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    witness = actions.add_witness(user, allegation, **form.cleaned_data)
    return _("Witness #%(n)s added.") % {"n": witness.pk}


def _referral(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    actions.refer(user, allegation, **form.cleaned_data)
    return _("Referral recorded.")


def _measure(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    data = {**form.cleaned_data, "subject": form.chosen_subject()}
    actions.add_interim_measure(user, allegation, **data)
    return _("Interim measure recorded.")


def _start_investigation(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    actions.start_investigation(user, allegation, **form.cleaned_data)
    return _("Investigation started.")


def _complete_investigation(
    user: User, allegation: Allegation, form: forms.StepForm, investigation: Any
) -> str:
    actions.complete_investigation(user, investigation, **form.cleaned_data)
    return _("Investigation completed.")


def _name_officer(
    user: User, allegation: Allegation, form: forms.StepForm, investigation: Any
) -> str:
    actions.name_investigation_officer(user, investigation, **form.cleaned_data)
    return _("National investigation officer recorded.")


def _answer(user: User, allegation: Allegation, form: forms.StepForm, referral: Any) -> str:
    actions.record_referral_answer(user, referral, **form.cleaned_data)
    return _("The Member State's answer is recorded.")


def _finding(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    data = {**form.cleaned_data, "subject": form.chosen_subject()}
    actions.record_finding(user, allegation, **data)
    return _("Finding recorded.")


def _action(user: User, allegation: Allegation, form: forms.StepForm, _r: Any) -> str:
    data = {**form.cleaned_data, "subject": form.chosen_subject()}
    actions.record_action(user, allegation, **data)
    return _("Action recorded.")


STEPS: dict[str, Step] = {
    "transition": Step(
        forms.TransitionForm, MANAGE, _transition, "transition", _l("Change the status")
    ),
    "facts": Step(forms.FactsForm, MANAGE, _facts, "facts", _l("Update the facts")),
    "subject": Step(forms.SubjectForm, MANAGE, _subject, "add_subject", _l("Add a subject")),
    "victim": Step(forms.VictimForm, MANAGE, _victim, "add_victim", _l("Add a victim")),
    "witness": Step(forms.WitnessForm, MANAGE, _witness, "add_witness", _l("Add a witness")),
    "referral": Step(forms.ReferralForm, MANAGE, _referral, "refer", _l("Refer")),
    "measure": Step(
        forms.InterimMeasureForm, MANAGE, _measure, "add_measure", _l("Add an interim measure")
    ),
    "investigation": Step(
        forms.StartInvestigationForm,
        INVESTIGATE,
        _start_investigation,
        "start_investigation",
        _l("Start an investigation"),
    ),
    "complete": Step(
        forms.CompleteInvestigationForm,
        INVESTIGATE,
        _complete_investigation,
        "complete_investigation",
        _l("Record its completion"),
        per_record="investigation",
    ),
    "nio": Step(
        forms.InvestigationOfficerForm,
        INVESTIGATE,
        _name_officer,
        "name_nio",
        _l("Name the national investigation officer"),
        per_record="investigation",
    ),
    "answer": Step(
        forms.ReferralAnswerForm,
        ANSWER,
        _answer,
        "answer_referral",
        _l("Record the Member State's answer"),
        per_record="referral",
    ),
    "finding": Step(
        forms.FindingForm, INVESTIGATE, _finding, "record_finding", _l("Record a finding")
    ),
    "action": Step(forms.ActionForm, MANAGE, _action, "record_action", _l("Record an action")),
}


@dataclass(frozen=True)
class ShownStep:
    """A step form as the page shows it."""

    name: str
    title: Any
    url: str
    form: forms.StepForm


# Record kinds whose identity fields the page can reveal, and how to find them on the allegation.
REVEALABLE: dict[str, str] = {
    "allegation": "",
    "subject": "subjects",
    "victim": "victims",
    "witness": "witnesses",
    "investigation": "investigations",
    "statuschange": "status_changes",
}


def _permissions(user: User, allegation: Allegation) -> dict[str, bool]:
    manage = may_manage(user, allegation)
    return {
        MANAGE: manage,
        INVESTIGATE: manage or may_investigate(user, allegation),
        "identities": may_see_identities(user, allegation),
    }


def _detail(
    request: HttpRequest,
    allegation: Allegation,
    *,
    bound: dict[str, forms.StepForm] | None = None,
    revealed: tuple[str, int, dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the allegation page; BOUND forms (with errors) replace the blank ones."""
    user = _user(request)
    now = clock.now()
    allowed = _permissions(user, allegation)
    subjects = list(
        subjects_for(user)
        .filter(allegation=allegation)
        .select_related("nationality")
        .defer("name", "identifier")
    )
    victims = list(victims_for(user).filter(allegation=allegation).defer("name", "contact"))
    manage = allowed[MANAGE]
    if manage:
        # The conduct officer sees that each victim is supported, not how (issue 5).
        from blueledger.support.summary import support_summaries

        summaries = support_summaries(v.pk for v in victims)
        for victim in victims:
            victim.support_summary = summaries.get(victim.pk)  # type: ignore[attr-defined]
    witnesses = list(allegation.witnesses.defer("name", "contact"))
    referrals = list(allegation.referrals.select_related("member_state"))
    investigations = list(
        allegation.investigations.select_related("member_state")
        .defer("nio_name")
        .annotate(has_nio=ExpressionWrapper(Q(nio_name__isnull=False), output_field=BooleanField()))
    )
    measures = list(allegation.interim_measures.all())
    findings = list(allegation.findings.all())
    taken = list(allegation.actions.all())
    changes = list(allegation.status_changes.defer("reason"))
    obligations = obligations_of([allegation.pk], pending_only=False).get(allegation.pk, [])
    history = timeline(
        allegation,
        status_changes=changes,
        subjects=subjects,
        victims=victims,
        witnesses=witnesses,
        referrals=referrals,
        investigations=investigations,
        measures=measures,
        findings=findings,
        actions=taken,
        obligations=obligations,
        now=now,
    )
    # The Member State's own answers and progress reports (issue 6), without names or notes.
    from blueledger.liaison.timeline import entries_for as liaison_entries

    history = sorted(history + liaison_entries(referrals), key=lambda entry: entry.at)
    if revealed is not None:
        kind, pk, values = revealed
        records: list[Any] = {
            "allegation": [allegation],
            "subject": subjects,
            "victim": victims,
            "witness": witnesses,
            "investigation": investigations,
            "statuschange": changes,
        }[kind]
        for record in records:
            if record.pk == pk:
                record.shown = values

    step_forms: dict[str, ShownStep] = {}
    per_record: dict[tuple[str, int], list[ShownStep]] = {}
    acted_on: dict[str, list[Any]] = {"investigation": investigations, "referral": referrals}
    for name, step in STEPS.items():
        if step.per_record:
            for record in acted_on[step.per_record]:
                if not _may_take(user, allegation, step, record, allowed):
                    continue
                prefix = f"{name}-{record.pk}"
                form = (bound or {}).get(prefix) or step.form(
                    allegation=allegation, subjects=subjects, prefix=prefix
                )
                url = reverse(f"cases:{step.url_name}", args=[allegation.pk, record.pk])
                per_record.setdefault((step.per_record, record.pk), []).append(
                    ShownStep(prefix, step.title, url, form)
                )
            continue
        if not allowed[step.permission]:
            continue
        form = (bound or {}).get(name) or step.form(
            allegation=allegation, subjects=subjects, prefix=name
        )
        url = reverse(f"cases:{step.url_name}", args=[allegation.pk])
        step_forms[name] = ShownStep(name, step.title, url, form)
    blockers = []
    if allowed[MANAGE]:
        for target in sorted(lifecycle.allowed_targets(allegation.status)):
            failing = lifecycle.blockers(allegation, target)
            if failing:
                blockers.append((Status(target).label, [b.message for b in failing]))
    context = {
        "allegation": allegation,
        "allowed": allowed,
        "allowed_support": manage,
        "subjects": subjects,
        "victims": victims,
        # Liaisons never see victims, not even how many there are.
        "show_victims": any(a.role != Role.MEMBER_STATE_LIAISON for a in user.assignments_cached()),
        "witnesses": witnesses,
        "referrals": [(r, per_record.get(("referral", r.pk), [])) for r in referrals],
        "investigations": [
            (i, per_record.get(("investigation", i.pk), [])) for i in investigations
        ],
        "measures": measures,
        "findings": findings,
        "actions_taken": taken,
        "pending": [o for o in obligations if o.is_pending],
        "past": [o for o in obligations if not o.is_pending],
        "now": now,
        "timeline": history,
        "forms": step_forms,
        "blockers": blockers,
    }
    return render(request, "cases/detail.html", context, status=status)


def _may_take(
    user: User, allegation: Allegation, step: Step, record: Any, allowed: dict[str, bool]
) -> bool:
    """Whether USER may take STEP on RECORD (an investigation or referral) right now."""
    if step.per_record == "referral":
        if not record.is_member_state or record.acknowledged_on is not None:
            return False
        return allowed[MANAGE] or may_answer_referral(user, record)
    if step.form is forms.CompleteInvestigationForm and not record.is_running:
        return False
    return allowed[step.permission]


def _allegation(user: User, pk: int) -> Allegation:
    return allegation_for(user, pk)


@require_GET
def allegation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one allegation: facts, parties, steps, deadlines, timeline and the step forms."""
    return _detail(request, _allegation(_user(request), pk))


@require_POST
def allegation_step(request: HttpRequest, pk: int, step: str, record: int = 0) -> HttpResponse:
    """Take one step on an allegation (POST only), then go back to its page."""
    user = _user(request)
    allegation = _allegation(user, pk)
    found = STEPS.get(step)
    if found is None:
        raise Http404
    allowed = _permissions(user, allegation)
    target = None
    prefix = step
    if found.per_record:
        related: Any = (
            allegation.investigations
            if found.per_record == "investigation"
            else allegation.referrals
        )
        target = related.filter(pk=record).first()
        if target is None:
            raise Http404
        prefix = f"{step}-{record}"
        # A step that no longer applies (already answered, completed) reports its error below.
        permitted = (
            allowed[MANAGE] or may_answer_referral(user, target)
            if found.per_record == "referral"
            else allowed[found.permission]
        )
    else:
        permitted = allowed[found.permission]
    if not permitted:
        raise PermissionDenied
    subjects = list(allegation.subjects.defer("name", "identifier"))
    form = found.form(request.POST, allegation=allegation, subjects=subjects, prefix=prefix)
    if form.is_valid():
        try:
            message = found.run(user, allegation, form, target)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, message)
            return HttpResponseRedirect(allegation.get_absolute_url())
    return _detail(request, allegation, bound={prefix: form}, status=400)


@never_cache
@require_POST
def allegation_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the identity fields of one record of the allegation, each read audited."""
    user = _user(request)
    allegation = _allegation(user, pk)
    kind = request.POST.get("record", "")
    if kind not in REVEALABLE:
        raise Http404
    if kind == "allegation":
        record: Any = allegation
    else:
        try:
            key = int(request.POST.get("id", ""))
        except ValueError:
            raise Http404 from None
        related = getattr(allegation, REVEALABLE[kind])
        if kind == "victim":
            related = victims_for(user).filter(allegation=allegation)
        record = related.filter(pk=key).first()
        if record is None:
            raise Http404
    values = {
        field: actions.reveal_identity(user, record, field)
        for field in sorted(IDENTITY_FIELDS[type(record)])
    }
    return _detail(request, allegation, revealed=(kind, record.pk, values))
