"""The last step of every access function: one record of a visible queryset, or "not found"."""

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404


def one_or_404[M: Model](visible: QuerySet[M], pk: Any, message: str) -> M:
    """Return record PK of VISIBLE; a malformed, missing or unseen key is the same Http404."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    found = visible.filter(pk=key).first()
    if found is None:
        raise Http404(message)
    return found
