"""The analyst's pages: data loaded and its quality, imports and their reports, the heat map."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from safer.core import selectors as core_selectors
from safer.core.http import PartnershipRequest
from safer.core.jobs import recover_interrupted
from safer.core.permissions import can, require_area
from safer.core.spreadsheets import csv_response, xlsx_response
from safer.core.views.jobs import job_json
from safer.intelligence import selectors
from safer.intelligence.charts import line_chart
from safer.intelligence.forms import DatasetForm, PoliceUkUploadForm
from safer.intelligence.importers.forces import force_name
from safer.intelligence.models import Source
from safer.intelligence.tasks import IMPORT_JOB_KINDS, PARTNER_IMPORT_JOB
from safer.intelligence.uploads import start_policeuk_upload


@require_area("intelligence")
@require_http_methods(["GET", "POST"])
def overview(request: PartnershipRequest) -> HttpResponse:
    form = PoliceUkUploadForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    if request.method == "POST":
        if not can(request, "intelligence_import"):
            return render(request, "core/pages/403.html", status=403)
        if form.is_valid():
            job = start_policeuk_upload(
                partnership=request.partnership, user=request.user, files=form.cleaned_data["upload"]
            )
            return HttpResponseRedirect(reverse("intelligence:import-job", args=[job.pk]))
    recover_interrupted()  # an import whose process was killed is listed as stopped, not "Being imported" for ever
    months = selectors.live_months(request.partnership)
    home = selectors.home_force(request.partnership)
    years: dict[str, int] = {}
    for month in months:
        key = selectors.fy_label(selectors.fy_of(month))
        years[key] = years.get(key, 0) + 1
    return render(
        request,
        "intelligence/overview.html",
        {
            "form": form,
            "can_import": can(request, "intelligence_import"),
            "home_force": home,
            "home_force_name": force_name(home.force) if home else "",
            "months": months,
            "years": years,
            "flags": selectors.quality_flags(request.partnership),
            "runs": selectors.runs_of(request.partnership)[:20],
            "datasets": selectors.datasets(request.partnership)[:2],
            "page_error": bool(form.errors),
        },
    )


@require_area("intelligence")
@require_GET
def import_job(request: PartnershipRequest, job_id: uuid.UUID) -> HttpResponse:
    """A background import's progress, then each file it took: what became of it, why a file was refused, and the
    file's report. Only the person who started it sees it, as with every job."""
    recover_interrupted()
    item = core_selectors.job_of(request.user, request.partnership, job_id)
    if item.kind not in IMPORT_JOB_KINDS:
        raise Http404("Not an import")
    runs = selectors.runs_of_job(request.partnership, item)
    back, more = ("Data and analysis", reverse("intelligence:overview")), reverse("intelligence:overview")
    source_id = item.parameters.get("source_id") if item.kind == PARTNER_IMPORT_JOB else None
    if source_id is not None:
        back = ("Partner data", reverse("intelligence:partner-sources"))
        more = reverse("intelligence:partner-source", args=[int(source_id)])
    return render(
        request,
        "intelligence/import_job.html",
        {"job": item, "status": job_json(item), "runs": runs, "back": back, "more": more},
    )


@require_area("intelligence")
@require_GET
def import_run(request: PartnershipRequest, run_id: int) -> HttpResponse:
    recover_interrupted()
    run = selectors.run_of(request.partnership, run_id)
    rejections = selectors.rejections_of(run)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"rejected-rows-{run.pk}",
            ["file", "line", "column", "value", "reason"],
            [[run.file_name, r.line, r.column, r.value, r.reason] for r in rejections.iterator()],
        )
    page = Paginator(rejections, 100).get_page(request.GET.get("page"))
    not_kept = selectors.rejections_not_kept(run, kept=page.paginator.count)
    context = {
        "run": run,
        "page": page,
        "not_kept": not_kept,
        "partner": selectors.is_partner(run.source),
        "force_label": force_name(run.force),
        "same_file": selectors.same_file_names(run),
    }
    return render(request, "intelligence/import_run.html", context)


@require_area("intelligence")
@require_GET
def heat_map(request: PartnershipRequest) -> HttpResponse:
    choices = [(d.slug, d.name) for d in selectors.datasets(request.partnership)]
    form = DatasetForm(request.GET, choices=choices)
    slug = form.cleaned_data["dataset"] if form.is_valid() and form.cleaned_data["dataset"] else "all-crime"
    chosen = selectors.dataset(slug, request.partnership)
    table = selectors.heat_map(request.partnership, chosen)
    export = request.GET.get("format")
    if table is not None and export in {"csv", "xlsx"}:
        header = ["Month", *table.year_labels, "Average"]
        rows: list[list[str | int | float | None]] = [
            [row.month_name, *[c.count for c in row.cells], round(row.average, 1) if row.average is not None else None]
            for row in table.rows
        ]
        rows.append(["Total", *table.totals, round(table.averages_total, 1) if table.averages_total else None])
        rows.append(["Months with data", *table.months_present, None])
        filename = f"heat-map-{chosen.slug}-{request.partnership.slug}"
        if export == "csv":
            return csv_response(filename, header, rows)
        notes = [
            f"{chosen.name}, {request.partnership.name}. "
            + (
                "Source: the partner's files as imported into Safer Communities. Every row the partner recorded "
                "in the area is counted. Empty cells: no data for that month."
                if selectors.is_partner(chosen.source)
                else "Source: police.uk street-level data (Open Government Licence v3.0). Rows with no location are "
                "not included. Empty cells: no data for that month."
            ),
        ]
        return xlsx_response(filename, "Heat map", header, rows, notes)
    return render(
        request,
        "intelligence/heat_map.html",
        {
            "form": form,
            "chosen": chosen,
            "table": table,
            "flags": selectors.quality_flags(request.partnership, chosen),
            "can_import": can(request, "intelligence_import"),
        },
    )


