"""`blueledger check` refuses an unsafe production configuration and names the setting."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from blueledger.crypto.keyring import Keyring

LONG_SECRET = "s" * 20 + "-a-long-random-production-secret-value"


def _check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BLUELEDGER_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    # Django's own model checks open the SQLite file when DATABASE_URL is unset, and fail with a
    # traceback if its directory does not exist; the data directory exists on any real host.
    (tmp_path / "var").mkdir(exist_ok=True)
    base["BLUELEDGER_DATA_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [sys.executable, "-m", "blueledger.cli", "check"],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def production(tmp_path: Path) -> dict[str, str]:
    """A correct production configuration; each test breaks one part of it."""
    keys = tmp_path / "keys.json"
    Keyring.generate(keys).save()
    return {
        "BLUELEDGER_PRODUCTION": "true",
        "BLUELEDGER_SECRET_KEY": LONG_SECRET,
        "BLUELEDGER_KEYS_FILE": str(keys),
        # `check` does not connect, so nothing needs to listen here.
        "DATABASE_URL": "postgres://blueledger@db.invalid:5432/blueledger",
        "BLUELEDGER_ALLOWED_HOSTS": "ledger.example.org",
    }


def test_a_correct_production_configuration_passes(
    production: dict[str, str], tmp_path: Path
) -> None:
    result = _check(production, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_laptop_default_passes(tmp_path: Path) -> None:
    assert _check({}, tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"BLUELEDGER_DEBUG": "true"}, "BLUELEDGER_DEBUG"),
        ({"BLUELEDGER_SECRET_KEY": ""}, "BLUELEDGER_SECRET_KEY"),
        ({"BLUELEDGER_SECRET_KEY": "insecure-default-do-not-use"}, "BLUELEDGER_SECRET_KEY"),
        ({"BLUELEDGER_SECRET_KEY": "short"}, "BLUELEDGER_SECRET_KEY"),
        ({"BLUELEDGER_KEYS_FILE": "/nonexistent/keys.json"}, "BLUELEDGER_KEYS_FILE"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"BLUELEDGER_DEBUG": "maybe"}, "BLUELEDGER_DEBUG"),
        ({"BLUELEDGER_PRODUCTION": "yes please"}, "BLUELEDGER_PRODUCTION"),
        (
            {"BLUELEDGER_SECRET_KEY": "", "BLUELEDGER_SECRET_KEY_FILE": "/nonexistent"},
            "BLUELEDGER_SECRET_KEY_FILE",
        ),
    ],
)
def test_each_misconfiguration_fails_naming_the_setting(
    production: dict[str, str], tmp_path: Path, change: dict[str, str], named: str
) -> None:
    result = _check({**production, **change}, tmp_path)
    assert result.returncode != 0
    assert named in result.stderr


def test_an_unreadable_key_file_fails(production: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = _check({**production, "BLUELEDGER_KEYS_FILE": str(broken)}, tmp_path)
    assert result.returncode != 0
    assert "BLUELEDGER_KEYS_FILE" in result.stderr


def test_a_secret_key_file_is_accepted(production: dict[str, str], tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(LONG_SECRET + "\n")
    env = {**production, "BLUELEDGER_SECRET_KEY": "", "BLUELEDGER_SECRET_KEY_FILE": str(secret)}
    assert _check(env, tmp_path).returncode == 0


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    result = _check(
        {
            "BLUELEDGER_PRODUCTION": "true",
            "BLUELEDGER_DEBUG": "on",
            "BLUELEDGER_KEYS_FILE": str(tmp_path / "missing.json"),
        },
        tmp_path,
    )
    assert result.returncode != 0
    for name in [
        "BLUELEDGER_DEBUG",
        "BLUELEDGER_SECRET_KEY",
        "BLUELEDGER_KEYS_FILE",
        "DATABASE_URL",
    ]:
        assert name in result.stderr
