"""Rates per 1,000 residents by ward and LSOA: the form, the map with its table, and CSV/Excel of the same table."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safer.core.http import PartnershipRequest
from safer.core.permissions import require_area
from safer.core.spreadsheets import csv_response, xlsx_response
from safer.intelligence import rates as rate_selectors
from safer.intelligence import selectors

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    """A month written as YYYY-MM (2021-08), cleaned to the first day of that month."""

    def __init__(self, *, which: str, **kwargs: Any) -> None:
        self.which = which
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> date | None:
        text = super().clean(value).strip()
        if not text:
            return None
        found = MONTH_PATTERN.match(text)
        if not found:
            raise forms.ValidationError(f"Enter the {self.which} month as a year and month, like 2021-08")
        year, month = int(found.group(1)), int(found.group(2))
        if not 1 <= month <= 12:
            raise forms.ValidationError(f"The {self.which} month must be a month from 01 to 12, like 2021-08")
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(f"The {self.which} month must be in a year from 2000 onwards, like 2021-08")
        return date(year, month, 1)


class RatesForm(forms.Form):
    dataset = forms.ChoiceField(label="Show", required=False)
    level = forms.ChoiceField(
        label="Areas", required=False, choices=[("lsoa", "LSOAs"), ("ward", "Wards")], initial="lsoa"
    )
    start = MonthField(label="First month", help_text="For example, 2021-08", which="first")
    end = MonthField(label="Last month", help_text="For example, 2022-07", which="last")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["dataset"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self.fields["dataset"].error_messages["invalid_choice"] = "Select what to show from the list"
        self.fields["level"].error_messages["invalid_choice"] = "Select LSOAs or wards"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The last month must be the same as or after the first month")
        return cleaned


@require_area("intelligence")
@require_GET
def rates(request: PartnershipRequest) -> HttpResponse:
    choices = [(d.slug, d.name) for d in selectors.datasets(request.partnership)]
    form = RatesForm(request.GET, choices=choices)
    context: dict[str, Any] = {"table": None, "geojson": None, "no_boundary": []}
    if not form.is_valid():
        return render(
            request,
            "intelligence/rates.html",
            {**context, "form": form, "chosen": selectors.dataset("all-crime"), "page_error": True, "flags": []},
        )
    chosen = selectors.dataset(form.cleaned_data["dataset"] or "all-crime", request.partnership)
    level = form.cleaned_data["level"] or "lsoa"
    start: date | None = form.cleaned_data["start"]
    end: date | None = form.cleaned_data["end"]
    context["loaded"] = selectors.live_months(request.partnership, chosen.source)
    latest = rate_selectors.default_period(request.partnership, chosen.source)
    if start is None and end is None:
        start, end = latest or (None, None)
    elif end is None:
        end = max(start, latest[1]) if start and latest else start
    elif start is None:
        start = selectors.add_months(end, -11)
    table = rate_selectors.rates(request.partnership, chosen, start, end, level) if start and end else None
    if start and end:
        # Show the period used in the form, also when it was the default.
        shown = {"dataset": chosen.slug, "level": level, "start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"}
        form = RatesForm(shown, choices=choices)
        form.is_valid()
        context["query"] = urlencode(shown)
    export = request.GET.get("format")
    if table is not None and export in {"csv", "xlsx"}:
        header, rows = rate_selectors.export_rows(table, request.partnership.name)
        filename = f"rates-{chosen.slug}-{level}-{table.start:%Y-%m}-to-{table.end:%Y-%m}-{request.partnership.slug}"
        if export == "csv":
            return csv_response(filename, header, rows)
        year = table.population.year_used
        notes = [
            f"{chosen.name} per 1,000 residents by {table.level_name}, {table.period_label}, "
            f"{request.partnership.name}.",
            f"Months with data: {len(table.months_with_data)} of {len(table.months)}. Annualised rate = rate x 12 / "
            "months with data.",
            (
                f"Residents: mid-{year} estimates ({table.population.source})."
                if year
                else "No population estimates loaded."
            ),
            f"Deprivation: {table.deprivation_source}.",
            *[flag.text for flag in table.flags],
            "Source: police.uk street-level data (Open Government Licence v3.0).",
        ]
        return xlsx_response(filename, "Rates per 1,000", header, rows, notes)
    if table is not None:
        context["geojson"], context["no_boundary"] = rate_selectors.map_features(request.partnership, table)
    flags = [*selectors.quality_flags(request.partnership, chosen), *(table.flags if table else [])]
    return render(
        request,
        "intelligence/rates.html",
        {**context, "form": form, "chosen": chosen, "table": table, "flags": flags, "level": level},
    )
