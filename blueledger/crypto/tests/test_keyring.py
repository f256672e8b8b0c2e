import stat
from pathlib import Path
from typing import Any

import pytest

from blueledger.crypto import keyring
from blueledger.crypto.checks import key_file_permissions
from blueledger.crypto.keyring import (
    DecryptionError,
    Keyring,
    KeyringError,
    forget_cached,
    get_keyring,
)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_generated_key_file_is_readable_by_its_owner_only(settings: Any) -> None:
    ring = get_keyring()
    assert ring.path == settings.KEYS_FILE
    assert mode_of(settings.KEYS_FILE) == 0o600


def test_a_missing_key_file_in_production_names_the_setting(settings: Any, tmp_path: Path) -> None:
    settings.PRODUCTION = True
    settings.KEYS_FILE = tmp_path / "absent.json"
    forget_cached()
    with pytest.raises(KeyringError, match="BLUELEDGER_KEYS_FILE"):
        get_keyring()
    assert not settings.KEYS_FILE.exists()


def test_key_material_stays_out_of_repr() -> None:
    ring = get_keyring()
    text = repr(ring)
    assert ring.active in text
    for key in [*ring.data_keys.values(), ring.index_key, ring.signing_seed]:
        assert key.hex() not in text and str(key) not in text


def test_a_value_needs_the_same_associated_data() -> None:
    ring = get_keyring()
    token = ring.encrypt(b"secret", b"cases.party.name")
    assert ring.decrypt(token, b"cases.party.name") == b"secret"
    with pytest.raises(DecryptionError):
        ring.decrypt(token, b"cases.party.contact")


def test_a_process_holding_the_old_keyring_reads_values_under_a_new_key(settings: Any) -> None:
    stale = get_keyring()
    rotated = Keyring.load(settings.KEYS_FILE)
    rotated.add_data_key()
    rotated.save()
    token = rotated.encrypt(b"sealed after rotation")
    # The unknown key id makes the stale keyring re-read the file; it then writes with the new key.
    assert stale.decrypt(token) == b"sealed after rotation"
    assert stale.active == rotated.active


def test_a_running_process_picks_up_a_new_active_key(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyring, "RELOAD_CHECK_SECONDS", 0)
    assert get_keyring().active == "k1"
    rotated = Keyring.load(settings.KEYS_FILE)
    rotated.add_data_key()
    rotated.save()
    assert get_keyring().active == "k2"
    assert get_keyring().encrypt(b"new").startswith("k2:")


def test_an_unknown_key_id_is_an_error_naming_it() -> None:
    with pytest.raises(KeyringError, match="'k9'"):
        get_keyring().decrypt("k9:AAAA")


def test_a_corrupt_key_file_is_refused(settings: Any) -> None:
    get_keyring()
    settings.KEYS_FILE.write_text('{"active": "k2", "data_keys": {"k1": "AAAA"}}')
    forget_cached()
    with pytest.raises(KeyringError, match="cannot read the key file"):
        get_keyring()


def test_a_key_file_others_can_read_is_reported(settings: Any) -> None:
    get_keyring()
    assert key_file_permissions() == []
    settings.KEYS_FILE.chmod(0o644)
    assert [m.id for m in key_file_permissions()] == ["crypto.W001"]
    settings.PRODUCTION = True
    assert [m.id for m in key_file_permissions()] == ["crypto.E002"]
