"""Administrators set the publication policy and ask for a release now; the worker builds it."""

from collections.abc import Callable
from typing import Any

import pytest

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.transparency.models import PublicationPolicy, Release
from blueledger.worker.loop import WorkerLoop

from .test_build import clock, make  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_publish_now_queues_a_build_the_worker_runs(
    clock: Any,  # noqa: F811
    dpo: Organisation,
    minusca: Mission,
    administrator: User,
    client_for: Callable[[User], Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    client = client_for(administrator)
    assert client.get("/admin/transparency/release/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/admin/transparency/release/publish/")
    assert answer.status_code == 302
    assert Release.objects.count() == 0  # queued, not built in the request
    WorkerLoop("worker-a", jobs={}).run_once()
    release = Release.objects.latest_for(None)
    assert release is not None and release.allegation_count == 1


def test_only_who_may_add_releases_can_publish(
    dpo: Organisation,
    client_for: Callable[[User], Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from blueledger.accounts.roles import Role
    from blueledger.conftest import make_user

    staff = make_user("viewer", Role.ANALYST, dpo)
    staff.is_staff = True
    staff.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client_for(staff).post("/admin/transparency/release/publish/")
    assert not callbacks


def test_policy_is_edited_in_the_admin(
    dpo: Organisation, administrator: User, client_for: Callable[[User], Any]
) -> None:
    client = client_for(administrator)
    answer = client.post(
        "/admin/transparency/publicationpolicy/add/",
        {
            "organisation": dpo.pk,
            "k": "5",
            "publish_nationality": "on",
            "publish_findings": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    policy = PublicationPolicy.objects.get(organisation=dpo)
    assert (policy.k, policy.publish_nationality, policy.publish_actions) == (5, True, False)
    refused = client.post(
        "/admin/transparency/publicationpolicy/add/", {"organisation": dpo.pk, "k": "1"}
    )
    assert refused.status_code == 200  # the form again, with the error on k
    assert "k" in refused.context["adminform"].form.errors
