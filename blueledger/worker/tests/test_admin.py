from collections.abc import Callable

import pytest
from django.test import Client

from blueledger.accounts.models import User
from blueledger.worker.loop import WorkerLoop
from blueledger.worker.schedule import REGISTRY


@pytest.mark.parametrize("model", ["scheduledrun", "heartbeat"])
def test_administrator_reads_the_schedule_and_heartbeats_but_cannot_change_them(
    administrator: User, client_for: Callable[[User], Client], model: str
) -> None:
    housekeeping = {"worker.housekeeping": REGISTRY["worker.housekeeping"]}
    WorkerLoop("worker-a", jobs=housekeeping).run_once()
    client = client_for(administrator)

    listing = client.get(f"/admin/worker/{model}/")
    adding = client.get(f"/admin/worker/{model}/add/")

    assert listing.status_code == 200
    assert ("worker.housekeeping" if model == "scheduledrun" else "worker-a") in listing.text
    assert adding.status_code == 403
