"""Forms of the liaison pages; field names are the keyword arguments of the matching action,
so that a ``CaseError`` naming a field lands on that field."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from blueledger.cases.forms import DateInput
from blueledger.cases.models import Subject
from blueledger.cases.vocabularies import MEMBER_STATE_ACTIONS, ActionKind, FindingOutcome

from .models import Decision

SEALED = _("Stored encrypted; shown only to people with need-to-know.")


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def _note(label: Any, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=10_000,
        help_text=SEALED,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SubjectChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(
            _("Subject #%(n)s: %(category)s")
            % {"n": obj.pk, "category": obj.get_category_display()}
        )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    answered_on = _date(_("Answered on"))
    nio_name = forms.CharField(
        label=_("National Investigation Officer"),
        required=False,
        max_length=200,
        help_text=SEALED,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    nio_rank = forms.CharField(label=_("Rank of the NIO"), required=False, max_length=100)
    nio_appointed_on = _date(_("NIO appointed on"), required=False)
    note = _note(_("Note"))


class ProgressForm(forms.Form):
    reported_on = _date(_("Reported on"))
    note = _note(_("Progress"), required=True)


class _SubjectForm(forms.Form):
    def __init__(self, *args: Any, subjects: Sequence[Subject] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"] = SubjectChoice(
            label=_("Subject"), queryset=Subject.objects.filter(pk__in=[s.pk for s in subjects])
        )
        self.order_fields(["subject"])


class OutcomeForm(_SubjectForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FindingOutcome.choices)
    decided_on = _date(_("Decided on"))


class MeasureForm(_SubjectForm):
    kind = forms.ChoiceField(
        label=_("Measure"),
        choices=[(k.value, k.label) for k in ActionKind if k.value in MEMBER_STATE_ACTIONS],
    )
    decided_on = _date(_("Decided on"))
    authority = forms.CharField(
        label=_("Authority and sanction"),
        max_length=200,
        help_text=_("Who decided and what, e.g. “Court martial: 12 months' imprisonment”."),
    )


class PaternityForm(forms.Form):
    established = forms.TypedChoiceField(
        label=_("Paternity"),
        choices=[("true", _("Established")), ("false", _("Not established"))],
        coerce=lambda value: value == "true",
    )
    on = _date(_("Date"))
    note = _note(_("Note"))
