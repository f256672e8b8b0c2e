"""The keyring of DESIGN.md section 5: data keys for AES-GCM, an index key, the audit signing key.

The key file is JSON:

    {"version": 1,
     "active": "k2",
     "data_keys": {"k1": "<base64 32 bytes>", "k2": "..."},
     "index_key": "<base64 32 bytes>",          # blind indexes; never rotated in place
     "secret_keys": {"receipt": "<base64>"},     # named HMAC keys for other purposes
     "signing_key": "<base64 Ed25519 seed>"}     # audit checkpoints

Encrypted values carry the id of the key that sealed them, so old values stay readable while
`blueledger keys rotate` re-encrypts them under the new active key.

Processes cache the keyring. They notice a changed key file on their own: a value sealed under a key
they do not know makes them re-read the file at once, and every few seconds they compare the file's
inode, modification time and size, so a new active key is picked up without a restart
(`forget_cached()` forces it).
"""

import base64
import binascii
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

FORMAT_VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
# Key ids prefix every stored value ("k2:...") and are matched as such: keep them plain.
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9]{1,16}")
# How often a cached keyring checks whether the key file was replaced.
RELOAD_CHECK_SECONDS = 2.0


class KeyringError(RuntimeError):
    """The key file is missing, unreadable or lacks a key a value needs."""


