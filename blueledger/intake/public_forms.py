"""Forms of the public pages: plain words, every field optional but what happened."""

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from blueledger.cases.vocabularies import CategoryOfPersonnel, IncidentPrecision
from blueledger.core import clock
from blueledger.memberstates.models import Country

from . import formtoken
from .actions import CONTACT_MAX, DESCRIPTION_MAX, PEOPLE_HARMED_MAX, WHAT_HAPPENED_MAX
from .files import ALLOWED_DESCRIPTION
from .models import Children, Relation
from .public import MESSAGE_MAX, PublicReport, public_missions

UNKNOWN = ""
MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]
YEARS_BACK = 30
RECEIPT_MAX = 80


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by blueledger.intake.files."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class PublicForm(forms.Form):
    """The signed token, the honeypot and the page language that every public form carries."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)
    lang = forms.CharField(widget=forms.HiddenInput, required=False, max_length=8)
    # Hidden from people (CSS and aria-hidden); software that fills every field fills it.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token", "")
        if not formtoken.is_valid(token):
            raise ValidationError(
                _(
                    "This page is too old or was changed on the way. Nothing was sent yet: "
                    "check your answers below and send again."
                ),
                code="token",
            )
        return token

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


Choices = list[tuple[str, Any]]


def _mission_choices() -> Choices:
    choices: Choices = [(UNKNOWN, _("I do not know"))]
    choices += [(m.code, f"{m.name} ({m.code})") for m in public_missions()]
    return choices


def _country_choices() -> Choices:
    return [(UNKNOWN, _("I do not know"))] + list(
        Country.objects.order_by("name").values_list("iso3", "name")
    )


def _year_choices() -> Choices:
    this_year = clock.now().year
    years: Choices = [(str(y), str(y)) for y in range(this_year, this_year - YEARS_BACK, -1)]
    return [(UNKNOWN, _("I do not know"))] + years


class ReportForm(PublicForm):
    what_happened = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "In your own words and your own language. Say what was done, and anything that helps "
            "us understand. You do not have to give any names."
        ),
        max_length=WHAT_HAPPENED_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Tell us what happened: this is the only question you must answer.")
        },
    )
    year = forms.TypedChoiceField(
        label=_("Year"), required=False, choices=(), coerce=int, empty_value=None
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        choices=[(UNKNOWN, _("I do not know"))] + [(str(n), label) for n, label in MONTHS],
        coerce=int,
        empty_value=None,
    )
    day = forms.IntegerField(label=_("Day"), required=False, min_value=1, max_value=31)
    mission = forms.ChoiceField(
        label=_("Which UN mission or operation is it about?"), required=False, choices=()
    )
    place = forms.CharField(
        label=_("Where did it happen?"),
        help_text=_("A town, village, camp or base is enough."),
        required=False,
        max_length=200,
    )
    subject_description = forms.CharField(
        label=_("Who did it?"),
        help_text=_(
            "What you know: for example a uniform, a vehicle, a name, a job or where they work."
        ),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    subject_category = forms.ChoiceField(
        label=_("What kind of personnel were they?"),
        required=False,
        choices=[(UNKNOWN, _("I do not know"))] + list(CategoryOfPersonnel.choices),
    )
    subject_nationality = forms.ChoiceField(
        label=_("Which country are they from?"), required=False, choices=()
    )
    people_harmed = forms.IntegerField(
        label=_("How many people were harmed?"),
        help_text=_("Leave empty if you do not know."),
        required=False,
        min_value=0,
        max_value=PEOPLE_HARMED_MAX,
    )
    children_harmed = forms.ChoiceField(
        label=_("Was any of them under 18?"),
        choices=Children.choices,
        initial=Children.UNKNOWN,
        widget=forms.RadioSelect,
    )
    relation = forms.ChoiceField(
        label=_("Who are you in this?"),
        choices=[
            (Relation.VICTIM, _("It happened to me")),
            (Relation.WITNESS, _("I saw it or heard it")),
            (Relation.OTHER, _("Someone told me, or other")),
            (Relation.UNKNOWN, _("I prefer not to say")),
        ],
        initial=Relation.UNKNOWN,
        widget=forms.RadioSelect,
    )
    wants_contact = forms.TypedChoiceField(
        label=_("May we contact you?"),
        choices=[("no", _("No. I will come back with my receipt.")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect,
    )
    contact = forms.CharField(
        label=_("How can we reach you safely?"),
        help_text=_(
            "A phone number, an email, or a person who can pass on a message, and when it is safe. "
            "It is stored encrypted and read only when needed."
        ),
        required=False,
        max_length=CONTACT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachments = MultipleFileField(
        label=_("Photos, recordings or documents (optional)"),
        help_text=ALLOWED_DESCRIPTION,
        required=False,
    )
    strip_metadata = forms.BooleanField(
        label=_("Remove hidden information from photos, such as where they were taken"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mission"].choices = _mission_choices()  # type: ignore[attr-defined]
        self.fields["subject_nationality"].choices = _country_choices()  # type: ignore[attr-defined]
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]
        self.fields["attachments"].help_text = _(
            "%(types)s Up to %(n)d files, %(mb)d MB in all."
        ) % {
            "types": ALLOWED_DESCRIPTION,
            "n": settings.ATTACHMENTS_PER_SUBMISSION,
            "mb": settings.ATTACHMENT_MAX_MB,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, month, day = data.get("year"), data.get("month"), data.get("day")
        if day and not month:
            self.add_error("month", _("Choose the month too, or leave the day empty."))
        elif month and not year:
            self.add_error("year", _("Choose the year too, or leave the month empty."))
        elif year:
            try:
                when = date(year, month or 1, day or 1)
            except ValueError:
                self.add_error("day", _("This month does not have that many days."))
            else:
                if when > clock.now().date():
                    self.add_error("year", _("This date is in the future."))
                data["incident_date"] = when
        if data.get("wants_contact") and not (data.get("contact") or "").strip():
            self.add_error("contact", _("Say how we can reach you, or choose “No”."))
        return data

    def to_report(self, language: str, uploads: list[Any]) -> PublicReport:
        data = self.cleaned_data
        precision = IncidentPrecision.UNKNOWN
        if data.get("incident_date"):
            precision = (
                IncidentPrecision.EXACT
                if data.get("day")
                else IncidentPrecision.MONTH
                if data.get("month")
                else IncidentPrecision.YEAR
            )
        return PublicReport(
            what_happened=data["what_happened"],
            language=language,
            mission=data.get("mission") or "",
            place=data.get("place") or "",
            incident_date=data.get("incident_date"),
            incident_precision=precision,
            subject_description=data.get("subject_description") or "",
            subject_category=data.get("subject_category") or "",
            subject_nationality=data.get("subject_nationality") or "",
            people_harmed=data.get("people_harmed"),
            children_harmed=data.get("children_harmed") or Children.UNKNOWN,
            relation=data.get("relation") or Relation.UNKNOWN,
            wants_contact=bool(data.get("wants_contact")),
            contact=data.get("contact") or "",
            uploads=uploads,
            strip_metadata=bool(data.get("strip_metadata")),
        )


class ReceiptForm(PublicForm):
    receipt = forms.CharField(
        label=_("Your receipt"),
        help_text=_(
            "The 20 letters and numbers you were given, for example 7KQM-3XD9-AB4T-PZ2W-H8RC."
        ),
        max_length=RECEIPT_MAX,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter your receipt.")},
    )


class ReplyForm(ReceiptForm):
    body = forms.CharField(
        label=_("Your message"),
        help_text=_("Answer our questions or add anything you remember."),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(label=_("Add files (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receipt"].widget = forms.HiddenInput()
        self.fields["attachments"].help_text = ALLOWED_DESCRIPTION
