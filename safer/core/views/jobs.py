"""Background jobs: the progress page, its JSON for polling, cancel, and the result download."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from safer.core import selectors, services
from safer.core.audit import record_access
from safer.core.http import PartnershipRequest
from safer.core.jobs import export_dir, job_page_name, recover_interrupted
from safer.core.models import AccessAction, Job, JobStatus


def job_json(job: Job) -> dict[str, object]:
    return {
        "percent": job.percent,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "done_text": job.done_text,
        "errors": job.errors,
        "status": job.status,
        "status_label": JobStatus(job.status).label,
        "message": job.message,
    }


@require_GET
def jobs(request: PartnershipRequest) -> HttpResponse:
    return render(request, "core/jobs/list.html", {"jobs": selectors.jobs_of(request.user, request.partnership)[:100]})


@require_GET
def job(request: PartnershipRequest, job_id: uuid.UUID) -> HttpResponse:
    recover_interrupted()  # a job whose process was killed reads as failed, not running for ever
    item = selectors.job_of(request.user, request.partnership, job_id)
    own_page = job_page_name(item.kind)
    if own_page is not None:
        return HttpResponseRedirect(reverse(own_page, args=[item.pk]))
    return render(request, "core/jobs/job.html", {"job": item, "status": job_json(item)})


@require_GET
def job_status(request: PartnershipRequest, job_id: uuid.UUID) -> JsonResponse:
    recover_interrupted()  # so a page left open learns that its job's process was killed
    item = selectors.job_of(request.user, request.partnership, job_id)
    return JsonResponse(job_json(item))


@require_POST
def cancel_job(request: PartnershipRequest, job_id: uuid.UUID) -> HttpResponse:
    item = selectors.job_of(request.user, request.partnership, job_id)
    services.request_job_cancel(job=item)
    return HttpResponseRedirect(reverse("core:job", args=[item.pk]))


@require_GET
def job_download(request: PartnershipRequest, job_id: uuid.UUID) -> FileResponse:
    return job_file_response(request, selectors.job_of(request.user, request.partnership, job_id))


def job_file_response(request: PartnershipRequest, item: Job) -> FileResponse:
    """The finished job's file as a download, logged; 404 while there is none. The caller has checked access."""
    if item.status != JobStatus.SUCCEEDED or not item.result_file:
        raise Http404("Nothing to download")
    path = export_dir() / Path(item.result_file).name
    if not path.exists():
        raise Http404("The file has been removed")
    record_access(
        action=AccessAction.EXPORT,
        actor=request.user,
        object_type="job",
        object_id=str(item.pk),
        detail=f"downloaded {item.kind}",
        request=request,
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=item.result_name or path.name)
