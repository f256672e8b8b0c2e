"""Countries' commitments at /api/v1/member-states: compact, focal points, contributions."""

from ninja import Router

router = Router(tags=["member states"])
