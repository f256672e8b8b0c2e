"""Forms of the victim support pages; the actions validate again and have the last word.

Field names are the keyword arguments of the matching action, so that a ValidationError naming a
field lands on that field of the form (errors naming no field, such as a missing consent, land on
the form itself).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from blueledger.cases.vocabularies import Sex

from .actions import REASON_MAX, TEXT_MAX
from .vocabularies import (
    CLAIM_TRANSITIONS,
    AssistanceType,
    ClaimStage,
    ConsentMethod,
    ConsentPurpose,
    ReferralStatus,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def _textarea(
    label: Any, *, required: bool = False, rows: int = 3, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _needs(label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=AssistanceType.choices,
        widget=forms.CheckboxSelectMultiple,
    )


def override_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason to act without consent"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the consent is not in force; recorded and audited."),
    )


class OverrideMixin(forms.Form):
    """Offer the override reason only to those holding support.override_consent."""

    def __init__(self, *args: Any, may_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if may_override:
            self.fields["override_reason"] = override_field()

    def override_reason(self) -> str:
        return str(self.cleaned_data.get("override_reason") or "")


# -- lists ----------------------------------------------------------------------------------------


class RecordFilterForm(forms.Form):
    mission = forms.ChoiceField(label=_("Mission"), required=False)
    awaiting = forms.BooleanField(label=_("Awaiting first contact"), required=False)
    mine = forms.BooleanField(label=_("Followed by me"), required=False)
    q = forms.CharField(label=_("Allegation reference"), required=False, max_length=40)

    def __init__(self, *args: Any, missions: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mission"].choices = [("", _("All")), *((m, m) for m in missions)]  # type: ignore[attr-defined]


AGE_BANDS: dict[str, Any] = {
    "lt3m": _("Under 3 months"),
    "3to12m": _("3 to 12 months"),
    "1to3y": _("1 to 3 years"),
    "gt3y": _("Over 3 years"),
}


class ClaimFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All")), *ClaimStage.choices]
    )
    member_state = forms.ChoiceField(label=_("Member State"), required=False)
    age = forms.ChoiceField(
        label=_("Since registration"),
        required=False,
        choices=[("", _("Any")), *AGE_BANDS.items()],
    )

    def __init__(
        self, *args: Any, countries: Iterable[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_state"].choices = [("", _("All")), *countries]  # type: ignore[attr-defined]


# -- the record -----------------------------------------------------------------------------------


class FirstContactForm(forms.Form):
    at = forms.DateTimeField(
        label=_("First contact made at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class AdvocateForm(forms.Form):
    advocate = forms.ChoiceField(label=_("Advocate"))

    def __init__(self, *args: Any, advocates: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.advocates = {str(a.pk): a for a in advocates}
        self.fields["advocate"].choices = [  # type: ignore[attr-defined]
            (key, a.get_full_name() or a.username) for key, a in self.advocates.items()
        ]

    def chosen(self) -> Any:
        return self.advocates[self.cleaned_data["advocate"]]


class NeedsForm(forms.Form):
    needs = _needs(_("Needs"))
    notes = _textarea(_("Notes on needs"), help_text=_("Stored encrypted."))


class PlanForm(forms.Form):
    plan = _textarea(_("Assistance plan"), required=True, rows=6, help_text=_("Stored encrypted."))


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Consent to"), choices=ConsentPurpose.choices)
    given = forms.TypedChoiceField(
        label=_("Given or withdrawn"),
        choices=[("yes", _("Given")), ("no", _("Withdrawn"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    on = _date(_("Date"))
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)


class ReferForm(OverrideMixin):
    kind = forms.ChoiceField(label=_("Type of assistance"), choices=AssistanceType.choices)
    provider = forms.ChoiceField(label=_("Service provider"))
    referred_on = _date(_("Referred on"))
    follow_up_on = _date(_("Next follow-up"), required=False)
    notes = _textarea(_("Notes"), help_text=_("Stored encrypted."))

    def __init__(self, *args: Any, providers: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.providers = {str(p.pk): p for p in providers}
        self.fields["provider"].choices = [  # type: ignore[attr-defined]
            (key, _service_label(p)) for key, p in self.providers.items()
        ]

    def chosen(self) -> Any:
        return self.providers[self.cleaned_data["provider"]]


def _service_label(provider: Any) -> str:
    offered = ", ".join(
        str(AssistanceType(s).label) for s in provider.services if s in AssistanceType.values
    )
    return f"{provider.name} ({offered})" if offered else provider.name


class ReferralUpdateForm(OverrideMixin):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(v, label) for v, label in ReferralStatus.choices if v != ReferralStatus.REFERRED],
    )
    on = _date(_("Date"))
    follow_up_on = _date(_("Next follow-up"), required=False)


class ChildForm(forms.Form):
    born_on = _date(
        _("Approximate birth date"),
        help_text=_("The first of the month when only that is known."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        help_text=_("Stored encrypted; shown only to victims' advocates."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    alleged_father = forms.ChoiceField(label=_("Alleged father"), required=False)
    needs = _needs(_("Needs"))

    def __init__(self, *args: Any, subjects: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subjects = {str(s.pk): s for s in subjects}
        self.fields["alleged_father"].choices = [  # type: ignore[attr-defined]
            ("", _("Not known")),
            *((key, subject_label(s)) for key, s in self.subjects.items()),
        ]

    def chosen(self) -> Any:
        return self.subjects.get(self.cleaned_data.get("alleged_father") or "")


def subject_label(subject: Any) -> str:
    """Describe a subject without its identity: number, category and nationality."""
    return f"#{subject.pk} · {subject.get_category_display()} · {subject.nationality_id or '—'}"


# -- claims ---------------------------------------------------------------------------------------


class OpenClaimForm(OverrideMixin):
    registered_on = _date(_("Registered on"))


class AdvanceClaimForm(OverrideMixin):
    stage = forms.ChoiceField(label=_("Next stage"))
    on = _date(_("Date"))
    note = _textarea(_("Note"), rows=2, help_text=_("Stored encrypted."))
    monthly_support = forms.DecimalField(
        label=_("Monthly support ordered"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Only when child support is ordered."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_("A code such as USD; only when child support is ordered."),
    )
    support_from = _date(
        _("Support due from"), required=False, help_text=_("Only when child support is ordered.")
    )

    def __init__(self, *args: Any, stage: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        following = CLAIM_TRANSITIONS.get(stage, frozenset())
        self.fields["stage"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in ClaimStage.choices if value in following
        ]


class PaymentForm(forms.Form):
    paid_on = _date(_("Paid on"))
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2)


# -- providers ------------------------------------------------------------------------------------


class ProviderForm(forms.Form):
    mission = forms.ChoiceField(label=_("Mission"), required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    services = forms.MultipleChoiceField(
        label=_("Services offered"),
        choices=AssistanceType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    contact = forms.CharField(
        label=_("Contact"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The provider's public contact: a phone number, an address, a focal point."),
    )

    def __init__(self, *args: Any, missions: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missions = {str(m.pk): m for m in missions}
        self.fields["mission"].choices = [  # type: ignore[attr-defined]
            ("", _("Every mission of the organisation")),
            *((key, m.code) for key, m in self.missions.items()),
        ]

    def chosen_mission(self) -> Any:
        return self.missions.get(self.cleaned_data.get("mission") or "")
