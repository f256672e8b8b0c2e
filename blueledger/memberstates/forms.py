import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CONTRIBUTION_CATEGORIES

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: str) -> date | None:
    match = _MONTH.fullmatch(value.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return date(int(match[1]), int(match[2]), 1)


class ContributionFilterForm(forms.Form):
    mission = forms.ChoiceField(label=_("Mission"), required=False)
    country = forms.CharField(
        label=_("Country (ISO alpha-3)"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )
    month = forms.CharField(
        label=_("Month (YYYY-MM)"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "2026-01", "size": 8}),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *CONTRIBUTION_CATEGORIES]
    )

    def __init__(self, *args: Any, missions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mission = self.fields["mission"]
        assert isinstance(mission, forms.ChoiceField)
        mission.choices = [("", _("Any")), *((m, m) for m in missions)]

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()

    def clean_month(self) -> date | None:
        value = str(self.cleaned_data["month"]).strip()
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Write the month as YYYY-MM."))
        return month


class ContributionImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns month,mission,country,category,count; UTF-8; at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
