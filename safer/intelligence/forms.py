"""Forms for the analyst's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

ALLOWED = (".csv", ".zip", ".gz")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files (Django's documented pattern)."""

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        return [single(data or None, initial)]


class PoliceUkUploadForm(forms.Form):
    upload = MultipleFileField(
        label="police.uk files",
        help_text=(
            "One or more *-street.csv or *-stop-and-search.csv files, or the monthly archive .zip from data.police.uk"
        ),
        widget=MultipleFileInput(attrs={"multiple": True, "accept": ".csv,.zip,.gz"}),
        error_messages={"required": "Select at least one police.uk file to import"},
    )

    def clean_upload(self) -> list[UploadedFile[Any]]:
        uploaded: list[UploadedFile[Any]] = self.cleaned_data["upload"]
        limit = settings.SAFER_MAX_UPLOAD_MB * 1024 * 1024
        for item in uploaded:
            name = item.name or ""
            if not name.lower().endswith(ALLOWED):
                raise forms.ValidationError(
                    f"{name} is not a CSV, ZIP or GZ file. Select the *-street.csv files or the archive .zip"
                )
            if (item.size or 0) > limit:
                raise forms.ValidationError(
                    f"{name} is larger than {settings.SAFER_MAX_UPLOAD_MB:,} MB. Upload one month at a time, or ask "
                    "your administrator to load it with manage.py import_policeuk"
                )
        return uploaded


class DatasetForm(forms.Form):
    dataset = forms.ChoiceField(label="Show", required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["dataset"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
