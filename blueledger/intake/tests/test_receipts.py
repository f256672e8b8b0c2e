"""Receipt codes: 100 bits, easy to read aloud, stored only as keyed hashes."""

import re

from hypothesis import given
from hypothesis import strategies as st

from blueledger.intake import receipts

SYMBOLS = st.text(alphabet=receipts.ALPHABET, min_size=20, max_size=20)


def test_a_new_code_has_100_bits_in_five_groups_without_look_alikes() -> None:
    code = receipts.new_code()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}", code)
    assert receipts.BITS >= 80
    assert len({receipts.new_code() for _ in range(1000)}) == 1000


@given(SYMBOLS)
def test_typing_variants_read_as_the_same_code(symbols: str) -> None:
    code = receipts.format_code(symbols)
    stored = receipts.store(code)
    spoken = symbols.lower().replace("0", "o").replace("1", "l")
    for typed in (
        code,
        code.lower(),
        " ".join(symbols[i : i + 4] for i in range(0, 20, 4)),
        spoken,
    ):
        assert receipts.lookup_of(typed) == stored.lookup
        assert receipts.matches(typed, stored.salt, stored.check)


@given(SYMBOLS, SYMBOLS)
def test_another_code_never_matches(first: str, second: str) -> None:
    stored = receipts.store(receipts.format_code(first))
    if first != second:
        assert not receipts.matches(second, stored.salt, stored.check)
        assert receipts.lookup_of(second) != stored.lookup


def test_stored_hashes_reveal_nothing_of_the_code_and_salts_differ() -> None:
    code = receipts.new_code()
    one, two = receipts.store(code), receipts.store(code)
    assert one.lookup == two.lookup and one.check != two.check
    for value in (one.lookup, one.salt, one.check):
        assert code.replace("-", "").lower() not in value.lower()


@given(st.text(max_size=100))
def test_malformed_input_is_refused_quietly(text: str) -> None:
    symbols = receipts.normalise(text)
    assert symbols is None or (len(symbols) == 20 and set(symbols) <= set(receipts.ALPHABET))
    if symbols is None:
        assert receipts.lookup_of(text) is None
        assert not receipts.matches(text, "00" * 16, "0" * 64)
