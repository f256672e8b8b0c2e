"""Signals of the deadlines app, for apps that keep a summary of their records' deadlines."""

from django.dispatch import Signal

# Sent (sender=Obligation) inside the changing transaction, after obligations were opened, met or
# cancelled: ``obligations`` lists them, ``record`` is the record the caller named, or None.
# ``update()`` fires no model signals, so this is the one hook for the set of pending deadlines.
pending_changed = Signal()
