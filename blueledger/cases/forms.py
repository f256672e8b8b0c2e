"""Forms of the allegation pages: opening an allegation and one form per step on its page.

Field names are the keyword arguments of the matching action, so that a ``CaseError`` naming a
field lands on that field of the form.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from blueledger.accounts.models import Mission

from . import lifecycle
from .lifecycle import Status
from .models import Allegation, MisconductType, Subject
from .vocabularies import (
    ActionKind,
    AgeGroup,
    CategoryOfPersonnel,
    Channel,
    FindingOutcome,
    IncidentPrecision,
    InterimMeasureKind,
    InvestigatingBody,
    ReferralTarget,
    Seriousness,
    Sex,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def _country(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=3,
        help_text=_("ISO 3166 alpha-3 code, such as BGD."),
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )


def _secret(label: Any, *, max_length: int = 200) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=_("Stored encrypted; shown only to people with need-to-know."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _text(label: Any, *, max_length: int = 200, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length)


def classification_choices() -> list[tuple[str, str]]:
    """Return the misconduct types an allegation can be classified as (roots are too coarse)."""
    types = MisconductType.objects.active().exclude(level="root").values_list("code", "name")
    return [("", "—"), *((code, name) for code, name in types)]


class StepForm(forms.Form):
    """A form of one step on an allegation's page; SUBJECTS are the allegation's subjects."""

    def __init__(
        self,
        data: Any = None,
        *,
        allegation: Allegation,
        subjects: Sequence[Subject] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.allegation = allegation
        self.subjects = list(subjects)
        if "subject" in self.fields:
            field = self.fields["subject"]
            choices: list[tuple[str, Any]] = [(str(s.pk), str(s)) for s in self.subjects]
            if not field.required:
                choices.insert(0, ("", _("None (the whole unit)")))
            field.choices = choices  # type: ignore[attr-defined]

    def chosen_subject(self) -> Subject | None:
        """Return the chosen subject of this allegation (None when none was chosen)."""
        chosen = self.cleaned_data.get("subject")
        return next((s for s in self.subjects if str(s.pk) == chosen), None)


class TransitionForm(StepForm):
    to = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reopen; stored encrypted."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = lifecycle.allowed_targets(self.allegation.status)
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Status.choices if value in targets
        ]


class FactsForm(StepForm):
    classification = forms.ChoiceField(label=_("Classification"), required=False)
    seriousness = forms.ChoiceField(
        label=_("Seriousness"),
        required=False,
        choices=[("", "—"), *Seriousness.choices],
        help_text=_("Implied by the classification once there is one."),
    )
    location = _text(_("Location"))
    incident_date = _date(_("Incident date"), required=False)
    incident_precision = forms.ChoiceField(
        label=_("Incident date precision"), choices=IncidentPrecision.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allegation = self.allegation
        self.fields["classification"].choices = classification_choices()  # type: ignore[attr-defined]
        self.initial.update(
            {
                "classification": allegation.classification.code
                if allegation.classification_id and allegation.classification
                else "",
                "seriousness": allegation.seriousness,
                "location": allegation.location,
                "incident_date": allegation.incident_date,
                "incident_precision": allegation.incident_precision,
            }
        )


class SubjectForm(StepForm):
    category = forms.ChoiceField(
        label=_("Category of personnel"), choices=[("", "—"), *CategoryOfPersonnel.choices]
    )
    nationality = _country(_("Nationality"))
    unit = _text(_("Contingent or unit"))
    rank = _text(_("Rank"), max_length=100)
    name = _secret(_("Name"))
    identifier = _secret(_("Identifier"), max_length=100)


class VictimForm(StepForm):
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_group = forms.ChoiceField(
        label=_("Age group"), choices=AgeGroup.choices, initial=AgeGroup.UNKNOWN
    )
    is_child = forms.BooleanField(label=_("Child at the time of the incident"), required=False)
    name = _secret(_("Name"))
    contact = _secret(_("Contact"))


class WitnessForm(StepForm):
    name = _secret(_("Name"))
    contact = _secret(_("Contact"))


class ReferralForm(StepForm):
    target = forms.ChoiceField(label=_("Refer to"), choices=ReferralTarget.choices)
    referred_on = _date(_("Referred on"))
    member_state = _country(_("Member State"))
    note_verbale = _text(_("Note verbale reference"), max_length=100)


class StartInvestigationForm(StepForm):
    body = forms.ChoiceField(label=_("Investigating body"), choices=InvestigatingBody.choices)
    started_on = _date(_("Started on"))
    member_state = _country(_("Member State"))
    nio_name = _secret(_("National investigation officer"))


class CompleteInvestigationForm(StepForm):
    completed_on = _date(_("Completed on"))


class ReferralAnswerForm(StepForm):
    answered_on = _date(_("Answered on"))


class InvestigationOfficerForm(StepForm):
    nio_name = forms.CharField(
        label=_("National investigation officer"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class InterimMeasureForm(StepForm):
    kind = forms.ChoiceField(label=_("Measure"), choices=InterimMeasureKind.choices)
    subject = forms.ChoiceField(label=_("Subject"), required=False)
    decided_on = _date(_("Decided on"))
    authority = _text(_("Authority"))


class FindingForm(StepForm):
    subject = forms.ChoiceField(label=_("Subject"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FindingOutcome.choices)
    decided_on = _date(_("Decided on"))
    authority = _text(_("Authority"), required=True)


class ActionForm(StepForm):
    subject = forms.ChoiceField(label=_("Subject"))
    kind = forms.ChoiceField(label=_("Action"), choices=ActionKind.choices)
    decided_on = _date(_("Decided on"))
    authority = _text(_("Authority"), required=True)


class OpenAllegationForm(forms.Form):
    """Open an allegation directly (for example from a Member State's notice)."""

    mission = forms.ModelChoiceField(
        label=_("Mission"),
        queryset=Mission.objects.none(),
        required=False,
        empty_label=_("None (the whole organisation)"),
    )
    received_on = _date(_("Received on"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    incident_date = _date(_("Incident date"), required=False)
    incident_precision = forms.ChoiceField(
        label=_("Incident date precision"),
        choices=IncidentPrecision.choices,
        initial=IncidentPrecision.UNKNOWN,
    )
    location = _text(_("Location"))
    narrative = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Stored encrypted; shown only to people with need-to-know."),
    )

    def __init__(self, *args: Any, missions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if missions is not None:
            self.fields["mission"].queryset = missions  # type: ignore[attr-defined]
