"""The form for the area's police force."""

from __future__ import annotations

from django import forms

from safer.intelligence.importers.forces import FORCE_NAMES, NATIONAL_FORCES

TERRITORIAL = sorted(
    ((key, name) for key, name in FORCE_NAMES.items() if key not in NATIONAL_FORCES), key=lambda c: c[1]
)


class HomeForceForm(forms.Form):
    force = forms.ChoiceField(
        label="Police force",
        help_text="The territorial force whose police.uk files count here. British Transport Police files count too.",
        choices=[("", "Choose a force"), *TERRITORIAL],
        error_messages={
            "required": "Choose the police force that polices the area",
            "invalid_choice": "Choose the police force that polices the area from the list",
        },
    )
