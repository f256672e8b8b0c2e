"""French ships complete, and the compiled catalogues match their sources."""

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def parse_po(path: Path) -> list[dict[str, object]]:
    """Read a .po file into entries: msgid, msgid_plural, msgstr (a list), flags."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] = {}
    key = ""

    def close() -> None:
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))  # type: ignore[union-attr]
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if key.startswith("msgstr"):
                strs = entry["msgstr"]
                strs[-1] += value  # type: ignore[index]
            else:
                entry[key] = str(entry[key]) + value
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        if keyword.startswith("msgstr"):
            key = "msgstr"
            entry.setdefault("msgstr", []).append(value)  # type: ignore[union-attr]
        else:
            if keyword == "msgid" and "msgstr" in entry:
                close()
            key = keyword
            entry[keyword] = value
    close()
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


@pytest.fixture(scope="module")
def french() -> list[dict[str, object]]:
    return parse_po(LOCALE / "fr" / "LC_MESSAGES" / "django.po")


def test_every_french_string_is_translated(french: list[dict[str, object]]) -> None:
    missing = [e["msgid"] for e in french if not all(e["msgstr"])]  # type: ignore[arg-type]
    assert missing == []


def test_no_french_translation_is_fuzzy(french: list[dict[str, object]]) -> None:
    fuzzy = [e["msgid"] for e in french if "fuzzy" in e.get("flags", set())]  # type: ignore[operator]
    assert fuzzy == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in parse_po(folder / "django.po"):
        strs: list[str] = entry["msgstr"]  # type: ignore[assignment]
        if not strs[0] or "fuzzy" in entry.get("flags", set()):  # type: ignore[operator]
            continue
        msgid, context = str(entry["msgid"]), entry.get("msgctxt")
        if "msgid_plural" in entry:
            if language != "fr":
                continue  # n=1 maps to another plural form in Arabic; French checks the mechanism
            plural = str(entry["msgid_plural"])
            found = (
                compiled.npgettext(str(context), msgid, plural, 1)
                if context
                else compiled.ngettext(msgid, plural, 1)
            )
        else:
            found = compiled.pgettext(str(context), msgid) if context else compiled.gettext(msgid)
        assert found == strs[0], (language, msgid)
