"""Pages of the liaison portal: the inbox, a referral with a form per answer, the scorecard.

Lookups go through ``blueledger.liaison.access`` (another country's referral is a 404); every
change calls the matching action in ``blueledger.liaison.actions``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from blueledger.accounts.models import User
from blueledger.cases.models import Referral, Subject
from blueledger.cases.vocabularies import MEMBER_STATE_ACTIONS
from blueledger.core import clock
from blueledger.deadlines.models import Obligation

from . import access, actions, forms
from .inbox import claim_rows, referral_rows, rows_of, with_facts
from .scorecard import AGE_BANDS, BY, scorecard


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _add_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@dataclass(frozen=True)
class Step:
    title: Any
    form: type[Form]
    run: Callable[[User, Referral, dict[str, Any]], Any]
    done: Any


STEPS: dict[str, Step] = {
    "answer": Step(
        _l("Answer the referral"),
        forms.AnswerForm,
        lambda user, referral, data: actions.answer_referral(user, referral, **data),
        _l("Your answer was recorded."),
    ),
    "progress": Step(
        _l("Report progress"),
        forms.ProgressForm,
        lambda user, referral, data: actions.report_progress(user, referral, **data),
        _l("The progress report was recorded."),
    ),
    "outcome": Step(
        _l("Report the outcome for a subject"),
        forms.OutcomeForm,
        lambda user, referral, data: actions.report_outcome(user, referral, **data),
        _l("The outcome was recorded."),
    ),
    "measure": Step(
        _l("Report a measure taken"),
        forms.MeasureForm,
        lambda user, referral, data: actions.report_measure(user, referral, **data),
        _l("The measure was recorded."),
    ),
}


def _nationals(referral: Referral) -> list[Subject]:
    return list(access.nationals_of(referral))


def _form(step: str, nationals: list[Subject], data: Any = None) -> Form:
    kwargs: dict[str, Any] = {"prefix": step}
    if step in ("outcome", "measure"):
        kwargs["subjects"] = nationals
    return STEPS[step].form(data, **kwargs)


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """List the referrals to the liaison's country and the paternity claims awaiting them."""
    user = _user(request)
    if not access.is_liaison(user):
        raise PermissionDenied
    now = clock.now()
    return render(
        request,
        "liaison/inbox.html",
        {"rows": referral_rows(user, now), "claims": claim_rows(user, now), "now": now},
    )


def _detail(
    request: HttpRequest,
    referral: Referral,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = clock.now()
    user = _user(request)
    fresh = with_facts(access.referrals_for(user)).get(pk=referral.pk)
    row = rows_of([fresh], now)[0]
    nationals = _nationals(fresh)
    findings = [
        f
        for f in fresh.allegation.findings.filter(subject__in=nationals)  # type: ignore[attr-defined]
    ]
    taken = list(
        fresh.allegation.actions.filter(  # type: ignore[attr-defined]
            subject__in=nationals, kind__in=sorted(MEMBER_STATE_ACTIONS)
        )
    )
    obligations = list(Obligation.objects.for_record(fresh)) + list(
        Obligation.objects.for_record(fresh.allegation).filter(kind="outcome_report")
    )
    step_forms = [
        (name, STEPS[name].title, (bound or {}).get(name) or _form(name, nationals))
        for name in STEPS
    ]
    context = {
        "referral": fresh,
        "allegation": fresh.allegation,
        "row": row,
        "nationals": nationals,
        "answers": list(fresh.liaison_answers.all()),  # type: ignore[attr-defined]
        "progress": list(fresh.progress_reports.all()),  # type: ignore[attr-defined]
        "findings": findings,
        "actions_taken": taken,
        "obligations": obligations,
        "forms": step_forms,
        "now": now,
    }
    return render(request, "liaison/referral.html", context, status=status)


@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show what the Member State may know of a referral, its answers and the answer forms."""
    return _detail(request, access.referral_for(_user(request), pk))


@require_POST
def referral_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Record one answer (POST only), then go back to the referral's page."""
    user = _user(request)
    referral = access.referral_for(user, pk)
    found = STEPS.get(step)
    if found is None:
        raise Http404
    form = _form(step, _nationals(referral), request.POST)
    if form.is_valid():
        try:
            found.run(user, referral, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, str(found.done))
            return HttpResponseRedirect(reverse("liaison:referral", args=[referral.pk]))
    return _detail(request, referral, bound={step: form}, status=400)


@require_POST
def claim_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the Member State's answer to a paternity claim, then go back to the inbox."""
    user = _user(request)
    claim = access.claim_for(user, pk)
    form = forms.PaternityForm(request.POST, prefix="claim")
    if form.is_valid():
        try:
            actions.answer_paternity(user, claim, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your answer to the paternity claim was recorded."))
            return HttpResponseRedirect(reverse("liaison:inbox"))
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{field}: {error}" if field != "__all__" else str(error))
    return HttpResponseRedirect(reverse("liaison:inbox"))


@require_GET
def scorecard_page(request: HttpRequest) -> HttpResponse:
    """Show the timeliness scorecard by country or by mission, within the viewer's scope."""
    scopes = access.scorecard_scopes(_user(request))
    if not scopes:
        raise PermissionDenied
    by = request.GET.get("by", "country")
    if by not in BY:
        by = "country"
    rows = scorecard(scopes, by, clock.now())
    return render(
        request,
        "liaison/scorecard.html",
        {"rows": rows, "by": by, "bands": [b[0] for b in AGE_BANDS]},
    )
