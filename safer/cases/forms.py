"""Page forms for cases. Messages say what to do ("Enter…", "Select…") and name the field."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone

from safer.cases.models import (
    POSTCODE_RE,
    CaseStatus,
    CaseType,
    Channel,
    ClosureOutcome,
    ConsentStatus,
    Gateway,
    HateStrand,
    NsirType,
    PartyKind,
    PartyRole,
    Satisfaction,
    Sensitivity,
    normalise_postcode,
)
from safer.core.models import Agency, User

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]


def local_input(value: datetime | None) -> str:
    """A datetime as the value of an <input type="datetime-local">."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def date_field(label: str, what: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": f"Enter {what} as a real date, like 2026-03-31", "required": f"Enter {what}"},
    )


def datetime_field(label: str, what: str, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        error_messages={
            "invalid": f"Enter {what} as a real date and time, like 2026-03-31 18:30",
            "required": f"Enter {what}",
        },
    )


def past_date_of_birth(value: date | None, field: str = "date of birth") -> date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(f"Enter a {field} in the past")
    if value is not None and value.year < 1900:
        raise forms.ValidationError(f"Enter a {field} after 1900")
    return value


def clean_postcode(value: str) -> str:
    postcode = normalise_postcode(value)
    if postcode and not POSTCODE_RE.match(postcode):
        raise forms.ValidationError("Enter a real postcode, like LE18 1AB, or leave it blank")
    return postcode


