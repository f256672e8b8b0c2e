"""Views and API endpoints look case records up only through blueledger.cases.access."""

import re
from pathlib import Path

import blueledger

CASE_MODELS = (
    "Allegation",
    "Subject",
    "Victim",
    "Witness",
    "Referral",
    "Investigation",
    "InterimMeasure",
    "Finding",
    "StatusChange",
)
_NAMES = "|".join(CASE_MODELS)
DIRECT = re.compile(
    rf"\b({_NAMES})\.(objects|_default_manager|_base_manager)\b"
    rf"|get_(object|list)_or_404\(\s*({_NAMES})\b"
)
ROOT = Path(blueledger.__file__).parent


def entry_points() -> list[Path]:
    """Every module that answers requests: views and API modules or packages."""
    found: set[Path] = set()
    for name in ("views", "api"):
        found.update(ROOT.rglob(f"{name}.py"))
        for package in ROOT.rglob(name):
            if package.is_dir():
                found.update(package.rglob("*.py"))
    return sorted(p for p in found if "tests" not in p.parts)


def test_no_view_or_endpoint_looks_up_case_records_directly() -> None:
    offenders = []
    for path in entry_points():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if DIRECT.search(line):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}")
    assert not offenders, "use blueledger.cases.access instead:\n" + "\n".join(offenders)


def test_the_scan_catches_a_direct_lookup() -> None:
    assert DIRECT.search("allegation = Allegation.objects.get(pk=pk)")
    assert DIRECT.search("get_object_or_404(Victim, pk=pk)")
    assert not DIRECT.search("allegation = allegation_for(request.user, pk)")
    assert entry_points(), "the scan found no views or API modules at all"
