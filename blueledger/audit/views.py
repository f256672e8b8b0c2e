"""The audit log page: events newest first, the latest checkpoint, the last verification."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import actions, checkpoints
from .access import events_for, may_view_audit
from .forms import EventFilterForm
from .models import AuditEvent

PAGE_SIZE = 50


def _positive_int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else None


def _grouped(value: bytes | memoryview) -> str:
    """Hex in groups of eight, so that a hash wraps in a narrow column and reads aloud."""
    text = bytes(value).hex()
    return " ".join(text[i : i + 8] for i in range(0, len(text), 8))


@never_cache
def audit_log(request: HttpRequest) -> HttpResponse:
    if not may_view_audit(request.user):
        raise Http404
    if request.method == "POST":
        actions.request_verification(request.user)
        messages.success(request, _("Verification queued: the result appears here when it ends."))
        return redirect("audit:log")
    form = EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    before = _positive_int(request.GET.get("before", ""))
    events, next_before = (
        events_for(request.user)
        .matching(filters.get("action", ""), filters.get("since"), filters.get("until"))
        .page(before, PAGE_SIZE)
    )
    kept = {k: str(filters[k]) for k in ("action", "since", "until") if filters.get(k)}
    checkpoint = checkpoints.latest()
    verified = AuditEvent.objects.filter(action=actions.VERIFIED).order_by("-id").first()
    requested = (
        AuditEvent.objects.filter(action=actions.VERIFICATION_REQUESTED).order_by("-id").first()
    )
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "events": events,
            "older_url": f"?{urlencode({**kept, 'before': str(next_before)})}"
            if next_before
            else "",
            "newest_url": f"?{urlencode(kept)}" if before else "",
            "checkpoint": checkpoint,
            "checkpoint_root": _grouped(checkpoint.root_hash) if checkpoint else "",
            "checkpoint_head": _grouped(checkpoint.head_hash) if checkpoint else "",
            "verified": verified,
            "verified_ok": verified is not None and verified.summary.startswith("ok"),
            "verification_pending": requested is not None
            and (verified is None or verified.pk < requested.pk),
        },
    )
