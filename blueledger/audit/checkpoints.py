"""Signed checkpoints: a Merkle tree head over links 1..N, signed with the keyring's Ed25519 key.

The signed message is plain text so that anyone can check an exported checkpoint with any Ed25519
tool:

    blueledger-audit-checkpoint/v1
    tree_size 1234
    root <hex>
    head <hex>
    created_at 2025-01-31T12:00:00.000000+00:00
"""

from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction

from blueledger.core import clock
from blueledger.crypto.keyring import get_keyring

from . import chain
from .merkle import MerkleTree
from .models import ChainLink, Checkpoint

FORMAT = "blueledger-audit-checkpoint/v1"
READ_CHUNK = 10_000


def message(tree_size: int, root: bytes, head: bytes, created_at: datetime) -> bytes:
    """The bytes a checkpoint's signature covers."""
    when = created_at.astimezone(UTC).isoformat(timespec="microseconds")
    return (
        f"{FORMAT}\ntree_size {tree_size}\nroot {root.hex()}\nhead {head.hex()}\n"
        f"created_at {when}\n"
    ).encode()


def signer_public_key() -> bytes:
    """The raw public key of the keyring's signing key: the one checkpoints must carry."""
    return get_keyring().signing_key().public_key().public_bytes_raw()


def signature_valid(
    public_key: bytes, signature: bytes, tree_size: int, root: bytes, head: bytes, at: datetime
) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, message(tree_size, root, head, at)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _start_from(previous: Checkpoint | None, size: int) -> MerkleTree:
    """The tree at the previous checkpoint, if its stored subtree roots agree with its root."""
    if previous is None or previous.tree_size > size:
        return MerkleTree()
    try:
        tree = MerkleTree.from_peaks(previous.tree_size, bytes(previous.peaks))
    except ValueError:
        return MerkleTree()
    if tree.root() != bytes(previous.root_hash) or not signature_valid(
        bytes(previous.public_key),
        bytes(previous.signature),
        previous.tree_size,
        bytes(previous.root_hash),
        bytes(previous.head_hash),
        previous.created_at,
    ):
        return MerkleTree()
    return tree


def create_checkpoint() -> Checkpoint:
    """Seal what is waiting, then sign the tree head of the whole chain."""
    chain.seal()
    with transaction.atomic():
        chain.lock_head()
        size, head = chain.head()
        tree = _start_from(Checkpoint.objects.first(), size)
        hashes = (
            ChainLink.objects.filter(seq__gt=tree.size, seq__lte=size)
            .order_by("seq")
            .values_list("hash", flat=True)
        )
        batch: list[bytes] = []
        for value in hashes.iterator(chunk_size=READ_CHUNK):
            batch.append(bytes(value))
            if len(batch) == READ_CHUNK:
                tree.extend(batch)
                batch = []
        tree.extend(batch)
        root = tree.root()
        created_at = clock.now()
        key = get_keyring().signing_key()
        return Checkpoint.objects.create(
            created_at=created_at,
            tree_size=size,
            root_hash=root,
            head_hash=head,
            public_key=key.public_key().public_bytes_raw(),
            signature=key.sign(message(size, root, head, created_at)),
            peaks=b"".join(tree.peaks()),
        )


def latest() -> Checkpoint | None:
    return Checkpoint.objects.first()


def export(checkpoint: Checkpoint) -> dict[str, Any]:
    """The checkpoint as JSON-ready data, to keep outside the operator's reach."""
    return {
        "format": FORMAT,
        "id": checkpoint.pk,
        "tree_size": checkpoint.tree_size,
        "root": bytes(checkpoint.root_hash).hex(),
        "head": bytes(checkpoint.head_hash).hex(),
        "created_at": checkpoint.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "public_key": bytes(checkpoint.public_key).hex(),
        "signature": bytes(checkpoint.signature).hex(),
    }


class AnchorError(ValueError):
    """An exported checkpoint that cannot be read."""


def parse_anchor(data: dict[str, Any]) -> dict[str, Any]:
    """Read an exported checkpoint (see export) back into sizes, bytes and a datetime."""
    try:
        if data.get("format") != FORMAT:
            raise AnchorError(f"not a {FORMAT} checkpoint")
        return {
            "tree_size": int(data["tree_size"]),
            "root": bytes.fromhex(data["root"]),
            "head": bytes.fromhex(data["head"]),
            "created_at": datetime.fromisoformat(data["created_at"]),
            "public_key": bytes.fromhex(data["public_key"]),
            "signature": bytes.fromhex(data["signature"]),
        }
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, AnchorError):
            raise
        raise AnchorError(f"unreadable checkpoint: {exc}") from exc
