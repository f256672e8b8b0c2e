"""Intake pages for staff: the queue, registering a report, one report with its triage."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from blueledger.accounts.models import User
from blueledger.cases.access import allegations_for

from . import actions
from .access import may_view_intake, report_for, reports_for
from .forms import ContactReasonForm, MessageForm, QueueFilterForm, RegisterForm, TriageForm
from .models import Attachment, IntakeReport, Outcome, ReporterMessage, Status

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not may_view_intake(user):
        raise PermissionDenied
    return user


def _add_errors(form: Form, exc: ValidationError) -> None:
    """Put an action's errors on the form fields they name, the rest on the form itself."""
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def queue(request: HttpRequest) -> HttpResponse:
    """List the reports of the user's scope, new ones first, 50 a page."""
    user = _user(request)
    form = QueueFilterForm(request.GET or None, user=user)
    data = form.cleaned_data if form.is_valid() else {}
    reports = (
        reports_for(user)
        .for_queue()
        .matching(
            status=data.get("status"),
            channel=data.get("channel"),
            mission=data.get("mission"),
            q=data.get("q"),
        )
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "intake/queue.html",
        {"form": form, "page": page, "query": query.urlencode(), "statuses": Status},
    )


def register(request: HttpRequest) -> HttpResponse:
    """Register a report received by any channel."""
    user = _user(request)
    form = RegisterForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = actions.register_report(
                user,
                organisation=data["organisation"],
                mission=data["mission"],
                channel=data["channel"],
                received_at=data["received_at"],
                what_happened=data["what_happened"],
                language=data["language"],
                reporter_contact=data["reporter_contact"],
                reporter_relation=data["reporter_relation"],
                incident_date=data["incident_date"],
                incident_precision=data["incident_precision"],
                place=data["place"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            form.add_error(
                "mission", _("You may not register reports for this organisation or mission.")
            )
        else:
            messages.success(
                request, _("Report %(reference)s registered.") % {"reference": report.reference}
            )
            return HttpResponseRedirect(report.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/register.html", {"form": form}, status=status)


def _detail(
    request: HttpRequest,
    user: User,
    report: IntakeReport,
    triage_form: TriageForm | None = None,
    status: int = 200,
    *,
    message_form: MessageForm | None = None,
    contact_form: ContactReasonForm | None = None,
    contact: str | None = None,
) -> HttpResponse:
    duplicates = [] if report.is_triaged else actions.possible_duplicates(user, report)
    # Whoever triaged may not see allegations (an intake officer): the reference, not a link.
    allegation_visible = (
        report.allegation_id is not None
        and allegations_for(user).filter(pk=report.allegation_id).exists()
    )
    return render(
        request,
        "intake/report.html",
        {
            "report": report,
            "triage_form": triage_form or TriageForm(),
            "duplicates": duplicates,
            "allegation_visible": allegation_visible,
            "outcomes": Outcome,
            "conversation": ReporterMessage.objects.filter(report=report).select_related("author"),
            "attachments": Attachment.objects.listed().filter(report=report),
            "readings": report.contact_readings.select_related("reader"),
            "message_form": message_form or MessageForm(),
            "contact_form": contact_form or ContactReasonForm(),
            "contact": contact,
        },
        status=status,
    )


def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one report, with its acknowledgement, possible duplicates and triage forms."""
    user: User = request.user  # type: ignore[assignment]
    return _detail(request, user, report_for(user, pk))


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the reporter was told their report arrived."""
    user: User = request.user  # type: ignore[assignment]
    found = report_for(user, pk)
    try:
        actions.acknowledge_report(user, found)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Report acknowledged."))
    return HttpResponseRedirect(found.get_absolute_url())


@require_POST
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an allegation from a report, attach it to one, or close it with a reason."""
    user: User = request.user  # type: ignore[assignment]
    found = report_for(user, pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            found = actions.triage_report(
                user, found, data["outcome"], allegation=data["allegation"], reason=data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("You may not triage this report this way."))
        else:
            messages.success(request, _("Report triaged."))
            return HttpResponseRedirect(found.get_absolute_url())
    return _detail(request, user, found, form, status=400)


@require_POST
def send_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Write to the reporter; they read it on the follow-up page with their receipt."""
    user = _user(request)
    found = report_for(user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            actions.send_message(user, found, form.cleaned_data["body"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Message sent to the reporter."))
            return HttpResponseRedirect(found.get_absolute_url() + "#conversation")
    return _detail(request, user, found, status=400, message_form=form)


@require_POST
@never_cache
def read_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Break the glass: show the reporter's contact details once, for a stated reason."""
    user = _user(request)
    found = report_for(user, pk)
    form = ContactReasonForm(request.POST)
    if form.is_valid():
        try:
            contact = actions.read_contact(user, found, form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _detail(request, user, found, contact_form=form, contact=contact)
    return _detail(request, user, found, status=400, contact_form=form)


def download_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """Send an attachment as a download, never displayed in the browser; the download is audited."""
    user = _user(request)
    found = report_for(user, pk)
    attachment = actions.attachment_for_download(user, found, attachment_id)
    return attachment_response(attachment)


def attachment_response(attachment: Attachment) -> HttpResponse:
    """A response that makes every browser save the file rather than open it."""
    response = HttpResponse(attachment.content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return response
