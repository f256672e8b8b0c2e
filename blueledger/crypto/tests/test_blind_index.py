import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blueledger.crypto.blind_index import (
    INDEX_HEX_CHARS,
    blind_index,
    index_filter,
    normalise,
    normalise_identifier,
)
from blueledger.crypto.keyring import forget_cached

from .conftest import Dossier, raw_column

# Letters that normalise() leaves as they are: lowercase, unaccented, in several scripts.
CANONICAL_LETTERS = (
    string.ascii_lowercase
    + "абвгдежзийклмнопрстуфхцчшщъыьэюя"
    + "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    + "αβγδεζηθικλμνξοπρστυφχψω"
    + "张伟王芳李娜刘洋"
    + "कखगघचछजझटठडढणतथदधनपफबभमयरलवशसह"
    + string.digits
)
canonical_words = st.text(alphabet=CANONICAL_LETTERS, min_size=1, max_size=12)
canonical_names = st.lists(canonical_words, min_size=1, max_size=4).map(" ".join)


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("  José   María-O'Brien ", "jose maria obrien"),
        ("JOSÉ MARÍA O’BRIEN", "jose maria obrien"),
        ("Straße", "strasse"),
        ("Øyvind Łukasz", "oyvind lukasz"),
        ("Мухаммед Йылмаз", "мухаммед йылмаз"),
        ("مُحَمَّد", "محمد"),
        ("محمـــد", "محمد"),
        ("张伟", "张伟"),
        ("राम सिंह", "राम सिंह"),
        ("ＡＢ１２３", "ab123"),
        ("٣٤٥", "345"),
    ],
)
def test_normalise_folds_case_accents_punctuation_and_keeps_every_script(
    variant: str, expected: str
) -> None:
    assert normalise(variant) == expected


def test_identifiers_ignore_spacing_and_separators() -> None:
    assert normalise_identifier("AB-123 456") == normalise_identifier("ab123456") == "ab123456"


@given(st.text())
def test_normalise_is_idempotent(value: str) -> None:
    once = normalise(value)
    assert normalise(once) == once


@given(st.text())
def test_normalise_ignores_case(value: str) -> None:
    assert normalise(value.upper()) == normalise(value) == normalise(value.lower())


@given(
    st.lists(canonical_words, min_size=1, max_size=4),
    st.lists(st.sampled_from(" \t\n\u00a0\u3000")),
)
def test_normalise_ignores_spacing(words: list[str], spaces: list[str]) -> None:
    gaps = [(spaces[i] if i < len(spaces) else " ") * 2 for i in range(len(words))]
    spaced = " " + "".join(word + gap for word, gap in zip(words, gaps, strict=True))
    assert normalise(spaced) == " ".join(words)


@given(canonical_names)
def test_normalise_leaves_canonical_names_alone(name: str) -> None:
    assert normalise(name) == name


@given(canonical_names, canonical_names)
def test_distinct_names_stay_distinct(first: str, second: str) -> None:
    assert (normalise(first) == normalise(second)) == (first == second)


def test_the_index_is_truncated_hex_and_depends_on_the_purpose() -> None:
    index = blind_index("AB 123456", "screening.passport")
    assert len(index) == INDEX_HEX_CHARS
    assert int(index, 16) >= 0
    assert index == blind_index("ab-123456", "screening.passport")
    assert index != blind_index("AB 123456", "screening.national_id")


def test_the_index_depends_on_the_index_key(settings: Any, tmp_path: Path) -> None:
    first = blind_index("Amina", "names")
    settings.KEYS_FILE = tmp_path / "other-keys.json"
    forget_cached()
    assert blind_index("Amina", "names") != first


@pytest.mark.parametrize("value", ["", "   ", "-- ' --"])
def test_nothing_left_to_index_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="nothing is left"):
        blind_index(value, "names")


@pytest.mark.usefixtures("dossier")
def test_the_index_field_fills_itself_and_finds_the_row() -> None:
    row = Dossier.objects.create(passport="AB 123 456")
    other = Dossier.objects.create(passport="CD 999")
    Dossier.objects.create(passport=None)
    assert raw_column(Dossier, "passport_bidx", row.pk) == blind_index(
        "ab123456", "tests.passport", normaliser=normalise_identifier
    )
    assert list(Dossier.objects.filter(index_filter(Dossier, "passport_bidx", "ab-123456"))) == [
        row
    ]
    other.passport = "AB123456"
    other.save()
    assert Dossier.objects.filter(index_filter(Dossier, "passport_bidx", "ab 123456")).count() == 2


@pytest.mark.usefixtures("dossier")
def test_an_empty_value_has_no_index_and_matches_nothing() -> None:
    row = Dossier.objects.create(passport="")
    assert row.passport_bidx is None
    assert not Dossier.objects.filter(index_filter(Dossier, "passport_bidx", "")).exists()
