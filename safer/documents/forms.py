"""Page forms for documents, letters and subject access, with GOV.UK-style messages."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone

from safer.cases.models import Case, Person, Sensitivity, name_key
from safer.documents import services
from safer.documents.filetypes import ALLOWED, ALLOWED_LIST, FileRefused
from safer.documents.models import LetterKind, LetterTemplate, SarStatus, sar_due_on, sar_latest_extension

SENSITIVITY_CHOICES = [
    (Sensitivity.NORMAL.value, "Normal: everyone the case is shared with can read it"),
    (
        Sensitivity.SENSITIVE.value,
        "Sensitive: only caseworkers of the owning agency and of your agency can read it",
    ),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={"required": "Choose a file to attach", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED)}),
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=300,
        error_messages={"max_length": "Description must be 300 characters or fewer"},
    )
    sensitivity = forms.ChoiceField(
        label="Who can read it",
        choices=SENSITIVITY_CHOICES,
        widget=forms.RadioSelect,
        initial=Sensitivity.NORMAL.value,
        error_messages={"required": "Choose who can read it", "invalid_choice": "Choose who can read it"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{ALLOWED_LIST}. Up to {services.max_document_label()}."
        self.data_bytes: bytes = b""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > services.max_document_bytes():
            raise forms.ValidationError(
                f"The selected file is {services.human_size(upload.size)}: it must be "
                f"{services.max_document_label()} or smaller. Reduce it (for a scan, a lower resolution) "
                "or split it into parts."
            )
        data = upload.read()
        try:
            services.check_file(upload.name, data)
        except FileRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.data_bytes = data
        return upload


FORMAT_CHOICES = [("pdf", "PDF (to print or send as it is)"), ("docx", "Word (to change before sending)")]


class LetterForm(forms.Form):
    prefix = "letter"
    template = forms.ChoiceField(
        label="Letter",
        error_messages={"required": "Choose a letter", "invalid_choice": "Choose a letter from the list"},
    )
    recipient = forms.ChoiceField(
        label="To",
        error_messages={"required": "Choose who the letter is to", "invalid_choice": "Choose who the letter is to"},
    )
    format = forms.ChoiceField(
        label="Format",
        choices=FORMAT_CHOICES,
        widget=forms.RadioSelect,
        initial="pdf",
        error_messages={"required": "Choose PDF or Word", "invalid_choice": "Choose PDF or Word"},
    )

    def __init__(self, *args: Any, case: Case, templates: list[LetterTemplate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["template"]).choices = [("", "Choose a letter")] + [
            (str(t.pk), f"{t.name} ({t.get_kind_display()})") for t in templates
        ]
        parties = list(case.parties.select_related("person"))
        cast(forms.ChoiceField, self.fields["recipient"]).choices = [("", "Choose a person on the case")] + [
            (str(p.pk), f"{p.person.display_name} ({p.get_role_display().lower()})") for p in parties
        ]


class TemplateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=120,
        error_messages={
            "required": "Enter a name for the letter",
            "max_length": "Name must be 120 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of letter",
        choices=LetterKind.choices,
        error_messages={"required": "Choose the kind of letter", "invalid_choice": "Choose the kind of letter"},
    )
    subject = forms.CharField(
        label="Heading (optional)",
        required=False,
        max_length=200,
        error_messages={"max_length": "Heading must be 200 characters or fewer"},
    )
    body = forms.CharField(
        label="Wording",
        widget=forms.Textarea(attrs={"rows": 18}),
        error_messages={"required": "Enter the wording of the letter"},
    )
    is_active = forms.BooleanField(label="Offer this letter on cases", required=False, initial=True)
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)


class SarForm(forms.Form):
    requester_name = forms.CharField(
        label="Name of the person the request is about",
        max_length=200,
        error_messages={"required": "Enter the name of the person the request is about"},
    )
    requester_date_of_birth = forms.DateField(
        label="Their date of birth (optional)",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example, 1980-03-27 or 27/03/1980",
        error_messages={"invalid": "Enter the date of birth as a real date, like 1980-03-27"},
    )
    received_on = forms.DateField(
        label="Date the request was received",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example, 2026-01-31 or 31/01/2026. The clock runs from this date.",
        error_messages={
            "required": "Enter the date the request was received",
            "invalid": "Enter the date received as a real date, like 2026-01-31",
        },
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_received_on(self) -> date:
        value: date = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future")
        return value

    def clean_requester_date_of_birth(self) -> date | None:
        value: date | None = self.cleaned_data.get("requester_date_of_birth")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future")
        return value


class ExtendForm(forms.Form):
    prefix = "extend"
    extended_to = forms.DateField(
        label="New deadline",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": "Enter the new deadline", "invalid": "Enter the new deadline as a real date"},
    )
    extension_told_on = forms.DateField(
        label="Date the requester was told of the extension and why",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Enter the date the requester was told",
            "invalid": "Enter the date the requester was told as a real date",
        },
    )
    extension_reason = forms.CharField(
        label="Why it needs longer",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only a complex request, or several from the same person, may be extended.",
        error_messages={"required": "Enter why the request needs longer"},
    )

    def __init__(self, *args: Any, received_on: date, due_on: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received_on, self.due_on = received_on, due_on
        latest = sar_latest_extension(received_on)
        self.fields[
            "extended_to"
        ].help_text = f"After {self.due_on:%-d %B %Y} and no later than {latest:%-d %B %Y} (two further months)."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        extended_to, told_on = data.get("extended_to"), data.get("extension_told_on")
        latest = sar_latest_extension(self.received_on)
        if extended_to is not None:
            if extended_to <= self.due_on:
                self.add_error(
                    "extended_to", f"The new deadline must be after the current one, {self.due_on:%-d %B %Y}"
                )
            elif extended_to > latest:
                self.add_error(
                    "extended_to",
                    f"The deadline can be extended by two further months at most: no later than {latest:%-d %B %Y}",
                )
        if told_on is not None:
            if told_on < self.received_on:
                self.add_error("extension_told_on", "The date told cannot be before the request was received")
            elif told_on > self.due_on:
                self.add_error(
                    "extension_told_on",
                    f"The requester must be told within the first month, by {self.due_on:%-d %B %Y}: "
                    "an extension cannot be recorded after that",
                )
            elif told_on > timezone.localdate():
                self.add_error("extension_told_on", "The date told cannot be in the future")
        return data


class SarStatusForm(forms.Form):
    prefix = "status"
    status = forms.ChoiceField(
        label="Status",
        choices=SarStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status", "invalid_choice": "Choose a status"},
    )
    completed_on = forms.DateField(
        label="Date the response was sent (when completed)",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter the date the response was sent as a real date"},
    )

    def __init__(self, *args: Any, received_on: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received_on = received_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, completed_on = data.get("status"), data.get("completed_on")
        if status == SarStatus.COMPLETED and completed_on is None and "completed_on" not in self.errors:
            self.add_error("completed_on", "Enter the date the response was sent")
        if completed_on is not None:
            if completed_on < self.received_on:
                self.add_error("completed_on", "The date sent cannot be before the request was received")
            elif completed_on > timezone.localdate():
                self.add_error("completed_on", "The date sent cannot be in the future")
        return data


class MatchForm(forms.Form):
    prefix = "match"
    person = forms.ChoiceField(
        label="Which person on the system is it?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the person", "invalid_choice": "Choose one of the people listed"},
    )

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            (
                str(p.pk),
                p.display_name
                + (f", born {p.date_of_birth:%-d %B %Y}" if p.date_of_birth else "")
                + (f", {p.address.one_line}" if p.address else ""),
            )
            for p in people
        ]


__all__ = ["FORMAT_CHOICES", "LetterForm", "SarForm", "TemplateForm", "UploadForm", "sar_due_on"]


class PersonSearchForm(forms.Form):
    """The DPO's search for a person whose record of access to look at."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="Given and family name, in any order",
        error_messages={"required": "Enter the name of the person"},
    )
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example, 1980-03-27 or 27/03/1980",
        error_messages={"invalid": "Enter the date of birth as a real date, like 1980-03-27"},
    )

    def clean_name(self) -> str:
        value = str(self.cleaned_data["name"]).strip()
        if not name_key(value):
            raise forms.ValidationError("Enter a name with letters in it")
        return value
