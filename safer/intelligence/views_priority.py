"""Priority neighbourhoods: the list, defining and changing an area, and its gap to the rest of the borough over
time (table, chart, CSV and Excel of the same figures).

Everyone who sees the analysis sees the areas; analysts and partnership admins (``intelligence_import``) define,
change and delete them. Another partnership's area is a 404 for everyone.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from safer.core.http import PartnershipRequest
from safer.core.permissions import can, require_area
from safer.core.services import ServiceError
from safer.core.spreadsheets import csv_response, xlsx_response
from safer.intelligence import priority, priority_services, selectors
from safer.intelligence.charts import line_chart
from safer.intelligence.forms_priority import GapForm, PriorityAreaForm
from safer.intelligence.models import PriorityArea


def _require_define(request: PartnershipRequest) -> None:
    if not can(request, "intelligence_import"):
        raise PermissionDenied("Defining priority areas needs the analyst or partnership admin role")


@require_area("intelligence")
@require_GET
def priority_list(request: PartnershipRequest) -> HttpResponse:
    return render(
        request,
        "intelligence/priority_list.html",
        {"areas": priority.areas_of(request.partnership), "can_define": can(request, "intelligence_import")},
    )


def _save(request: PartnershipRequest, area: PriorityArea | None) -> HttpResponse:
    """The define and change pages: one form of wards and LSOAs, with a start from IMD deciles 1 to 2."""
    _require_define(request)
    choices = priority.choices(request.partnership)
    prefill = request.method == "GET" and request.GET.get("start") == "deprived"
    if request.method == "POST":
        form = PriorityAreaForm(request.POST, choices=choices)
        if form.is_valid():
            fields: dict[str, Any] = {
                "name": form.cleaned_data["name"],
                "description": form.cleaned_data["description"],
                "lsoa_codes": form.cleaned_data["lsoas"],
                "ward_codes": form.cleaned_data["wards"],
                "actor": request.user,
                "request": request,
            }
            try:
                if area is None:
                    area = priority_services.create_priority_area(partnership=request.partnership, **fields)
                    done = f"Priority area {area.name} defined"
                else:
                    area = priority_services.update_priority_area(area=area, **fields)
                    done = f"Priority area {area.name} changed"
            except priority_services.AreaNameError as exc:
                form.add_error("name", str(exc))
            except ServiceError as exc:
                form.add_error("lsoas", str(exc))
            else:
                messages.success(request, done)
                return HttpResponseRedirect(reverse("intelligence:priority-area", args=[area.pk]))
    else:
        initial: dict[str, Any] = {}
        if area is not None:
            initial = {
                "name": area.name,
                "description": area.description,
                "lsoas": list(area.lsoas.values_list("code", flat=True)),
            }
        if prefill:
            initial["lsoas"] = sorted({*initial.get("lsoas", []), *choices.deprived_codes})
        form = PriorityAreaForm(initial=initial, choices=choices)
    return render(
        request,
        "intelligence/priority_form.html",
        {
            "form": form,
            "area": area,
            "choices": choices,
            "prefilled": prefill,
            "page_error": bool(form.errors),
        },
    )


@require_area("intelligence")
@require_http_methods(["GET", "POST"])
def priority_create(request: PartnershipRequest) -> HttpResponse:
    return _save(request, None)


@require_area("intelligence")
@require_http_methods(["GET", "POST"])
def priority_edit(request: PartnershipRequest, area_id: int) -> HttpResponse:
    area = priority.area_of(request.partnership, area_id)
    return _save(request, area)


@require_area("intelligence")
@require_http_methods(["GET", "POST"])
def priority_delete(request: PartnershipRequest, area_id: int) -> HttpResponse:
    area = priority.area_of(request.partnership, area_id)
    _require_define(request)
    if request.method == "POST":
        name = area.name
        priority_services.delete_priority_area(area=area, actor=request.user, request=request)
        messages.success(request, f"Priority area {name} deleted")
        return HttpResponseRedirect(reverse("intelligence:priority-areas"))
    return render(request, "intelligence/priority_delete.html", {"area": area})


@require_area("intelligence")
@require_GET
def priority_area(request: PartnershipRequest, area_id: int) -> HttpResponse:
    area = priority.area_of(request.partnership, area_id)
    choices = [(d.slug, d.name) for d in selectors.datasets(request.partnership)]
    form = GapForm(request.GET, choices=choices)
    context: dict[str, Any] = {
        "area": area,
        "definition": priority.definition(request.partnership, area),
        "can_define": can(request, "intelligence_import"),
        "series": None,
        "chart": "",
    }
    if not form.is_valid():
        return render(
            request,
            "intelligence/priority_area.html",
            {**context, "form": form, "chosen": selectors.dataset("all-crime"), "page_error": True, "flags": []},
        )
    chosen = selectors.dataset(form.cleaned_data["dataset"] or "all-crime", request.partnership)
    frequency = form.cleaned_data["frequency"] or "fy"
    compare = form.cleaned_data["compare"] or "rest"
    target: float | None = form.cleaned_data["target"]
    shown = {"dataset": chosen.slug, "frequency": frequency, "compare": compare}
    if target is not None:
        shown["target"] = f"{target:g}"
    form = GapForm(shown, choices=choices)
    form.is_valid()
    series = priority.gap_series(request.partnership, area, chosen, frequency)
    export = request.GET.get("format")
    if series is not None and series.rows and export in {"csv", "xlsx"}:
        return _export(request, area, series, compare, target, export)
    if series is not None and series.complete_rows >= 2:  # a single point draws no line
        context["chart"] = line_chart(
            f"{chosen.name} per 1,000 residents: {area.name} and the "
            f"{'whole borough' if compare == 'borough' else 'rest of the borough'}, "
            f"{'by financial year' if frequency == 'fy' else 'rolling 12 months'}",
            series.chart_points(compare),
        )
    flags = [*selectors.quality_flags(request.partnership, chosen), *(series.flags if series else [])]
    return render(
        request,
        "intelligence/priority_area.html",
        {
            **context,
            "form": form,
            "chosen": chosen,
            "series": series,
            "flags": flags,
            "frequency": frequency,
            "compare": compare,
            "target": target,
            "query": urlencode(shown),
            "loaded": selectors.live_months(request.partnership, chosen.source),
        },
    )


def _export(
    request: PartnershipRequest,
    area: PriorityArea,
    series: priority.GapSeries,
    compare: str,
    target: float | None,
    export: str,
) -> HttpResponse:
    header, rows = priority.export_rows(series, compare, target)
    filename = f"priority-gap-{area.pk}-{series.dataset.slug}-{series.frequency}-{request.partnership.slug}"
    if export == "csv":
        return csv_response(filename, header, rows)
    baseline = "the whole borough" if compare == "borough" else "the rest of the borough"
    notes = [
        f"{series.dataset.name} per 1,000 residents: priority area {area.name} ({series.priority_lsoas} LSOAs) "
        f"against {baseline}, {series.frequency_phrase}, {request.partnership.name}.",
        "Rates are population-weighted: the sum of the counts over the sum of the residents of the LSOAs, x 1,000.",
        f"Gap % = (priority rate - rate of {baseline}) / rate of {baseline} x 100: how much higher the priority "
        f"areas' rate is. Difference = priority rate - rate of {baseline}, per 1,000 residents.",
        "Target met when the gap % (to one decimal place) is at or below the target.",
        *[flag.text for flag in series.flags],
        "Source: police.uk street-level data (Open Government Licence v3.0); ONS mid-year population estimates.",
    ]
    return xlsx_response(filename, "Priority gap", header, rows, notes)
