import contextlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from blueledger.accounts.models import User
from blueledger.worker.loop import WorkerLoop
from blueledger.worker.models import pending_job_count
from blueledger.worker.notify import notify

SUBJECT = "Allegation A-2026-001 was referred to your office"
MESSAGE = "A new referral awaits your answer."


def with_email(user: User, email: str, language: str = "") -> User:
    user.email, user.language = email, language
    user.save()
    return user


def send_queued() -> None:
    WorkerLoop("worker-a", jobs={}).run_once()


def test_notify_sends_one_email_per_recipient_only_after_commit(
    django_capture_on_commit_callbacks: Callable,
    conduct_officer: User,
    investigator: User,
    advocate: User,
) -> None:
    with_email(conduct_officer, "conduct@example.org")
    with_email(investigator, "investigator@example.org")
    # The advocate has no address: nobody to write to.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify([conduct_officer, investigator, advocate, conduct_officer], SUBJECT, MESSAGE, "/x")
        assert pending_job_count() == 0

    assert len(callbacks) == 1
    assert pending_job_count() == 2
    assert mail.outbox == []
    send_queued()
    assert sorted(message.to for message in mail.outbox) == [
        ["conduct@example.org"],
        ["investigator@example.org"],
    ]
    assert {message.subject for message in mail.outbox} == {f"[Blue Ledger] {SUBJECT}"}


def test_notify_sends_nothing_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks: Callable, conduct_officer: User
) -> None:
    with_email(conduct_officer, "conduct@example.org")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        notify([conduct_officer], SUBJECT, MESSAGE, "/x")
        raise RuntimeError("the state change failed")

    send_queued()
    assert callbacks == []
    assert mail.outbox == []


def test_notification_carries_the_link_but_no_personal_data(
    django_capture_on_commit_callbacks: Callable, conduct_officer: User
) -> None:
    conduct_officer.first_name, conduct_officer.last_name = "Amina", "Okafor"
    with_email(conduct_officer, "amina.okafor@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notify([conduct_officer, "focal.point@example.org"], SUBJECT, MESSAGE, "/cases/17")

    stored = json.dumps([row.args_kwargs for row in DBTaskResult.objects.all()])
    send_queued()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"amina.okafor@example.org", "focal.point@example.org"}
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert message.body.startswith(MESSAGE)
        assert f"{settings.SITE_URL}/cases/17" in message.body
        for personal in (
            "Amina",
            "Okafor",
            "amina.okafor",
            "focal.point",
            conduct_officer.username,
        ):
            assert personal not in text
    # Queued tasks hold a user id or an encrypted address, never the address itself.
    assert "amina.okafor" not in stored and "focal.point" not in stored


def test_lazy_strings_are_rendered_in_each_recipients_language(
    django_capture_on_commit_callbacks: Callable, conduct_officer: User, investigator: User
) -> None:
    with_email(conduct_officer, "conduct@example.org", language="fr")
    with_email(investigator, "investigator@example.org", language="")
    with django_capture_on_commit_callbacks(execute=True):
        notify([conduct_officer, investigator], gettext_lazy("Yes"), gettext_lazy("No"), "/x")

    send_queued()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["conduct@example.org"].subject == "[Blue Ledger] Oui"
    assert by_address["conduct@example.org"].body.startswith("Non\n")
    assert by_address["investigator@example.org"].subject == "[Blue Ledger] Yes"
    assert by_address["investigator@example.org"].body.startswith("No\n")


def test_user_who_lost_their_address_before_sending_gets_nothing(
    django_capture_on_commit_callbacks: Callable, conduct_officer: User
) -> None:
    with_email(conduct_officer, "conduct@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notify([conduct_officer], SUBJECT, MESSAGE)
    conduct_officer.is_active = False
    conduct_officer.save()

    send_queued()
    assert mail.outbox == []
