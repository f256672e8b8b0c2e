"""Victim support API: /api/v1/victims, /api/v1/paternity-claims, /api/v1/service-providers."""

from ninja import Router

router = Router(tags=["victim support"])
