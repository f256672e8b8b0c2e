"""PLACEHOLDER signature; the worker helper implements it.

notify(recipients, subject, message, link) queues one email per recipient after the surrounding
transaction commits. Subject and message say only what happened and carry a link: never personal data.
"""

from collections.abc import Iterable
from typing import Any


def notify(recipients: Iterable[Any], subject: str, message: str, link: str = "") -> None:
    return None
