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
"""

import base64
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

FORMAT_VERSION = 1
NONCE_BYTES = 12


class KeyringError(RuntimeError):
    """The key file is missing, unreadable or lacks a key a value needs."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode())


@dataclass
class Keyring:
    path: Path
    active: str
    data_keys: dict[str, bytes]
    index_key: bytes
    signing_seed: bytes
    secret_keys: dict[str, bytes] = field(default_factory=dict)

    # -- encryption ---------------------------------------------------------------------------
    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> str:
        """Seal PLAINTEXT under the active key: ``<key id>:<base64 nonce+ciphertext+tag>``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.data_keys[self.active]).encrypt(nonce, plaintext, aad)
        return f"{self.active}:{_b64(nonce + sealed)}"

    def decrypt(self, token: str, aad: bytes = b"") -> bytes:
        key_id, _, body = token.partition(":")
        key = self.data_keys.get(key_id)
        if key is None:
            raise KeyringError(f"no data key {key_id!r} in the keyring")
        raw = _unb64(body)
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.partition(":")[0]

    # -- other keys ---------------------------------------------------------------------------
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing_seed)

    def secret(self, purpose: str) -> bytes:
        """A named HMAC key (for receipts, say), derived from the index key when not set."""
        if purpose in self.secret_keys:
            return self.secret_keys[purpose]
        import hashlib
        import hmac

        return hmac.new(self.index_key, f"purpose:{purpose}".encode(), hashlib.sha256).digest()

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

    def save(self) -> None:
        """Write atomically, readable by the owner only."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self.to_json(), handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    @classmethod
    def generate(cls, path: Path) -> "Keyring":
        return cls(
            path=path,
            active="k1",
            data_keys={"k1": AESGCM.generate_key(bit_length=256)},
            index_key=secrets.token_bytes(32),
            signing_seed=secrets.token_bytes(32),
        )

    @classmethod
    def load(cls, path: Path) -> "Keyring":
        try:
            data = json.loads(path.read_text())
            return cls(
                path=path,
                active=data["active"],
                data_keys={kid: _unb64(k) for kid, k in data["data_keys"].items()},
                index_key=_unb64(data["index_key"]),
                signing_seed=_unb64(data["signing_key"]),
                secret_keys={n: _unb64(k) for n, k in data.get("secret_keys", {}).items()},
            )
        except (OSError, ValueError, KeyError) as exc:
            raise KeyringError(f"cannot read the key file {path}: {exc}") from exc


_lock = threading.Lock()
_cache: dict[Path, Keyring] = {}


def get_keyring() -> Keyring:
    """The keyring at settings.KEYS_FILE; generated on first use outside production."""
    path = Path(settings.KEYS_FILE)
    with _lock:
        ring = _cache.get(path)
        if ring is None:
            if path.exists():
                ring = Keyring.load(path)
            elif settings.PRODUCTION:
                raise KeyringError(f"BLUELEDGER_KEYS_FILE {path} does not exist")
            else:
                ring = Keyring.generate(path)
                ring.save()
            _cache[path] = ring
        return ring


def forget_cached() -> None:
    """Drop cached keyrings, after the file changed on disk (rotation) or in tests."""
    with _lock:
        _cache.clear()