class FirstCallForm(forms.Form):
    """The first-contact log: one page, the few things needed to act and to match."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    reporter_name = forms.CharField(
        label="Reporter's name", required=False, max_length=200, help_text="Leave blank if they want to stay anonymous"
    )
    reporter_dob = date_field("Reporter's date of birth (if known)", "the reporter's date of birth")
    reporter_phone = forms.CharField(
        label="Reporter's phone number (if they want updates)", required=False, max_length=40
    )
    reporter_is_victim = forms.BooleanField(label="The reporter is the victim", required=False, initial=True)
    victim_name = forms.CharField(
        label="Other victim's name", required=False, max_length=200, help_text="Another person harmed, if any"
    )
    victim_dob = date_field("Other victim's date of birth (if known)", "the other victim's date of birth")
    subject_name = forms.CharField(
        label="Who is said to be causing it (if known)",
        required=False,
        max_length=200,
        help_text="A person, business or group",
    )
    subject_kind = forms.ChoiceField(label="They are", choices=PartyKind.choices, initial=PartyKind.PERSON)
    subject_dob = date_field("Their date of birth (if known)", "their date of birth")
    description = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter what happened"},
    )
    occurred_from = datetime_field("When it happened (or started)", "when it happened")
    occurred_to = datetime_field("When it ended (if it went on)", "when it ended")
    place_line1 = forms.CharField(
        label="Where: address or place",
        required=False,
        max_length=200,
        help_text="For example 12 Long Street, or Brocks Hill Park",
    )
    place_postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    channel = forms.ChoiceField(
        label="How it was reported", choices=Channel.choices, error_messages={"required": "Select how it was reported"}
    )
    receiving_agency = forms.ChoiceField(
        label="Receiving agency",
        error_messages={
            "required": "Select the agency that received the report",
            "invalid_choice": "Select one of your agencies as the agency that received the report",
        },
    )
    nsir_type = forms.ChoiceField(
        label="NSIR type",
        choices=NsirType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the NSIR type: personal, nuisance or environmental"},
        help_text="Personal: aimed at a person or group. Nuisance: the community at large. Environmental: the place.",
    )
    hate_motivated = forms.BooleanField(
        label="The victim or someone else thinks it was motivated by hate", required=False
    )
    hate_strand = forms.ChoiceField(
        label="Hate against", choices=[("", "Not hate-related"), *HateStrand.choices], required=False
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["receiving_agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(a.pk), a.name) for a in agencies]
        if agencies:
            field.initial = str(agencies[0].pk)
        self.fields["submission_key"].initial = uuid.uuid4()

    def clean_reporter_dob(self) -> date | None:
        return past_date_of_birth(self.cleaned_data.get("reporter_dob"), "reporter's date of birth")

    def clean_victim_dob(self) -> date | None:
        return past_date_of_birth(self.cleaned_data.get("victim_dob"), "victim's date of birth")

    def clean_subject_dob(self) -> date | None:
        return past_date_of_birth(self.cleaned_data.get("subject_dob"))

    def clean_place_postcode(self) -> str:
        return clean_postcode(self.cleaned_data.get("place_postcode", ""))

    def clean_occurred_from(self) -> datetime | None:
        value = self.cleaned_data.get("occurred_from")
        if value is not None and value > timezone.now():
            raise forms.ValidationError("Enter when it happened as a time that has already passed")
        return value

    def clean_occurred_to(self) -> datetime | None:
        value = self.cleaned_data.get("occurred_to")
        if value is not None and value > timezone.now():
            raise forms.ValidationError("Enter when it ended as a time that has already passed")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("occurred_from"), data.get("occurred_to")
        if start and end and end < start:
            self.add_error("occurred_to", "Enter when it ended as the same as or after when it started")
        if end and not start:
            self.add_error("occurred_from", "Enter when it started as well as when it ended")
        for name_field, dob_field in (
            ("reporter_name", "reporter_dob"),
            ("victim_name", "victim_dob"),
            ("subject_name", "subject_dob"),
        ):
            dob = data.get(dob_field)
            if dob and not data.get(name_field):
                self.add_error(name_field, "Enter the name that goes with the date of birth, or clear the date")
            if dob and start and start.date() < dob:
                self.add_error("occurred_from", "Enter when it happened as a date after the dates of birth given")
        if data.get("hate_motivated") and not data.get("hate_strand"):
            self.add_error("hate_strand", "Select what the hate was against, or 'Other'")
        if data.get("reporter_is_victim") and not data.get("reporter_name") and not data.get("victim_name"):
            # An anonymous reporter cannot be the named victim: nothing to do, the victim stays unnamed.
            data["reporter_is_victim"] = False
        if data.get("place_postcode") and not data.get("place_line1"):
            self.add_error("place_line1", "Enter the address or place as well as the postcode")
        return data


class MatchForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=200)
    dob = date_field("Date of birth", "the date of birth")
    line1 = forms.CharField(label="Address or place", required=False, max_length=200)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    def clean_dob(self) -> date | None:
        return past_date_of_birth(self.cleaned_data.get("dob"))

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data.get("postcode", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name") or data.get("postcode") or data.get("line1")) and not self.errors:
            raise forms.ValidationError("Enter a name, an address or a postcode to search for")
        return data


class OpenCaseForm(forms.Form):
    case_type = forms.ChoiceField(
        label="Type of case",
        choices=CaseType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of case"},
    )
    owning_agency = forms.ChoiceField(label="Owning agency", error_messages={"required": "Select the owning agency"})
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="Leave blank to use what the report says happened",
    )
    link_to = forms.ChoiceField(label="Link to a related case", required=False)

    def __init__(self, *args: Any, agencies: list[Agency], link_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owning = self.fields["owning_agency"]
        assert isinstance(owning, forms.ChoiceField)
        owning.choices = [(str(a.pk), a.name) for a in agencies]
        if agencies:
            owning.initial = str(agencies[0].pk)
        link = self.fields["link_to"]
        assert isinstance(link, forms.ChoiceField)
        link.choices = [("", "No link"), *link_choices]


class PurposeForm(forms.Form):
    purpose = forms.CharField(
        label="Why are you opening this case?",
        max_length=300,
        help_text="For example: joint visit to the victim planned for Friday. This goes into the access log.",
        error_messages={"required": "Enter why you are opening this case"},
    )


class EditCaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter a summary"},
    )
    case_type = forms.ChoiceField(label="Type of case", choices=CaseType.choices)
    status = forms.ChoiceField(label="Status", choices=[c for c in CaseStatus.choices if c[0] != CaseStatus.CLOSED])
    officer = forms.ChoiceField(label="Officer", required=False)

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "No officer"), *((str(u.pk), u.full_name or u.email) for u in officers)]


class PartyForm(forms.Form):
    role = forms.ChoiceField(
        label="Role on the case",
        choices=PartyRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role on the case"},
    )
    kind = forms.ChoiceField(label="They are", choices=PartyKind.choices, initial=PartyKind.PERSON)
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter their name"})
    date_of_birth = date_field("Date of birth (if known)", "the date of birth")
    phone = forms.CharField(label="Phone number (if known)", required=False, max_length=40)
    reason = forms.CharField(
        label="Why they are now a subject (if they are already on this case as a victim, complainant or witness)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the case's chronology. Powers can only be given to a subject of the behaviour.",
        error_messages={"max_length": "The reason must be 1,000 characters or fewer"},
    )
    existing = forms.ChoiceField(
        label="Is this someone already known?",
        widget=forms.RadioSelect,
        required=False,
        help_text="Records like this one, across the agencies you can see",
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates or []
        if self.candidates:
            field = self.fields["existing"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*self.candidates, ("new", "None of these: add a new record")]
        else:
            del self.fields["existing"]

    def clean_date_of_birth(self) -> date | None:
        return past_date_of_birth(self.cleaned_data.get("date_of_birth"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.candidates and not data.get("existing"):
            self.add_error("existing", "Select the record that is this person, or 'None of these'")
        return data


def parse_date(value: str) -> date | None:
    """A date typed into a form, or None if it is not one (for looking up, not for saving)."""
    try:
        parsed = forms.DateField(input_formats=DATE_FORMATS).to_python(value.strip())
    except forms.ValidationError:
        return None
    return parsed if isinstance(parsed, date) else None


class PersonForm(forms.Form):
    given_name = forms.CharField(label="Given names", required=False, max_length=100)
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    organisation_name = forms.CharField(label="Business or group name", required=False, max_length=200)
    aliases = forms.CharField(
        label="Other names",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Nicknames, previous names, other spellings: one a line. Matching uses them.",
    )
    date_of_birth = date_field("Date of birth", "the date of birth")
    phone = forms.CharField(label="Phone number", required=False, max_length=40)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    line1 = forms.CharField(label="Address", required=False, max_length=200)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    vulnerability_notes = forms.CharField(
        label="Vulnerability",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Health, disability, age, isolation: what helps agencies keep them safe",
    )

    def clean_date_of_birth(self) -> date | None:
        return past_date_of_birth(self.cleaned_data.get("date_of_birth"))

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data.get("postcode", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("given_name") or data.get("family_name") or data.get("organisation_name")):
            self.add_error("family_name", "Enter a family name, or a business or group name")
        if data.get("postcode") and not data.get("line1"):
            self.add_error("line1", "Enter the address as well as the postcode")
        return data


class PlaceForm(forms.Form):
    field_order = ("line1", "town", "postcode", "description", "latitude", "longitude")
    latitude = forms.FloatField(
        label="Latitude (optional)",
        required=False,
        min_value=49.0,
        max_value=61.0,
        help_text="From a map, like 52.5838: the place's LSOA and ward are then found",
        error_messages={
            "invalid": "Enter the latitude as a number, like 52.5838",
            "min_value": "Enter a latitude in the UK, between 49 and 61",
            "max_value": "Enter a latitude in the UK, between 49 and 61",
        },
    )
    longitude = forms.FloatField(
        label="Longitude (optional)",
        required=False,
        min_value=-9.0,
        max_value=2.0,
        error_messages={
            "invalid": "Enter the longitude as a number, like -1.1069",
            "min_value": "Enter a longitude in the UK, between -9 and 2",
            "max_value": "Enter a longitude in the UK, between -9 and 2",
        },
    )
    line1 = forms.CharField(
        label="Address or place", max_length=200, error_messages={"required": "Enter the address or place"}
    )
    town = forms.CharField(label="Town", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    description = forms.CharField(label="Why this place (optional)", required=False, max_length=200)

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data.get("postcode", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None) and not self.errors:
            self.add_error("longitude", "Enter both the latitude and the longitude, or neither")
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": "Enter the note"},
    )
    sensitivity = forms.ChoiceField(
        label="Who may read it",
        choices=[
            (Sensitivity.NORMAL, "Everyone on the case"),
            (Sensitivity.SENSITIVE, "Sensitive: the owning agency and yours only"),
        ],
        widget=forms.RadioSelect,
        initial=Sensitivity.NORMAL,
    )


class ShareForm(forms.Form):
    agency = forms.ChoiceField(label="Agency to add", error_messages={"required": "Select the agency to add"})
    gateway = forms.ChoiceField(
        label="Legal gateway for sharing",
        choices=Gateway.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the legal gateway for sharing"},
    )
    gateway_other = forms.CharField(label="Describe the other gateway", required=False, max_length=300)
    consent_status = forms.ChoiceField(
        label="Consent status",
        choices=ConsentStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the consent status"},
    )
    reason = forms.CharField(
        label="Why the agency needs this case",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the agency needs this case"},
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose an agency"), *((str(a.pk), a.name) for a in agencies)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("gateway") == Gateway.OTHER and not data.get("gateway_other", "").strip():
            self.add_error("gateway_other", "Describe the other legal gateway")
        if data.get("gateway") == Gateway.CONSENT and data.get("consent_status") not in (None, ConsentStatus.GIVEN):
            self.add_error("consent_status", "Sharing on consent needs consent to have been given")
        return data


class ConsentForm(forms.Form):
    consent_status = forms.ChoiceField(
        label="Consent status",
        choices=ConsentStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the consent status"},
    )
    reason = forms.CharField(
        label="Why it changed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why consent changed"},
    )


class RemoveAgencyForm(forms.Form):
    reason = forms.CharField(
        label="Why the agency is coming off the case",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: its work on the case has ended, or it was added by mistake. The agency is told nothing "
        "automatically; it stops seeing the case at once.",
        error_messages={"required": "Enter why the agency is coming off the case"},
    )


class TransferForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agency = forms.ChoiceField(label="New owning agency", error_messages={"required": "Select the new owning agency"})
    consent_status = forms.ChoiceField(
        label="Consent status for the new owner",
        choices=ConsentStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the consent status"},
    )
    reason = forms.CharField(
        label="Why the case is moving",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why the case is being transferred"},
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose an agency"), *((str(a.pk), a.name) for a in agencies)]


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ClosureOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    victim_satisfaction = forms.ChoiceField(
        label="How satisfied was the victim?",
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how satisfied the victim was"},
    )
    reason_told = forms.CharField(
        label="What the victim was told about why the case is closing",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        error_messages={"required": "Enter what the victim was told"},
    )
    closed_on = date_field("Date closed", "the date the case closed")

    def clean_closed_on(self) -> date | None:
        value = self.cleaned_data.get("closed_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError("Enter a closing date that is today or in the past")
        return value


class ReopenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why the case is being reopened",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        error_messages={"required": "Enter why the case is being reopened"},
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Reference, name, address, postcode or words in the summary",
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *CaseStatus.choices])
    case_type = forms.ChoiceField(label="Type", required=False, choices=[("", "Any type"), *CaseType.choices])
    agency = forms.ChoiceField(label="Agency", required=False)
    officer = forms.ChoiceField(label="Officer", required=False)
    ward = forms.ChoiceField(label="Ward", required=False)
    band = forms.ChoiceField(
        label="Risk band",
        required=False,
        choices=[
            ("", "Any band"),
            ("high", "High"),
            ("medium", "Medium"),
            ("standard", "Standard"),
            ("none", "Not assessed"),
        ],
    )
    overdue = forms.BooleanField(label="Only cases with overdue tasks", required=False)

    def __init__(
        self, *args: Any, agencies: list[Agency], officers: list[User], wards: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("agency", [("", "Any agency"), *((str(a.pk), a.name) for a in agencies)]),
            ("officer", [("", "Any officer"), *((str(u.pk), u.full_name or u.email) for u in officers)]),
            ("ward", [("", "Any ward"), *wards]),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
