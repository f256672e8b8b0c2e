"""The Merkle tree: RFC 6962/9162 known answers, and any chunking or restart gives the same root."""

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from blueledger.audit.merkle import MerkleTree, reference_root

# Leaf inputs and roots of the Certificate Transparency reference test data.
CT_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def _leaves(count: int) -> list[bytes]:
    return [hashlib.sha256(b"\x00" + i.to_bytes(4, "big")).digest() for i in range(count)]


def test_roots_match_the_certificate_transparency_test_data() -> None:
    leaves = [hashlib.sha256(b"\x00" + data).digest() for data in CT_INPUTS]
    for size, root in CT_ROOTS.items():
        tree = MerkleTree()
        tree.extend(leaves[:size])
        assert tree.root().hex() == root


def test_the_empty_tree_has_the_hash_of_nothing_as_root() -> None:
    assert MerkleTree().root() == hashlib.sha256(b"").digest() == reference_root([])


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=12))
def test_any_chunking_gives_the_root_of_the_definition(chunks: list[int]) -> None:
    leaves = _leaves(sum(chunks))
    tree = MerkleTree()
    start = 0
    for size in chunks:
        tree.extend(leaves[start : start + size])
        start += size
        assert tree.size == start
        assert tree.root() == reference_root(leaves[:start])


@given(st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=300))
def test_a_tree_restarted_from_its_peaks_continues_where_it_stopped(first: int, more: int) -> None:
    leaves = _leaves(first + more)
    tree = MerkleTree()
    tree.extend(leaves[:first])
    restarted = MerkleTree.from_peaks(first, b"".join(tree.peaks()))
    restarted.extend(leaves[first:])
    assert restarted.root() == reference_root(leaves)
