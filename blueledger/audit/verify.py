"""Verification: recompute every link and every checkpoint, and name the first thing broken.

Each link is checked against the stored hash of the link before it, so an edit, deletion, insertion
or reordering of a sealed event breaks the link where it happened. Someone who also recomputes the
hashes after their change rewrites the chain consistently; the checkpoints catch that, since their
roots are signed, and an exported checkpoint (an "anchor") catches it even when the signing key
was stolen and the checkpoints in the database were replaced.

The stream is the hot path: one query in sequence order, rows as bytes, one formatting and one
SHA-256 per event, and Merkle subtrees hashed a level at a time only as far as the last checkpoint.
"""

import gc
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection

from . import chain, checkpoints, guards
from .merkle import MerkleTree
from .models import AuditEvent, ChainLink, Checkpoint

FETCH_CHUNK = 4096
PREFETCH_CHUNKS = 4
MAX_PROBLEMS_KEPT = 100


@dataclass(frozen=True)
class Problem:
    """One thing found broken; ``position`` (a sequence number) places it in the log."""

    position: int
    reason: str
    seq: int | None = None
    event_id: int | None = None
    checkpoint_id: int | None = None

    def __str__(self) -> str:
        return self.reason


@dataclass
class Report:
    events: int = 0
    checkpoints: int = 0
    anchors: int = 0
    unsealed: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    missing_guards: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def first(self) -> Problem | None:
        """The broken thing earliest in the log."""
        return min(self.problems, key=lambda p: p.position, default=None)

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)

    def summary(self) -> str:
        """One line, non-personal: what the command prints and the audit event records."""
        if self.ok:
            text = f"ok: {self.events} events, {self.checkpoints} checkpoints"
            if self.anchors:
                text += f", {self.anchors} anchors"
        else:
            text = f"broken: {self.first}"
            if self.problem_count > 1:
                text += f" ({self.problem_count} problems in all)"
        return text


@dataclass
class _Target:
    """A tree head to check: a checkpoint in the database or an anchor kept elsewhere."""

    kind: str
    tree_size: int
    root: bytes
    head: bytes
    checkpoint_id: int | None = None


def _label(target: _Target) -> str:
    if target.checkpoint_id is not None:
        return f"checkpoint {target.checkpoint_id} (tree size {target.tree_size})"
    return f"anchor (tree size {target.tree_size})"


def _check_signatures(
    report: Report, stored: Iterable[Checkpoint], anchors: Iterable[dict[str, Any]]
) -> list[_Target]:
    """Check each signature and key; return the tree heads whose roots remain to be recomputed."""
    anchors = list(anchors)
    trusted = {checkpoints.signer_public_key(), *(a["public_key"] for a in anchors)}
    targets = []
    heads: list[tuple[str, int | None, int, bytes, bytes, datetime, bytes, bytes]] = [
        (
            "checkpoint",
            c.pk,
            c.tree_size,
            bytes(c.root_hash),
            bytes(c.head_hash),
            c.created_at,
            bytes(c.public_key),
            bytes(c.signature),
        )
        for c in stored
    ]
    heads += [
        (
            "anchor",
            None,
            a["tree_size"],
            a["root"],
            a["head"],
            a["created_at"],
            a["public_key"],
            a["signature"],
        )
        for a in anchors
    ]
    for kind, pk, size, root, head, created_at, public_key, signature in heads:
        target = _Target(kind, size, root, head, pk)
        if kind == "checkpoint":
            report.checkpoints += 1
        else:
            report.anchors += 1
        if public_key not in trusted:
            reason = f"{_label(target)}: signed by a key that is not the keyring's"
            report.add(Problem(size, reason, checkpoint_id=pk))
        elif not checkpoints.signature_valid(public_key, signature, size, root, head, created_at):
            reason = f"{_label(target)}: the signature does not verify"
            report.add(Problem(size, reason, checkpoint_id=pk))
        targets.append(target)
    return targets


def _stream() -> Iterator[list[tuple[Any, ...]]]:
    vendor = connection.vendor
    # SQLite stores any type in any column: the casts keep hand-written values from crashing the
    # loop (they then fail their hash instead).
    link = "l.seq, l.event_id, l.hash"
    if vendor == "sqlite":
        link = "CAST(l.seq AS INTEGER), l.event_id, ifnull(CAST(l.hash AS BLOB), x'')"
    sql = (
        f"SELECT {link}, e.id, {chain.select_fields(vendor)} "  # noqa: S608
        f"FROM {chain.LINK_TABLE} l LEFT JOIN {chain.EVENT_TABLE} e ON e.id = l.event_id "
        "ORDER BY l.seq"
    )
    with chain.bytes_cursor("blueledger_audit_verify") as cursor:
        cursor.execute(sql)

        def fetch() -> list[tuple[Any, ...]]:
            return cursor.fetchmany(FETCH_CHUNK)

        if vendor == "postgresql":
            # The server computes the next rows while Python hashes these.
            yield from _prefetched(fetch)
        else:
            while rows := fetch():
                yield rows


