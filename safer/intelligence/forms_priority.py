"""Forms for priority neighbourhoods: defining an area (wards and LSOAs), and choosing what its page shows."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from safer.intelligence.priority import COMPARISONS, FREQUENCIES, Choices
from safer.intelligence.priority_services import NAME_MAX as NAME_MAX_LENGTH

TARGET_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")
TARGET_MAX = 1000


class PriorityAreaForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="For example, South Wigston and Wigston Fields priority neighbourhoods",
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter a name for the priority area",
            "max_length": f"The name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )
    description = forms.CharField(
        label="Description (optional)",
        help_text="Why these areas, and where the choice was agreed",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"max_length": "The description must be 2,000 characters or fewer"},
    )
    wards = forms.MultipleChoiceField(
        label="Whole wards",
        help_text="Choosing a ward adds all of its LSOAs to the ones you tick below.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select wards from the list"},
    )
    lsoas = forms.MultipleChoiceField(
        label="LSOAs",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select LSOAs from the list"},
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        wards = self.fields["wards"]
        lsoas = self.fields["lsoas"]
        assert isinstance(wards, forms.MultipleChoiceField)
        assert isinstance(lsoas, forms.MultipleChoiceField)
        wards.choices = [(w.code, w.label) for w in choices.wards]
        lsoas.choices = [(c.code, c.label) for c in choices.lsoas]
        lsoas.help_text = (
            f"Each LSOA has about 1,500 residents. Its IMD decile is from the {choices.iod_edition} indices of "
            "deprivation: decile 1 is the most deprived 10% of LSOAs in England."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = cleaned.get("wards") or cleaned.get("lsoas")
        if not chosen and not self.has_error("wards") and not self.has_error("lsoas"):
            self.add_error("lsoas", "Select at least one LSOA or ward")
        return cleaned


class GapForm(forms.Form):
    dataset = forms.ChoiceField(label="Show", required=False)
    frequency = forms.ChoiceField(label="Periods", required=False, choices=list(FREQUENCIES.items()))
    compare = forms.ChoiceField(label="Compare with", required=False, choices=list(COMPARISONS.items()))
    target = forms.CharField(
        label="Target gap % (optional)",
        help_text="For example, 33 for a gap of no more than 33%",
        required=False,
        max_length=10,
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["dataset"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self.fields["dataset"].error_messages["invalid_choice"] = "Select what to show from the list"
        self.fields["frequency"].error_messages["invalid_choice"] = "Select financial years or rolling 12 months"
        self.fields["compare"].error_messages["invalid_choice"] = "Select what to compare the priority areas with"

    def clean_target(self) -> float | None:
        text = str(self.cleaned_data.get("target") or "").strip().removesuffix("%").strip()
        if not text:
            return None
        if not TARGET_PATTERN.match(text):
            raise forms.ValidationError("Enter the target gap as a number, like 33")
        value = float(text)
        if not 0 <= value <= TARGET_MAX:
            raise forms.ValidationError(f"The target gap must be between 0 and {TARGET_MAX:,}%")
        return value
