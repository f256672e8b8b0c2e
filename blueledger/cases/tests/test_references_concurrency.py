"""References stay unique and gapless when many officers open allegations at once."""

import threading

import pytest
from django.db import connection

from blueledger.cases.models import Allegation
from blueledger.conftest import make_mission, make_organisation

from .conftest import open_one

OPENERS = 6
EACH = 5


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_openings_get_distinct_consecutive_references(clock) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them anyway")
    organisation = make_organisation()
    mission = make_mission("MINUSCA", organisation)
    ready = threading.Barrier(OPENERS)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            ready.wait()
            for _ in range(EACH):
                open_one(organisation, mission)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    references = sorted(Allegation.objects.values_list("reference", flat=True))
    assert references == [f"MINUSCA-2026-{n:04d}" for n in range(1, OPENERS * EACH + 1)]
