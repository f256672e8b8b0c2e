"""The Member State liaison portal at /api/v1/member-states: inbox, answers, scorecard."""

from ninja import Router

router = Router(tags=["member states"])
