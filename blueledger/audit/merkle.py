"""An RFC 9162 Merkle tree kept as its compact range: the roots of its perfect subtrees.

Leaves are leaf hashes already (the chain's link hashes, see chain.py); an interior node is
SHA-256(0x01 || left || right) and the root of an empty tree is SHA-256 of nothing. Adding leaves
hashes each interior node once, level by level in list comprehensions, which is several times
faster in Python than pushing leaves one at a time.
"""

import hashlib
from collections.abc import Sequence

_sha256 = hashlib.sha256
HASH_BYTES = 32


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


class MerkleTree:
    """The compact range of a growing tree: add leaves, read the root at any size."""

    def __init__(self) -> None:
        self.size = 0
        # levels[i] holds at most one pending perfect subtree of 2**i leaves between extends.
        self.levels: list[list[bytes]] = [[]]

    @classmethod
    def from_peaks(cls, size: int, peaks: bytes) -> "MerkleTree":
        """Rebuild the tree of SIZE leaves from its concatenated subtree roots, largest first."""
        tree = cls()
        heights = [i for i in range(size.bit_length() - 1, -1, -1) if size >> i & 1]
        if len(peaks) != HASH_BYTES * len(heights):
            raise ValueError("the subtree roots do not match the tree size")
        tree.levels = [[] for _ in range(max(heights, default=0) + 1)]
        for n, height in enumerate(heights):
            tree.levels[height].append(peaks[n * HASH_BYTES : (n + 1) * HASH_BYTES])
        tree.size = size
        return tree

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append leaf hashes, in order."""
        if not leaves:
            return
        levels = self.levels
        levels[0].extend(leaves)
        height = 0
        while height < len(levels):
            nodes = levels[height]
            if len(nodes) > 1:
                pairs = len(nodes) & ~1
                pending = iter(nodes[:pairs])
                parents = [
                    _sha256(b"\x01" + left + right).digest()
                    for left, right in zip(pending, pending, strict=True)
                ]
                del nodes[:pairs]
                if height + 1 == len(levels):
                    levels.append([])
                levels[height + 1].extend(parents)
            height += 1
        self.size += len(leaves)

    def peaks(self) -> list[bytes]:
        """The roots of the perfect subtrees, largest (leftmost) first."""
        return [nodes[0] for nodes in reversed(self.levels) if nodes]

    def root(self) -> bytes:
        peaks = self.peaks()
        if not peaks:
            return _sha256(b"").digest()
        root = peaks[-1]
        for peak in reversed(peaks[:-1]):
            root = _sha256(b"\x01" + peak + root).digest()
        return root


def reference_root(leaves: Sequence[bytes]) -> bytes:
    """MTH of RFC 9162 section 2.1.1, by its recursive definition (for tests)."""
    if not leaves:
        return _sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(reference_root(leaves[:split]), reference_root(leaves[split:]))
