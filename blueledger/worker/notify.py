"""Notifications by email: what happened and a link, in the recipient's language; no personal data.

    notify(
        [officer],
        format_lazy(_("Allegation {reference} was referred to your office"), reference=ref),
        _("A new referral awaits your answer."),
        link=reverse("cases:allegation", args=[pk]),
    )

Subject and message are either final strings (sent as they are) or lazy translatable strings
(``gettext_lazy``, ``format_lazy``), which are rendered in each recipient's language
(``User.language``, else ``LANGUAGE_CODE``). They must say only what happened: no names, contacts or
narratives; the link leads to the record behind the login. One email per recipient is queued when
the surrounding transaction commits (nothing is sent if it rolls back) and the worker sends it.

The queued task stores a user's id, never the address; an address given as a string is stored
encrypted with the keyring.
"""

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext

from blueledger.crypto.keyring import get_keyring

logger = logging.getLogger("blueledger.worker")

SUBJECT_PREFIX = "[Blue Ledger] "
SUBJECT_MAX = 200
_ADDRESS_AAD = b"blueledger.worker.notify"

Recipient = Any  # a User, or an email address as a string
Message = tuple[dict[str, Any], str, str]


def notify(recipients: Iterable[Recipient], subject: Any, message: Any, link: str = "") -> None:
    """Queue one email per distinct recipient with an address, once the transaction commits."""
    messages: list[Message] = []
    seen: set[str] = set()
    for recipient in recipients:
        if isinstance(recipient, str):
            address = recipient.strip()
            if not address or address.lower() in seen:
                continue
            seen.add(address.lower())
            to: dict[str, Any] = {"email": get_keyring().encrypt(address.encode(), _ADDRESS_AAD)}
            language = settings.LANGUAGE_CODE
        else:
            key = f"user:{recipient.pk}"
            if not recipient.email or not recipient.is_active or key in seen:
                continue
            seen.update({key, recipient.email.strip().lower()})
            to = {"user": recipient.pk}
            language = _language_of(recipient)
        with translation.override(language):
            messages.append((to, render_subject(subject), render_body(message, link)))
    if messages:
        transaction.on_commit(partial(_enqueue, messages))


def absolute_url(link: str) -> str:
    """Make LINK (a path such as /cases/12) absolute under SITE_URL; full URLs pass unchanged."""
    if link.startswith(("https://", "http://")):
        return link
    return f"{settings.SITE_URL}/{link.lstrip('/')}"


def render_subject(subject: Any) -> str:
    # One line: a newline in a header is an injection, and mail clients cut long subjects anyway.
    text = " ".join(str(subject).split())
    return (SUBJECT_PREFIX + text)[:SUBJECT_MAX]


def render_body(message: Any, link: str) -> str:
    parts = [str(message).strip()]
    if link:
        parts.append(f"{gettext('Open it in Blue Ledger:')} {absolute_url(link)}")
    parts.append(
        "-- \n"
        + gettext(
            "This is an automatic message from Blue Ledger. It carries no case details: "
            "sign in to read them. Please do not reply."
        )
    )
    return "\n\n".join(parts) + "\n"


def _language_of(user: Any) -> str:
    try:
        return translation.get_supported_language_variant(user.language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _enqueue(messages: list[Message]) -> None:
    # The change is committed by now: a failure to queue is logged, not raised into the caller.
    try:
        with transaction.atomic():
            for to, subject, body in messages:
                send_notification.enqueue(to, subject, body)
    except Exception as exc:
        logger.error("Could not queue %d notification(s): %s", len(messages), type(exc).__name__)


@task()
def send_notification(to: dict[str, Any], subject: str, body: str) -> bool:
    """Send one notification email; False when the recipient has no address (any more)."""
    address = _address_of(to)
    if not address:
        return False
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()
    return True


def _address_of(to: dict[str, Any]) -> str:
    if "user" in to:
        user_model = get_user_model()
        active = user_model.objects.filter(pk=to["user"], is_active=True)
        return active.values_list("email", flat=True).first() or ""
    return get_keyring().decrypt(to["email"], _ADDRESS_AAD).decode()
