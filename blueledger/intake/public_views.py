"""The public pages: /report and /follow-up (issue 4).

They work without JavaScript and without cookies: no session is read or written, the form carries
a signed token instead of a CSRF cookie (blueledger.intake.formtoken), and the receipt travels
only in form bodies, never in a URL. Errors re-show the form with what was typed, so a report is
never lost to a mistake; error messages never repeat what was typed.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import formtoken, receipts
from .anonymity import reporter_client
from .public import (
    ReceiptNotFound,
    Throttled,
    Upload,
    add_information,
    conversation,
    find_report,
    status_for_reporter,
    submit_report,
)
from .public_forms import ReceiptForm, ReplyForm, ReportForm

# Room for the form fields beside the files, before a body is refused unread.
BODY_MARGIN_BYTES = 1024 * 1024
SENSITIVE = ("what_happened", "subject_description", "contact", "receipt", "body", "place")


class InMemoryUploadHandler(MemoryFileUploadHandler):
    """Keep uploads in memory (the body size is capped first): a reporter's file never touches
    the disk unencrypted, as Django's temporary upload files would."""

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True


def _language(request: HttpRequest, *, read_body: bool = True) -> str:
    """The page language: ?lang= or the form's lang, else the browser's; no cookie involved."""
    posted = request.POST.get("lang") if read_body and request.method == "POST" else None
    wanted = (posted or request.GET.get("lang") or "").strip().lower()
    codes = {code for code, _name in settings.LANGUAGES}
    language = wanted if wanted in codes else translation.get_language_from_request(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.ATTACHMENT_MAX_MB * 1024 * 1024 + BODY_MARGIN_BYTES


def _prepare_post(request: HttpRequest) -> None:
    request.upload_handlers = [InMemoryUploadHandler(request)]


def _uploads(request: HttpRequest) -> list[Upload]:
    return [Upload(name=f.name or "", data=f.read()) for f in request.FILES.getlist("attachments")]


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {**context, "lang": request.LANGUAGE_CODE, "languages": settings.LANGUAGES}
    return render(request, template, context, status=status)


def _initial(language: str) -> dict[str, str]:
    return {"token": formtoken.issue(), "lang": language}


def _with_fresh_token(form: Any, language: str) -> Any:
    """Re-show FORM with what was typed and a new token, so sending again works."""
    data = form.data.copy()
    data["token"] = formtoken.issue()
    data["lang"] = language
    rebound = type(form)(data)
    rebound.is_valid()
    for field, errors in form.errors.items():
        for error in errors:
            target = None if field in ("__all__", "token") else field
            if error not in rebound.errors.get(target or "__all__", []):
                rebound.add_error(target, error)
    return rebound


def _throttled(request: HttpRequest) -> HttpResponse:
    return _page(request, "intake/public/throttled.html", {"message": Throttled.message}, 429)


def _body_too_large(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "intake/public/too_large.html",
        {"mb": settings.ATTACHMENT_MAX_MB},
        413,
    )


def _copy_errors(form: Any, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def public_page(view: Callable[[HttpRequest, str], HttpResponse]) -> Callable[..., HttpResponse]:
    """Make VIEW a public page: no sign-in, no cookie, a capped body kept in memory, a language."""

    @login_not_required
    @csrf_exempt
    @sensitive_post_parameters(*SENSITIVE)
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def page(request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and _too_large(request):
            # The body is refused unread: not even the form's language is taken from it.
            _language(request, read_body=False)
            return _body_too_large(request)
        if request.method == "POST":
            _prepare_post(request)
        return view(request, _language(request))

    return page


@public_page
def report(request: HttpRequest, language: str) -> HttpResponse:
    if request.method != "POST":
        form = ReportForm(
            initial={**_initial(language), "mission": request.GET.get("mission", "").upper()}
        )
        return _page(request, "intake/public/report.html", {"form": form})
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid() and form.is_spam:
        # Software filled the hidden field: answer like a success, store nothing.
        return _page(request, "intake/public/receipt.html", {"receipt": receipts.new_code()})
    if form.is_valid():
        try:
            submitted = submit_report(
                form.to_report(language, _uploads(request)), client=reporter_client(request)
            )
        except Throttled:
            return _throttled(request)
        except ValidationError as exc:
            _copy_errors(form, exc)
        else:
            return _page(
                request,
                "intake/public/receipt.html",
                {"receipt": submitted.receipt, "acknowledge_by": submitted.acknowledge_by},
                201,
            )
    return _page(
        request, "intake/public/report.html", {"form": _with_fresh_token(form, language)}, 400
    )


def _conversation_page(
    request: HttpRequest,
    intake: Any,
    receipt: str,
    language: str,
    *,
    reply: Any = None,
    sent: bool = False,
) -> HttpResponse:
    reply = reply or ReplyForm(initial={**_initial(language), "receipt": receipt})
    return _page(
        request,
        "intake/public/conversation.html",
        {
            "status": status_for_reporter(intake),
            "report": intake,
            "messages_": conversation(intake),
            "reply": reply,
            "sent": sent,
        },
    )


@public_page
def follow_up(request: HttpRequest, language: str) -> HttpResponse:
    if request.method != "POST":
        empty = ReceiptForm(initial=_initial(language))
        return _page(request, "intake/public/follow_up.html", {"form": empty})
    replying = "body" in request.POST or bool(request.FILES)
    form: Any = ReplyForm(request.POST, request.FILES) if replying else ReceiptForm(request.POST)
    if not form.is_valid() or form.is_spam:
        if replying and "receipt" not in form.errors:
            return _reshow_reply(request, form, language)
        return _receipt_page(request, language, _messages_of(form), 400)
    receipt = form.cleaned_data["receipt"]
    try:
        intake = find_report(receipt, client=reporter_client(request))
    except Throttled:
        return _throttled(request)
    except ReceiptNotFound:
        return _receipt_page(request, language, [ReceiptNotFound.message], 404)
    if not replying:
        return _conversation_page(request, intake, receipt, language)
    try:
        add_information(intake, form.cleaned_data.get("body", ""), _uploads(request))
    except ValidationError as exc:
        _copy_errors(form, exc)
        return _conversation_page(
            request, intake, receipt, language, reply=_with_fresh_token(form, language)
        )
    return _conversation_page(request, intake, receipt, language, sent=True)


def _messages_of(form: Any) -> list[str]:
    """A form's errors as sentences, never with the receipt typed (it may be someone else's)."""
    return [str(error) for errors in form.errors.values() for error in errors]


def _receipt_page(
    request: HttpRequest, language: str, errors: list[Any], status: int
) -> HttpResponse:
    form = ReceiptForm(initial=_initial(language))
    return _page(
        request, "intake/public/follow_up.html", {"form": form, "page_errors": errors}, status
    )


def _reshow_reply(request: HttpRequest, form: Any, language: str) -> HttpResponse:
    """A reply with a problem (a stale token, a long text): check the receipt, keep the text."""
    receipt = form.data.get("receipt", "")
    try:
        intake = find_report(receipt, client=reporter_client(request))
    except Throttled:
        return _throttled(request)
    except ReceiptNotFound:
        return _receipt_page(request, language, [ReceiptNotFound.message], 404)
    return _conversation_page(
        request, intake, receipt, language, reply=_with_fresh_token(form, language)
    )
