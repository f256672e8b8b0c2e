"""The shared rate-limit counters: an event counts for one window, then never again."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from blueledger.core import throttle
from blueledger.core.models import ThrottleCounter
from blueledger.worker.schedule import REGISTRY

WINDOW = 900
START = datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [0, 1, 59, 60, 61, 899])
def test_an_event_counts_for_one_window_and_no_longer(offset: int) -> None:
    key = throttle.opaque_key("test", "someone")
    with time_machine.travel(START + timedelta(seconds=offset), tick=False) as traveller:
        throttle.hit(key, WINDOW)
        throttle.hit(key, WINDOW)
        assert throttle.count(key, WINDOW) == 2
        bucket = WINDOW // throttle.BUCKETS_PER_WINDOW
        traveller.shift(timedelta(seconds=WINDOW - bucket - 1))
        assert throttle.count(key, WINDOW) == 2
        traveller.shift(timedelta(seconds=bucket + 1))
        assert throttle.count(key, WINDOW) == 0


@pytest.mark.django_db
def test_limits_count_across_bucket_boundaries() -> None:
    key = throttle.opaque_key("test", "someone")
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            throttle.hit(key, WINDOW)
            traveller.shift(timedelta(seconds=170))
        assert throttle.exceeded(key, 5, WINDOW)
        assert ThrottleCounter.objects.count() == 5


@pytest.mark.django_db
def test_keys_differ_by_kind_and_value_and_hide_both() -> None:
    keys = {
        throttle.opaque_key("login-account", "alice"),
        throttle.opaque_key("login-client", "alice"),
        throttle.opaque_key("login-account", "bob"),
    }
    assert len(keys) == 3
    assert not any("alice" in k or "bob" in k for k in keys)


@pytest.mark.django_db
def test_reset_forgets_a_key_only() -> None:
    a, b = throttle.opaque_key("t", "a"), throttle.opaque_key("t", "b")
    throttle.hit(a, WINDOW)
    throttle.hit(b, WINDOW)
    throttle.reset(a)
    assert (throttle.count(a, WINDOW), throttle.count(b, WINDOW)) == (0, 1)


@pytest.mark.django_db
def test_the_worker_prunes_old_buckets() -> None:
    key = throttle.opaque_key("t", "a")
    with time_machine.travel(START, tick=False) as traveller:
        throttle.hit(key, WINDOW)
        traveller.shift(timedelta(days=2))
        throttle.hit(key, WINDOW)
        job = REGISTRY["core.prune_throttle"]
        assert job.func(START + timedelta(days=2)) == 1
    assert ThrottleCounter.objects.count() == 1
