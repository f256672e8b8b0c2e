"""Periodic work of the notes app, run by the worker."""

from datetime import datetime, timedelta

from blueledger.worker.schedule import periodic

from .actions import DueNotes, issue_due_notes


@periodic("notes.due", every=timedelta(minutes=15))
def due(now: datetime) -> DueNotes:
    """Issue the reminders and escalations of Member States' overdue answers."""
    return issue_due_notes(now)