# Also an InvalidTag so that code written against `cryptography` keeps catching it.
class DecryptionError(KeyringError, InvalidTag):
    """A sealed value is malformed, altered, or bound to other associated data."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


def _file_version(path: Path) -> tuple[int, int, int] | None:
    # The inode changes with every atomic replace, even within one tick of a coarse clock.
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


@dataclass
class Keyring:
    path: Path
    active: str
    # Key material stays out of repr() so that it never reaches a log line or an error page.
    data_keys: dict[str, bytes] = field(repr=False)
    index_key: bytes = field(repr=False)
    signing_seed: bytes = field(repr=False)
    secret_keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    loaded_version: tuple[int, int, int] | None = field(default=None, repr=False, compare=False)
    checked_at: float = field(default=0.0, repr=False, compare=False)
    _ciphers: dict[bytes, AESGCM] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # -- encryption ---------------------------------------------------------------------------
    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> str:
        """Seal PLAINTEXT under the active key: ``<key id>:<base64 nonce+ciphertext+tag>``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._cipher(self.data_keys[self.active]).encrypt(nonce, plaintext, aad)
        return f"{self.active}:{_b64(nonce + sealed)}"

    def decrypt(self, token: str, aad: bytes = b"") -> bytes:
        """Open a value sealed by encrypt() with the same AAD; raise DecryptionError otherwise."""
        key_id, sep, body = token.partition(":")
        if not sep:
            raise DecryptionError("not a sealed value: no key id")
        key = self.data_keys.get(key_id)
        if key is None and self._reload():
            key = self.data_keys.get(key_id)
        if key is None:
            raise KeyringError(f"no data key {key_id!r} in the keyring {self.path}")
        try:
            raw = _unb64(body)
        except (binascii.Error, ValueError):
            raise DecryptionError(f"value sealed under {key_id!r} is not valid base64") from None
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError(f"value sealed under {key_id!r} is truncated")
        try:
            return self._cipher(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        except InvalidTag:
            raise DecryptionError(
                f"value sealed under {key_id!r} fails authentication: altered, or moved "
                "from another column"
            ) from None

    def _cipher(self, key: bytes) -> AESGCM:
        cipher = self._ciphers.get(key)
        if cipher is None:
            cipher = self._ciphers[key] = AESGCM(key)
        return cipher

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.partition(":")[0]

    # -- other keys ---------------------------------------------------------------------------
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing_seed)

    def secret(self, purpose: str) -> bytes:
        """Return a named HMAC key (for receipts, say), derived from the index key when not set."""
        if purpose in self.secret_keys:
            return self.secret_keys[purpose]
        return hmac.new(self.index_key, f"purpose:{purpose}".encode(), hashlib.sha256).digest()

    # -- data keys ----------------------------------------------------------------------------
    def add_data_key(self) -> str:
        """Add a fresh data key, make it the active one and return its id (not saved yet)."""
        numbers = [int(kid[1:]) for kid in self.data_keys if re.fullmatch(r"k\d+", kid)]
        key_id = f"k{max(numbers, default=0) + 1}"
        while key_id in self.data_keys:  # only when ids were written by hand
            key_id = f"k{secrets.token_hex(4)}"
        self.data_keys = {**self.data_keys, key_id: AESGCM.generate_key(bit_length=256)}
        self.active = key_id
        return key_id

    def remove_data_key(self, key_id: str) -> None:
        """Drop a data key (not saved yet); the active key cannot go."""
        if key_id not in self.data_keys:
            raise KeyringError(f"no data key {key_id!r} in the keyring {self.path}")
        if key_id == self.active:
            raise KeyringError(f"data key {key_id!r} is the active key")
        self.data_keys = {kid: k for kid, k in self.data_keys.items() if kid != key_id}

    # -- file ---------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "active": self.active,
            "data_keys": {kid: _b64(k) for kid, k in self.data_keys.items()},
            "index_key": _b64(self.index_key),
            "secret_keys": {name: _b64(k) for name, k in self.secret_keys.items()},
            "signing_key": _b64(self.signing_seed),
        }

    def save(self, *, overwrite: bool = True) -> None:
        """Write atomically, readable by the owner only; with overwrite=False, never replace."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(self.to_json(), handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            if overwrite:
                os.replace(tmp, self.path)
            else:
                # link() fails when the target exists, where rename() would replace it.
                try:
                    os.link(tmp, self.path)
                except FileExistsError:
                    raise KeyringError(f"the key file {self.path} already exists") from None
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(self.path.parent)
        self.loaded_version = _file_version(self.path)

    @classmethod
    def generate(cls, path: Path) -> "Keyring":
        return cls(
            path=path,
            active="k1",
            data_keys={"k1": AESGCM.generate_key(bit_length=256)},
            index_key=secrets.token_bytes(KEY_BYTES),
            signing_seed=secrets.token_bytes(KEY_BYTES),
        )

    @classmethod
    def load(cls, path: Path) -> "Keyring":
        version = _file_version(path)
        try:
            data = json.loads(path.read_text())
            ring = cls(
                path=path,
                active=data["active"],
                data_keys={kid: _unb64(k) for kid, k in data["data_keys"].items()},
                index_key=_unb64(data["index_key"]),
                signing_seed=_unb64(data["signing_key"]),
                secret_keys={n: _unb64(k) for n, k in data.get("secret_keys", {}).items()},
                loaded_version=version,
                checked_at=time.monotonic(),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyringError(f"cannot read the key file {path}: {exc}") from exc
        ring._validate()
        return ring

    def _validate(self) -> None:
        problems = []
        if self.active not in self.data_keys:
            problems.append(f"the active key {self.active!r} is not among the data keys")
        for kid, key in self.data_keys.items():
            if not KEY_ID_PATTERN.fullmatch(kid):
                problems.append(f"data key id {kid!r} is not 1 to 16 letters or digits")
            if len(key) != KEY_BYTES:
                problems.append(f"data key {kid!r} is not {KEY_BYTES} bytes")
        if len(self.index_key) != KEY_BYTES or len(self.signing_seed) != KEY_BYTES:
            problems.append(f"the index and signing keys must be {KEY_BYTES} bytes")
        if problems:
            raise KeyringError(f"the key file {self.path} is invalid: {'; '.join(problems)}")

    def _reload(self) -> bool:
        """Take new keys and the active key id from the file if it changed; say whether it did."""
        version = _file_version(self.path)
        if version is None or version == self.loaded_version:
            return False
        fresh = Keyring.load(self.path)
        # Keys retired from the file stay known here: this process may still hold such values.
        self.data_keys = {**self.data_keys, **fresh.data_keys}
        self.active = fresh.active
        self.secret_keys = fresh.secret_keys
        self.loaded_version = fresh.loaded_version
        return True

    def refresh_if_stale(self) -> None:
        """Re-read the file if it was replaced, looking at most every RELOAD_CHECK_SECONDS."""
        now = time.monotonic()
        if now - self.checked_at < RELOAD_CHECK_SECONDS:
            return
        self.checked_at = now
        # Keep serving with the keys already known; decrypt() reports any it then lacks.
        with suppress(KeyringError):
            self._reload()


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_lock = threading.Lock()
_cache: dict[str, Keyring] = {}


def get_keyring() -> Keyring:
    """Return the keyring at settings.KEYS_FILE; generated on first use outside production."""
    # Keyed by the plain string: this runs for every value sealed or opened, and Path is slow.
    name = os.fspath(settings.KEYS_FILE)
    with _lock:
        ring = _cache.get(name)
        if ring is None:
            path = Path(name)
            if path.exists():
                ring = Keyring.load(path)
            elif settings.PRODUCTION:
                raise KeyringError(
                    f"BLUELEDGER_KEYS_FILE {path} does not exist; create it with "
                    "'blueledger keys init' or point BLUELEDGER_KEYS_FILE at the key file"
                )
            else:
                ring = Keyring.generate(path)
                try:
                    ring.save(overwrite=False)
                except KeyringError:
                    ring = Keyring.load(path)  # another process generated it first
            _cache[name] = ring
        else:
            ring.refresh_if_stale()
        return ring


def forget_cached() -> None:
    """Drop cached keyrings, after the file changed on disk (rotation) or in tests."""
    with _lock:
        _cache.clear()


@contextmanager
def editing_keyring(path: Path | None = None) -> Iterator[Keyring]:
    """Load the key file under an exclusive lock, yield it, save it atomically on success.

    Two administrators rotating at once would otherwise each add a key and one would be lost.
    """
    path = Path(path or settings.KEYS_FILE)
    if not path.exists():
        raise KeyringError(f"BLUELEDGER_KEYS_FILE {path} does not exist")
    lock_path = path.with_name(f".{path.name}.lock")
    fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        ring = Keyring.load(path)
        yield ring
        ring.save()
    finally:
        os.close(fd)
        forget_cached()
