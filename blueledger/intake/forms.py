"""Forms of the intake pages; the actions validate again and have the last word."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.cases.vocabularies import Channel, IncidentPrecision

from .access import registrable_missions, registrable_organisations
from .actions import CONTACT_MAX, WHAT_HAPPENED_MAX
from .models import Outcome, Relation, Status


class RegisterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    mission = forms.ModelChoiceField(
        label=_("Mission"),
        queryset=Mission.objects.none(),
        required=False,
        help_text=_("Leave empty when the report concerns no particular mission."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_at = forms.DateTimeField(
        label=_("Received at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    language = forms.CharField(
        label=_("Reporter's language"),
        max_length=16,
        initial=settings.LANGUAGE_CODE,
        help_text=_("A language code such as en, fr, ar or sg: staff answer in it."),
    )
    what_happened = forms.CharField(
        label=_("What happened"),
        max_length=WHAT_HAPPENED_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    reporter_relation = forms.ChoiceField(
        label=_("The reporter is"), choices=Relation.choices, initial=Relation.UNKNOWN
    )
    reporter_contact = forms.CharField(
        label=_("How to contact the reporter"),
        max_length=CONTACT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Stored encrypted and never shown in the queue."),
    )
    incident_date = forms.DateField(
        label=_("Incident date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For a month or a year only, enter its first day."),
    )
    incident_precision = forms.ChoiceField(
        label=_("The incident date is"),
        choices=IncidentPrecision.choices,
        initial=IncidentPrecision.UNKNOWN,
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Coarse: a town, camp or base, never an address."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = registrable_organisations(user)
        missions = registrable_missions(user)
        org_field: Any = self.fields["organisation"]
        org_field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            org_field.initial = organisations[0].pk
        mission_field: Any = self.fields["mission"]
        mission_field.queryset = Mission.objects.filter(pk__in=[m.pk for m in missions])
        if len(missions) == 1:
            mission_field.initial = missions[0].pk


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("This report"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    allegation = forms.CharField(
        label=_("Allegation reference or number"),
        max_length=64,
        required=False,
        help_text=_("Only to attach the report to an existing allegation."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to close a report. No names, contacts or account of the events."),
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + Status.choices, required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any"))] + Channel.choices, required=False
    )
    mission = forms.ChoiceField(label=_("Mission"), required=False)
    q = forms.CharField(label=_("Reference"), max_length=20, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mission_field: Any = self.fields["mission"]
        mission_field.choices = [("", _("Any"))] + [
            (m.code, m.code) for m in registrable_missions(user)
        ]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the reporter"),
        help_text=_(
            "The reporter reads it with their receipt. Write in their language if you can; never "
            "name the people involved."
        ),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ContactReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the reporter's contact details?"),
        help_text=_(
            "Reading them is recorded with your reason, and the organisation's custodian is told."
        ),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