def _prefetched(fetch: Callable[[], list[tuple[Any, ...]]]) -> Iterator[list[tuple[Any, ...]]]:
    """Call FETCH in a thread, ahead of the caller, until it returns no rows.

    Waiting for the network releases the GIL, so the server's work and Python's overlap. FETCH
    must use the database driver directly: Django's connections belong to their thread.
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=PREFETCH_CHUNKS)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            while not stop.is_set() and (rows := fetch()):
                while not stop.is_set():
                    try:
                        ready.put(rows, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put(exc)
        else:
            ready.put(done)

    thread = threading.Thread(target=produce, name="audit-verify-prefetch", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:  # unblock a producer waiting on a full queue
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.1)


def verify(anchors: Iterable[dict[str, Any]] = ()) -> Report:
    """Recompute every link and every checkpoint (and ANCHORS, see checkpoints.parse_anchor)."""
    started = time.perf_counter()
    report = Report()
    # Checkpoints first: links only grow, so every checkpoint read here is within the stream.
    stored = Checkpoint.objects.order_by("tree_size", "id")
    targets = deque(sorted(_check_signatures(report, stored, anchors), key=lambda t: t.tree_size))
    tree = MerkleTree()
    last_leaf = chain.ZERO_HASH
    expected = 1
    prev = chain.ZERO_HASH
    fmt = chain.LEAF_FORMAT
    sha256 = chain._sha256

    def check_targets_up_to(size: int) -> None:
        while targets and targets[0].tree_size <= size:
            target = targets.popleft()
            label = _label(target)
            reason = ""
            if tree.root() != target.root:
                reason = (
                    f"{label}: the root does not match the events: sealed events were rewritten"
                )
            elif last_leaf != target.head:
                reason = f"{label}: the chain head does not match"
            if reason:
                report.add(Problem(target.tree_size, reason, checkpoint_id=target.checkpoint_id))

    gc_was_enabled = gc.isenabled()
    gc.disable()  # the stream allocates millions of short-lived objects and no cycles
    try:
        check_targets_up_to(0)
        for rows in _stream():
            for (
                seq,
                link_event_id,
                stored,
                event_id,
                created_at,
                actor_id,
                organisation_id,
                actor_label,
                action,
                object_type,
                object_id,
                summary,
            ) in rows:
                if seq != expected or event_id is None:
                    _report_gap_or_missing(report, expected, seq, link_event_id, event_id)
                    expected = seq
                if event_id is not None:
                    try:
                        data = fmt % (
                            prev,
                            seq,
                            event_id,
                            created_at,
                            actor_id,
                            organisation_id,
                            len(actor_label),
                            actor_label,
                            len(action),
                            action,
                            len(object_type),
                            object_type,
                            len(object_id),
                            object_id,
                            len(summary),
                            summary,
                        )
                    except TypeError:  # a value of the wrong type or NULL, written by hand
                        data = b"\x00"
                    if sha256(data).digest() != stored:
                        _report_mismatch(report, seq, event_id)
                prev = stored
                expected += 1
            report.events += len(rows)
            if not targets:
                continue  # no checkpoint beyond here: the Merkle tree is not needed
            leaves = [row[2] for row in rows]
            offset = 0
            while targets and targets[0].tree_size <= tree.size + len(leaves) - offset:
                cut = targets[0].tree_size - tree.size
                tree.extend(leaves[offset : offset + cut])
                offset += cut
                last_leaf = leaves[offset - 1] if offset else last_leaf
                check_targets_up_to(tree.size)
            tree.extend(leaves[offset:])
            last_leaf = leaves[-1]
    finally:
        if gc_was_enabled:
            gc.enable()
    for target in targets:
        reason = (
            f"{_label(target)}: covers {target.tree_size} events but only {report.events} are "
            "chained: sealed events were deleted"
        )
        position = min(target.tree_size, report.events + 1)
        report.add(Problem(position, reason, checkpoint_id=target.checkpoint_id))
    report.unsealed = max(0, AuditEvent.objects.count() - ChainLink.objects.count())
    report.missing_guards = guards.expected(connection) - guards.installed(connection)
    report.seconds = time.perf_counter() - started
    return report


def _report_gap_or_missing(
    report: Report, expected: int, seq: int, link_event_id: int, event_id: int | None
) -> None:
    if seq != expected:
        where = f"seq {expected}" if seq == expected + 1 else f"seqs {expected} to {seq - 1}"
        reason = (
            f"{where}: missing from the chain" if seq > expected else f"seq {seq}: out of order"
        )
        report.add(Problem(min(seq, expected), reason, seq=min(seq, expected)))
    if event_id is None:
        reason = f"seq {seq} (event {link_event_id}): the event is missing"
        report.add(Problem(seq, reason, seq=seq, event_id=link_event_id))


def _report_mismatch(report: Report, seq: int, event_id: int) -> None:
    reason = (
        f"seq {seq} (event {event_id}): the event does not match its hash: "
        "it was changed, moved or replaced"
    )
    report.add(Problem(seq, reason, seq=seq, event_id=event_id))
