"""`blueledger audit verify|checkpoint|seal`: output and exit codes."""

import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import CommandError, call_command

from blueledger.audit import actions, checkpoints
from blueledger.audit.events import record
from blueledger.audit.models import AuditEvent, ChainLink, Checkpoint

from .conftest import attacker, rechain


def _audit(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _signed_message(exported: dict) -> bytes:
    return (
        f"blueledger-audit-checkpoint/v1\ntree_size {exported['tree_size']}\n"
        f"root {exported['root']}\nhead {exported['head']}\n"
        f"created_at {exported['created_at']}\n"
    ).encode()


def test_verify_says_ok_with_the_counts_and_exits_0(db: None) -> None:
    for i in range(3):
        record("a.b", summary=str(i))
    assert _audit("checkpoint")[0] == 0
    code, out, _ = _audit("verify")
    assert code == 0
    assert out.splitlines()[0] == "ok: 3 events, 1 checkpoints"
    # The outcome is recorded in the log itself, for the audit page.
    assert AuditEvent.objects.filter(action=actions.VERIFIED).get().summary.startswith("ok: 3")


def test_verify_names_the_first_broken_event_and_exits_1(db: None) -> None:
    ids = [record("a.b", summary=str(i)).pk for i in range(4)]
    _audit("seal")
    with attacker():
        AuditEvent.objects.filter(pk=ids[1]).update(summary="edited")
    code, out, _ = _audit("verify")
    assert code == 1
    assert out.startswith(f"broken: seq 2 (event {ids[1]}): the event does not match its hash")


def test_seal_chains_every_waiting_event(db: None) -> None:
    record("a.b")
    record("a.b")
    assert _audit("seal") == (0, "sealed 2 events; the chain holds 2\n", "")
    assert ChainLink.objects.count() == 2


def test_checkpoint_creates_one_when_none_exists_and_prints_it_as_json(db: None) -> None:
    record("a.b")
    code, out, _ = _audit("checkpoint")
    exported = json.loads(out)
    assert code == 0 and exported["tree_size"] == 1 and Checkpoint.objects.count() == 1
    # Printing again shows the same one; --create signs a new one over the new events.
    assert json.loads(_audit("checkpoint")[1]) == exported
    record("a.b")
    assert json.loads(_audit("checkpoint", "--create")[1])["tree_size"] == 2
    assert Checkpoint.objects.count() == 2


def test_an_exported_checkpoint_verifies_with_its_public_key_alone(db: None) -> None:
    for i in range(5):
        record("a.b", summary=str(i))
    exported = json.loads(_audit("checkpoint")[1])
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(exported["public_key"]))
    key.verify(bytes.fromhex(exported["signature"]), _signed_message(exported))
    altered = {**exported, "root": "00" * 32}
    with pytest.raises(InvalidSignature):
        key.verify(bytes.fromhex(altered["signature"]), _signed_message(altered))


def test_verify_against_an_anchor_file(db: None, tmp_path: Path) -> None:
    ids = [record("a.b", summary=str(i)).pk for i in range(3)]
    anchor = tmp_path / "checkpoint.json"
    anchor.write_text(_audit("checkpoint")[1])
    assert _audit("verify", "--anchor", str(anchor))[1].startswith(
        "ok: 3 events, 1 checkpoints, 1 anchors"
    )
    with attacker():
        AuditEvent.objects.filter(pk=ids[0]).update(summary="edited")
        rechain()
        Checkpoint.objects.all().delete()
    checkpoints.create_checkpoint()
    code, out, _ = _audit("verify", "--anchor", str(anchor))
    assert code == 1 and "anchor (tree size 3): the root does not match" in out


def test_an_unreadable_anchor_is_an_error(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    with pytest.raises(CommandError, match="not a blueledger-audit-checkpoint"):
        call_command("audit", "verify", "--anchor", str(bad))