@require_area("intelligence")
@require_GET
def cell_rows(request: PartnershipRequest, dataset_slug: str, year: int, month: int) -> HttpResponse:
    """How a heat-map figure was counted: the rows behind it."""
    chosen = selectors.dataset(dataset_slug, request.partnership)
    if not 1 <= month <= 12:
        return render(request, "core/pages/404.html", status=404)
    when = date(year, month, 1)
    if chosen.source == Source.POLICEUK_STOP_SEARCH:
        searches = selectors.searches_for_cell(request.partnership, when)
        if request.GET.get("format") == "csv":
            return csv_response(
                f"rows-{chosen.slug}-{when:%Y-%m}",
                [
                    "searched_at_utc",
                    "type",
                    "object_of_search",
                    "outcome",
                    "lsoa",
                    "latitude",
                    "longitude",
                    "file",
                    "line",
                ],
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
                    for s in searches.iterator()
                ],
            )
        search_page = Paginator(searches, 100).get_page(request.GET.get("page"))
        return render(
            request,
            "intelligence/cell_rows.html",
            {"chosen": chosen, "month": when, "page": search_page, "searches": True},
        )
    if selectors.is_partner(chosen.source):
        partner_rows = selectors.partner_records_for_cell(request.partnership, chosen, when)
        if request.GET.get("format") == "csv":
            return csv_response(
                f"rows-{chosen.slug}-{when:%Y-%m}",
                ["date", "category", "lsoa", "ward", "reference", "file", "line"],
                [
                    [
                        r.occurred_on.isoformat(),
                        r.category,
                        r.lsoa.code if r.lsoa else "",
                        r.ward.name if r.ward else "",
                        r.reference,
                        r.run.file_name,
                        r.line,
                    ]
                    for r in partner_rows.select_related("run").iterator()
                ],
            )
        return render(
            request,
            "intelligence/cell_rows.html",
            {
                "chosen": chosen,
                "month": when,
                "page": Paginator(partner_rows, 100).get_page(request.GET.get("page")),
                "searches": False,
                "partner": True,
            },
        )
    records = selectors.records_for_cell(request.partnership, chosen, when)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"rows-{chosen.slug}-{when:%Y-%m}",
            ["month", "crime_id", "category", "lsoa", "location", "longitude", "latitude", "outcome", "file", "line"],
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
                for r in records.select_related("run").iterator()
            ],
        )
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    outcomes = selectors.latest_outcomes(request.partnership, [r.crime_id for r in page.object_list])
    return render(
        request,
        "intelligence/cell_rows.html",
        {"chosen": chosen, "month": when, "page": page, "searches": False, "outcomes": outcomes},
    )


@require_area("intelligence")
@require_GET
def trends(request: PartnershipRequest) -> HttpResponse:
    choices = [(d.slug, d.name) for d in selectors.datasets(request.partnership)]
    form = DatasetForm(request.GET, choices=choices)
    slug = form.cleaned_data["dataset"] if form.is_valid() and form.cleaned_data["dataset"] else "all-crime"
    chosen = selectors.dataset(slug, request.partnership)
    result = selectors.trend(request.partnership, chosen)
    if result is not None and request.GET.get("format") == "csv":
        rolling = dict(result.rolling)
        return csv_response(
            f"trend-{chosen.slug}-{request.partnership.slug}",
            ["month", "count", "rolling_12_months"],
            [[f"{m:%Y-%m}", c, rolling.get(m)] for m, c in result.points],
        )
    chart = ""
    if result is not None:
        chart = line_chart(f"{chosen.name} per month in {request.partnership.name}", [("Monthly count", result.points)])
    return render(
        request,
        "intelligence/trends.html",
        {
            "form": form,
            "chosen": chosen,
            "trend": result,
            "chart": chart,
            "rolling": dict(result.rolling) if result else {},
            "flags": selectors.quality_flags(request.partnership, chosen),
        },
    )


@require_area("intelligence")
@require_GET
def serious_violence(request: PartnershipRequest) -> HttpResponse:
    from safer.intelligence import serious_violence as sv

    chosen = sv.dataset()
    result = selectors.trend(request.partnership, chosen)
    chart = (
        line_chart(f"Serious violence per month in {request.partnership.name}", [("Monthly count", result.points)])
        if result
        else ""
    )
    return render(
        request,
        "intelligence/serious_violence.html",
        {
            "chosen": chosen,
            "trend": result,
            "chart": chart,
            "profile": sv.profile(request.partnership),
            "mappings": sv.MAPPINGS,
            "flags": selectors.quality_flags(request.partnership, chosen),
        },
    )
