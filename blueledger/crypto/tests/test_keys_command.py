import json
import re
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blueledger.crypto import rotation
from blueledger.crypto.keyring import Keyring, get_keyring

from .conftest import Dossier, raw_column, write_raw


def keys(*args: str) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    recorded: list[tuple[str, dict]] = []
    monkeypatch.setattr(rotation, "record", lambda action, **kw: recorded.append((action, kw)))
    return recorded


@pytest.fixture
def dossiers(dossier: type[Dossier]) -> list[Dossier]:
    return [
        Dossier.objects.create(
            reference=f"D{i}",
            narrative=f"narrative {i}",
            details={"n": i} if i % 2 else None,
            passport=f"P{i:07d}",
        )
        for i in range(7)
    ]


def stored_key_ids(column: str) -> set[str]:
    return {
        raw.partition(":")[0]
        for pk in Dossier.objects.values_list("pk", flat=True)
        if (raw := raw_column(Dossier, column, pk)) is not None
    }


def test_init_creates_an_owner_only_key_file_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "keys.json"
    output = keys("init", "--path", str(path))
    assert str(path) in output and "k1" in output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(json.loads(path.read_text())) >= {"active", "data_keys", "index_key", "signing_key"}
    before = path.read_text()
    with pytest.raises(CommandError, match="already exists"):
        keys("init", "--path", str(path))
    assert path.read_text() == before


def test_init_prints_no_key_material(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    output = keys("init", "--path", str(path))
    for secret in json.loads(path.read_text())["data_keys"].values():
        assert secret not in output


def test_status_counts_values_per_key_in_each_column(dossiers: list[Dossier]) -> None:
    output = keys("status")
    assert "Active data key: k1" in output
    assert re.search(r"crypto\.dossier\.narrative\s+k1=7", output)
    assert re.search(r"crypto\.dossier\.details\s+k1=3", output)
    assert "older keys" not in output


def test_rotate_reencrypts_every_row_in_batches(
    dossiers: list[Dossier], events: list, settings: Any
) -> None:
    before = {d.pk: (d.narrative, d.details, d.passport) for d in Dossier.objects.all()}
    output = keys("rotate", "--batch-size", "3")

    assert "Active data key is now k2 (was k1)" in output
    for batch, count in ((1, 3), (2, 3), (3, 1)):
        assert f"crypto.dossier.narrative: batch {batch}, {count} values re-encrypted" in output
    assert "crypto.dossier.details: batch 1, 3 values re-encrypted" in output
    assert "17 values re-encrypted." in output
    assert stored_key_ids("narrative") == stored_key_ids("details") == {"k2"}
    after = {d.pk: (d.narrative, d.details, d.passport) for d in Dossier.objects.all()}
    assert after == before
    assert stat.S_IMODE(settings.KEYS_FILE.stat().st_mode) == 0o600
    assert json.loads(settings.KEYS_FILE.read_text())["data_keys"].keys() == {"k1", "k2"}
    assert [name for name, _ in events] == ["keys.rotated", "keys.reencrypted"]
    assert events[0][1]["summary"] == "active data key k2 replaces k1"
    assert events[1][1]["summary"].startswith("17 values re-encrypted")


def test_reencrypt_is_idempotent(dossiers: list[Dossier], events: list) -> None:
    keys("rotate")
    first = {pk: raw_column(Dossier, "narrative", pk) for pk in [d.pk for d in dossiers]}
    output = keys("reencrypt")
    assert "0 values re-encrypted." in output
    assert {pk: raw_column(Dossier, "narrative", pk) for pk in first} == first


def test_a_stale_writer_is_caught_by_resume_and_retire_waits_for_it(
    dossiers: list[Dossier], events: list, settings: Any
) -> None:
    stale = Keyring.load(settings.KEYS_FILE)  # a process that has not yet seen the rotation
    keys("rotate", "--batch-size", "2")
    late = stale.encrypt(b"written late with the old key", b"crypto.dossier.narrative")
    write_raw(Dossier, "narrative", dossiers[0].pk, late)

    assert re.search(r"crypto\.dossier\.narrative\s+k1=1  k2=6", keys("status"))
    with pytest.raises(CommandError, match=r"still seals values in crypto\.dossier\.narrative"):
        keys("retire", "k1")

    assert "1 values re-encrypted." in keys("rotate", "--resume")
    assert Dossier.objects.get(pk=dossiers[0].pk).narrative == "written late with the old key"
    assert "Data key k1 retired." in keys("retire", "k1")
    assert json.loads(settings.KEYS_FILE.read_text())["data_keys"].keys() == {"k2"}
    assert "Data keys: k2" in keys("status")
    assert [name for name, _ in events][-1] == "keys.retired"


def test_the_active_key_cannot_be_retired(dossier: type[Dossier]) -> None:
    get_keyring()
    with pytest.raises(CommandError, match="active key"):
        keys("retire", "k1")


def test_an_unreadable_value_is_left_alone_and_named(dossiers: list[Dossier], events: list) -> None:
    broken = dossiers[3].pk
    write_raw(Dossier, "narrative", broken, raw_column(Dossier, "passport", broken))
    with pytest.raises(CommandError, match=rf"1 values could not be decrypted.*pk={broken}"):
        keys("rotate")
    assert stored_key_ids("narrative") == {"k1", "k2"}
    assert stored_key_ids("passport") == {"k2"}


def test_the_batch_size_must_be_positive(dossier: type[Dossier]) -> None:
    with pytest.raises(CommandError, match="batch-size"):
        keys("rotate", "--batch-size", "0")
