"""Navigation by role: each entry is shown to those whose roles grant its action."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from blueledger.accounts.roles import Action

# (url name, label, action needed or None for any signed-in user). Later apps append here.
NAVIGATION: list[tuple[str, Any, str | None]] = [
    ("core:home", _("Home"), None),
    ("intake:queue", _("Intake queue"), Action.VIEW_INTAKE),
    ("cases:list", _("Allegations"), Action.VIEW_ALLEGATIONS),
    ("support:dashboard", _("Victim support"), Action.SUPPORT_VICTIMS),
    ("liaison:inbox", _("Member State inbox"), Action.ANSWER_REFERRALS),
    ("notes:list", _("Notes verbales"), Action.VIEW_ALLEGATIONS),
    ("liaison:scorecard", _("Member State scorecard"), Action.VIEW_INSIGHTS),
    ("memberstates:contributions", _("Contributions"), Action.VIEW_ALLEGATIONS),
    ("deadlines:mine", _("My deadlines"), Action.VIEW_DEADLINES),
    ("audit:log", _("Audit log"), Action.VIEW_AUDIT),
    ("accounts:profile", _("My account"), None),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for url_name, label, action in NAVIGATION:
        if action is None or user.can(action):
            url = reverse(url_name)
            current = path == url if url == "/" else path.startswith(url)
            items.append({"url": url, "label": label, "current": current})
    if user.is_staff and user.can(Action.ADMINISTER):
        items.append(
            {"url": reverse("admin:index"), "label": _("Administration"), "current": False}
        )
    return {"nav_items": items}
