"""Hot spots (Getis-Ord Gi* on LSOAs) and repeat locations: the form, the map with its tables, CSV/Excel of the same
tables, and the rows behind each LSOA's count and each repeat location."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safer.core.http import PartnershipRequest
from safer.core.permissions import require_area
from safer.core.spreadsheets import csv_response, xlsx_response
from safer.geography import selectors as geography
from safer.intelligence import hotspots as hs
from safer.intelligence import rates as rate_selectors
from safer.intelligence import selectors
from safer.intelligence.models import PartnerRecord, Source, StopSearch, StreetRecord
from safer.intelligence.views_rates import MonthField

SEARCH_COLUMNS = [
    "searched_at_utc",
    "type",
    "object_of_search",
    "outcome",
    "lsoa",
    "latitude",
    "longitude",
    "file",
    "line",
]
RECORD_COLUMNS = [
    "month",
    "crime_id",
    "category",
    "lsoa",
    "location",
    "longitude",
    "latitude",
    "outcome",
    "file",
    "line",
]


class HotspotForm(forms.Form):
    dataset = forms.ChoiceField(label="Show", required=False)
    year = forms.ChoiceField(
        label="Financial year",
        required=False,
        help_text="April to March, or the months below",
    )
    start = MonthField(label="First month", help_text="For example, 2021-08", which="first")
    end = MonthField(label="Last month", help_text="For example, 2022-07", which="last")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dataset = self.fields["dataset"]
        assert isinstance(dataset, forms.ChoiceField)
        dataset.choices = choices
        dataset.error_messages["invalid_choice"] = "Select what to show from the list"
        year = self.fields["year"]
        assert isinstance(year, forms.ChoiceField)
        year.choices = [("", "Months below"), *[(str(y), selectors.fy_label(y)) for y in years]]
        year.error_messages["invalid_choice"] = "Select a financial year from the list, or 'Months below'"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if not cleaned.get("year") and start and end and start > end:
            self.add_error("end", "The last month must be the same as or after the first month")
        return cleaned


def _years(partnership: Any, source: str) -> list[int]:
    return sorted({selectors.fy_of(m) for m in selectors.live_months(partnership, source)})


def _period(
    request: PartnershipRequest, form: HotspotForm, chosen: selectors.Dataset
) -> tuple[date, date] | tuple[None, None]:
    year = form.cleaned_data.get("year")
    if year:
        return date(int(year), 4, 1), date(int(year) + 1, 3, 1)
    start: date | None = form.cleaned_data.get("start")
    end: date | None = form.cleaned_data.get("end")
    latest = rate_selectors.default_period(request.partnership, chosen.source)
    if start is None and end is None:
        return latest or (None, None)
    if end is None:
        assert start is not None
        return start, max(start, latest[1]) if latest else start
    if start is None:
        return selectors.add_months(end, -11), end
    return start, end


@require_area("intelligence")
@require_GET
def hotspots(request: PartnershipRequest) -> HttpResponse:
    choices = [(d.slug, d.name) for d in selectors.datasets(request.partnership)]
    slug = request.GET.get("dataset") or "all-crime"
    source = next((d.source for d in selectors.datasets(request.partnership) if d.slug == slug), Source.POLICEUK_STREET)
    years = _years(request.partnership, source)
    form = HotspotForm(request.GET, choices=choices, years=years)
    context: dict[str, Any] = {"result": None, "geojson": None, "classes": hs.CLASSES, "mode": "months"}
    if not form.is_valid():
        return render(
            request,
            "intelligence/hotspots.html",
            {**context, "form": form, "chosen": selectors.dataset("all-crime"), "page_error": True, "flags": []},
        )
    chosen = selectors.dataset(form.cleaned_data["dataset"] or "all-crime", request.partnership)
    start, end = _period(request, form, chosen)
    context["loaded"] = selectors.live_months(request.partnership, chosen.source)
    result = hs.hotspots(request.partnership, chosen, start, end) if start and end else None
    if start and end:
        shown = {"dataset": chosen.slug, "year": form.cleaned_data.get("year") or "", "start": "", "end": ""}
        if not shown["year"]:
            shown["start"], shown["end"] = f"{start:%Y-%m}", f"{end:%Y-%m}"
        form = HotspotForm(shown, choices=choices, years=years)
        form.is_valid()
        context["query"] = urlencode({k: v for k, v in shown.items() if v})
        context["period"] = urlencode({"dataset": chosen.slug, "start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"})
    export = request.GET.get("format")
    if result is not None and export in {"csv", "xlsx"}:
        locations = request.GET.get("table") == "locations"
        header, rows = hs.export_locations(result) if locations else hs.export_rows(result)
        what = "repeat-locations" if locations else "hotspots"
        filename = f"{what}-{chosen.slug}-{result.start:%Y-%m}-to-{result.end:%Y-%m}-{request.partnership.slug}"
        if export == "csv":
            return csv_response(filename, header, rows)
        title = "Repeat locations" if locations else "Hot spots by LSOA"
        return xlsx_response(filename, title, header, rows, hs.export_notes(result, request.partnership.name))
    if result is not None:
        context["geojson"] = hs.map_features(request.partnership, result)
    flags = [*selectors.quality_flags(request.partnership, chosen), *(result.flags if result else [])]
    return render(
        request,
        "intelligence/hotspots.html",
        {**context, "form": form, "chosen": chosen, "result": result, "flags": flags},
    )


@require_area("intelligence")
@require_GET
def hotspot_rows(request: PartnershipRequest) -> HttpResponse:
    """The rows behind one LSOA's count (``lsoa``) or one repeat location (``location``, ``lat``, ``lon``)."""
    choices = [(d.slug, d.name) for d in selectors.datasets(request.partnership)]
    form = HotspotForm(request.GET, choices=choices, years=[])
    if not form.is_valid() or not form.cleaned_data["start"] or not form.cleaned_data["end"]:
        return render(request, "core/pages/404.html", status=404)
    chosen = selectors.dataset(form.cleaned_data["dataset"] or "all-crime", request.partnership)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    lsoa = request.GET.get("lsoa") or None
    searches = chosen.source == Source.POLICEUK_STOP_SEARCH
    try:
        lat = float(request.GET["lat"]) if request.GET.get("lat") else None
        lon = float(request.GET["lon"]) if request.GET.get("lon") else None
    except ValueError:
        return render(request, "core/pages/404.html", status=404)
    location = request.GET.get("location", "")
    filename = f"rows-{chosen.slug}-{start:%Y-%m}-to-{end:%Y-%m}"
    rows: QuerySet[StopSearch] | QuerySet[StreetRecord] | QuerySet[PartnerRecord]
    if selectors.is_partner(chosen.source):
        if lsoa is None:
            return render(request, "core/pages/404.html", status=404)
        partner_rows = hs.partner_records_behind(request.partnership, chosen, start, end, lsoa)
        rows = partner_rows
        if request.GET.get("format") == "csv":
            return csv_response(
                filename,
                ["month", "date", "category", "lsoa", "reference", "file", "line"],
                [
                    [
                        f"{r.month:%Y-%m}",
                        r.occurred_on.isoformat(),
                        r.category,
                        r.lsoa.code if r.lsoa else "",
                        r.reference,
                        r.run.file_name,
                        r.line,
                    ]
                    for r in partner_rows.iterator()
                ],
            )
    elif searches:
        found = hs.searches_behind(request.partnership, start, end, lsoa, None if lsoa else (lat, lon))
        rows = found
        if request.GET.get("format") == "csv":
            return csv_response(
                filename,
                SEARCH_COLUMNS,
                [
                    [
                        s.searched_at.isoformat(),
                        s.search_type,
                        s.object_of_search,
                        s.outcome,
                        s.lsoa.code if s.lsoa else "",
                        s.latitude,
                        s.longitude,
                        s.run.file_name,
                        s.line,
                    ]
                    for s in found.iterator()
                ],
            )
    else:
        records = hs.records_behind(
            request.partnership, chosen, start, end, lsoa, None if lsoa else (location, lat, lon)
        )
        rows = records
        if request.GET.get("format") == "csv":
            return csv_response(
                filename,
                RECORD_COLUMNS,
                [
                    [
                        f"{r.month:%Y-%m}",
                        r.crime_id,
                        r.category,
                        r.lsoa.code if r.lsoa else "",
                        r.location,
                        r.longitude,
                        r.latitude,
                        r.outcome,
                        r.run.file_name,
                        r.line,
                    ]
                    for r in records.iterator()
                ],
            )
    if lsoa is not None:
        name = geography.lsoas_in(request.partnership).filter(code=lsoa).values_list("name", flat=True).first()
        where = f"{name} ({lsoa})"
    else:
        where = location or f"the map point {lat}, {lon}"
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k not in {"page", "format"}}
    return render(
        request,
        "intelligence/hotspots_rows.html",
        {
            "chosen": chosen,
            "start": start,
            "end": end,
            "where": where,
            "page": page,
            "searches": searches,
            "query": urlencode(params),
            "back": urlencode(
                {"dataset": chosen.slug, "start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"},
            ),
        },
    )
