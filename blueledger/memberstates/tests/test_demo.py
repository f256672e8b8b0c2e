"""The demo's commitments: realistic, synthetic and idempotent."""

import pytest

from blueledger.core.demo import DemoContext, demo_reference_data
from blueledger.memberstates.compact import overview
from blueledger.memberstates.demo import MONTHS, demo_commitments
from blueledger.memberstates.models import Contribution, Country, FocalPoint

pytestmark = pytest.mark.django_db


def test_demo_commitments_are_realistic_and_idempotent() -> None:
    context = DemoContext()
    demo_reference_data(context)
    demo_commitments(context)
    counts = (
        Contribution.objects.count(),
        FocalPoint.objects.count(),
        Country.objects.filter(compact_signed_on__isnull=False).count(),
    )
    assert Contribution.objects.values("month").distinct().count() == MONTHS
    fpu = Contribution.objects.filter(category="FPU", country="SEN", mission__code="MONUSCO")
    assert all(130 <= c.count <= 150 for c in fpu)
    assert all(p.email.endswith("@example.org") for p in FocalPoint.objects.all())
    shown = overview()
    assert shown.signatories and shown.non_signatories
    demo_commitments(context)
    assert counts == (
        Contribution.objects.count(),
        FocalPoint.objects.count(),
        Country.objects.filter(compact_signed_on__isnull=False).count(),
    )
