"""Partner data pages: the sources, one source with its imports, the column mapping, and uploads."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safer.core import services as core_services
from safer.core.http import PartnershipRequest
from safer.core.permissions import can, require_area
from safer.core.selectors import agencies_in
from safer.intelligence import partner_services, selectors
from safer.intelligence.forms_partner import MappingForm, PartnerFileForm, SourceForm
from safer.intelligence.importers.files import ImportRefused
from safer.intelligence.importers.partner import Mapping, read_header
from safer.intelligence.models import ImportRun, PartnerSource
from safer.intelligence.tasks import PARTNER_IMPORT_JOB, import_partner_upload, pending_dir

PENDING = "partner-upload-{}"  # session key: the file waiting for its source's mapping


def source_of(request: PartnershipRequest, source_id: int) -> PartnerSource:
    source = (
        PartnerSource.objects.filter(partnership=request.partnership, pk=source_id).select_related("agency").first()
    )
    if source is None:
        raise Http404("No such partner source")
    return source


@require_area("intelligence")
@require_http_methods(["GET", "POST"])
def sources(request: PartnershipRequest) -> HttpResponse:
    agencies = agencies_in(request.partnership)
    form = SourceForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST":
        if not can(request, "intelligence_import"):
            return render(request, "core/pages/403.html", status=403)
        if form.is_valid():
            try:
                source = partner_services.create_source(
                    partnership=request.partnership,
                    name=form.cleaned_data["name"],
                    counted=form.cleaned_data["counted"],
                    agency=form.cleaned_data["agency"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return HttpResponseRedirect(reverse("intelligence:partner-source", args=[source.pk]))
    rows = []
    for source in PartnerSource.objects.filter(partnership=request.partnership).select_related("agency"):
        months = selectors.live_months(request.partnership, source.key)
        rows.append({"source": source, "months": months, "dataset": selectors.partner_dataset(source)})
    return render(
        request,
        "intelligence/partner_sources.html",
        {"form": form, "rows": rows, "can_import": can(request, "intelligence_import")},
    )


def _start_import(request: PartnershipRequest, source: PartnerSource, path: Path, name: str) -> HttpResponse:
    job = core_services.create_job(
        partnership=request.partnership,
        user=request.user,
        kind=PARTNER_IMPORT_JOB,
        title=f"{source.name}: {name}"[:200],
        parameters={"source_id": source.pk, "file": path.parent.name, "name": name},
    )
    result = import_partner_upload.enqueue(str(job.pk))
    core_services.record_task_id(job=job, task_result_id=result.id)
    return HttpResponseRedirect(reverse("intelligence:import-job", args=[job.pk]))


def _save_upload(form: PartnerFileForm) -> tuple[Path, str]:
    uploaded = form.cleaned_data["upload"]
    name = Path(uploaded.name or "upload.csv").name
    folder = pending_dir() / secrets.token_hex(16)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return path, name


@require_area("intelligence")
@require_http_methods(["GET", "POST"])
def source_page(request: PartnershipRequest, source_id: int) -> HttpResponse:
    source = source_of(request, source_id)
    form = PartnerFileForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    if request.method == "POST":
        if not can(request, "intelligence_import"):
            return render(request, "core/pages/403.html", status=403)
        if form.is_valid():
            path, name = _save_upload(form)
            try:
                headings = read_header(path, name)
            except ImportRefused as exc:
                shutil.rmtree(path.parent, ignore_errors=True)
                form.add_error("upload", str(exc))
            else:
                mapping = Mapping.from_json(source.mapping)
                if mapping.complete and all(h in headings for h in mapping.headings()):
                    return _start_import(request, source, path, name)
                request.session[PENDING.format(source.pk)] = {"folder": path.parent.name, "name": name}
                return HttpResponseRedirect(reverse("intelligence:partner-mapping", args=[source.pk]))
    runs = ImportRun.objects.filter(partnership=request.partnership, source=source.key).select_related("created_by")[
        :20
    ]
    return render(
        request,
        "intelligence/partner_source.html",
        {
            "source": source,
            "form": form,
            "runs": runs,
            "mapping": _mapping_rows(Mapping.from_json(source.mapping)),
            "months": selectors.live_months(request.partnership, source.key),
            "dataset": selectors.partner_dataset(source),
            "flags": selectors.quality_flags(request.partnership, selectors.partner_dataset(source)),
            "can_import": can(request, "intelligence_import"),
        },
    )


def _mapping_rows(mapping: Mapping) -> list[tuple[str, str]]:
    if not mapping.complete:
        return []
    labels = {"lsoa": "LSOA code", "ward": "Ward", "latitude": "Latitude", "longitude": "Longitude"}
    labels |= {"easting": "Easting", "northing": "Northing", "category": "Category", "reference": "Reference"}
    rows = [("Date", mapping.date + (f" (written {mapping.date_format})" if mapping.date_format else ""))]
    rows += [(labels[k], v) for k, v in mapping.columns.items() if k in labels]
    return rows


@require_area("intelligence_import")
@require_http_methods(["GET", "POST"])
def mapping(request: PartnershipRequest, source_id: int) -> HttpResponse:
    """Map the waiting file's columns (its headings are the choices), save the mapping and import the file."""
    source = source_of(request, source_id)
    pending: dict[str, Any] | None = request.session.get(PENDING.format(source.pk))
    if not pending:
        return render(
            request,
            "intelligence/partner_mapping.html",
            {"source": source, "form": None, "name": ""},
        )
    path = pending_dir() / Path(str(pending["folder"])).name / Path(str(pending["name"])).name
    if not path.exists():
        del request.session[PENDING.format(source.pk)]
        raise Http404("The uploaded file has gone: upload it again")
    headings = read_header(path, path.name)
    saved = Mapping.from_json(source.mapping)
    initial = {"date": saved.date, "date_format": saved.date_format, "location": saved.location, **saved.columns}
    form = MappingForm(request.POST if request.method == "POST" else None, headings=headings, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        location = data["location"]
        columns = {name: data[name] for name in MappingForm.NEEDS[location]}
        for optional in ("category", "reference"):
            if data.get(optional):
                columns[optional] = data[optional]
        chosen = Mapping(date=data["date"], location=location, columns=columns, date_format=data["date_format"] or "")
        partner_services.save_mapping(source=source, mapping=chosen)
        del request.session[PENDING.format(source.pk)]
        return _start_import(request, source, path, path.name)
    return render(
        request,
        "intelligence/partner_mapping.html",
        {"source": source, "form": form, "name": path.name, "headings": headings},
    )
