"""State changes of the audit log beyond record(): verification runs and their requests."""

from typing import Any

from django.db import transaction

from . import chain
from .events import record
from .verify import Report, verify

VERIFIED = "audit.verified"
VERIFICATION_REQUESTED = "audit.verification_requested"


def run_verification(actor: Any = None, anchors: Any = ()) -> Report:
    """Seal, verify the log and record the outcome as an event (sealed in turn, like any other)."""
    chain.seal()
    report = verify(anchors)
    record(VERIFIED, actor=actor, summary=report.summary())
    return report


def request_verification(actor: Any) -> None:
    """Queue a verification for the worker; verifying millions of events takes a while."""
    from .jobs import verify_now

    with transaction.atomic():
        record(VERIFICATION_REQUESTED, actor=actor, summary="verification requested")
        # The task queue is a table of the same database: the request commits with its event.
        verify_now.enqueue()
