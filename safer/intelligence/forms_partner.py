"""Forms for partner data: a new source, a file to import, and the column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from safer.core.models import Agency
from safer.intelligence.importers.partner import EXTENSIONS

LOCATION_CHOICES = [
    ("lsoa", "An LSOA code (like E01025925)"),
    ("ward", "A ward name or code"),
    ("latlon", "Latitude and longitude"),
    ("bng", "Easting and northing (British National Grid)"),
]
DATE_FORMAT_CHOICES = [
    ("", "Work it out (day first: 31/01/2024, 31-01-2024, 2024-01-31)"),
    ("%d/%m/%Y", "31/01/2024"),
    ("%m/%d/%Y", "01/31/2024 (month first)"),
    ("%Y-%m-%d", "2024-01-31"),
    ("%d/%m/%y", "31/01/24"),
]


class SourceForm(forms.Form):
    name = forms.CharField(
        label="Name of the data",
        max_length=120,
        help_text="For example: Council ASB reports, Deliberate fires, Hospital assault admissions",
        error_messages={"required": "Enter a name for the data"},
    )
    counted = forms.CharField(
        label="What one row is",
        max_length=300,
        help_text="For example: one report of ASB made to the council",
        error_messages={"required": "Say what one row of the file is"},
    )
    agency = forms.ModelChoiceField(
        label="Agency that sends it", queryset=Agency.objects.none(), required=False, empty_label="Not recorded"
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


class PartnerFileForm(forms.Form):
    upload = forms.FileField(
        label="File to import",
        help_text="A CSV (UTF-8) or Excel .xlsx file with one header row; the first sheet is read",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        error_messages={"required": "Select a CSV or Excel file to import", "empty": "The selected file is empty"},
    )

    def clean_upload(self) -> UploadedFile[Any]:
        uploaded: UploadedFile[Any] = self.cleaned_data["upload"]
        name = uploaded.name or ""
        if not name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(f"{name} is not a CSV or .xlsx file. Save it as CSV UTF-8 or .xlsx")
        limit = settings.SAFER_MAX_UPLOAD_MB * 1024 * 1024
        if (uploaded.size or 0) > limit:
            raise forms.ValidationError(
                f"{name} is larger than {settings.SAFER_MAX_UPLOAD_MB:,} MB. Split it into smaller periods"
            )
        return uploaded


class MappingForm(forms.Form):
    """Which column holds each field. Choices are the file's own column headings."""

    date = forms.ChoiceField(
        label="Date",
        help_text="When it happened (or was reported)",
        error_messages={"required": "Choose the date column"},
    )
    date_format = forms.ChoiceField(label="How dates are written", choices=DATE_FORMAT_CHOICES, required=False)
    category = forms.ChoiceField(
        label="Category (optional)", required=False, help_text="Without one, every row counts under the source's name"
    )
    location = forms.ChoiceField(
        label="How rows are placed",
        choices=LOCATION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the rows are placed"},
    )
    lsoa = forms.ChoiceField(label="LSOA code column", required=False)
    ward = forms.ChoiceField(label="Ward column", required=False)
    latitude = forms.ChoiceField(label="Latitude column", required=False)
    longitude = forms.ChoiceField(label="Longitude column", required=False)
    easting = forms.ChoiceField(label="Easting column", required=False)
    northing = forms.ChoiceField(label="Northing column", required=False)
    reference = forms.ChoiceField(label="Partner's reference (optional)", required=False)

    NAMES = {
        "lsoa": "LSOA code",
        "ward": "ward",
        "latitude": "latitude",
        "longitude": "longitude",
        "easting": "easting",
        "northing": "northing",
    }
    NEEDS = {
        "lsoa": ("lsoa",),
        "ward": ("ward",),
        "latlon": ("latitude", "longitude"),
        "bng": ("easting", "northing"),
    }

    def __init__(self, *args: Any, headings: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [(h, h) for h in headings]
        for name in ("date", "category", "lsoa", "ward", "latitude", "longitude", "easting", "northing", "reference"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "Not in this file" if name != "date" else "Choose a column"), *columns]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        location = data.get("location")
        for name in self.NEEDS.get(location or "", ()):
            if not data.get(name):
                self.add_error(name, f"Choose the {self.NAMES[name]} column")
        return data
