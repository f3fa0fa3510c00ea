"""The data protection officer's register of subject access requests, one request, and its export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safer.core import selectors as core_selectors
from safer.core import services as core_services
from safer.core.http import PartnershipRequest
from safer.core.permissions import require_area
from safer.documents import selectors, subject_access
from safer.documents.forms import ExtendForm, MatchForm, SarForm, SarStatusForm
from safer.documents.models import SubjectAccessRequest, sar_due_on
from safer.documents.tasks import export_subject_access

# The register is the DPO's: the same role that reads the access log.
AREA = "access_log"


@require_area(AREA)
@require_http_methods(["GET", "POST"])
def register(request: PartnershipRequest) -> HttpResponse:
    form = SarForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sar = subject_access.register_request(
            partnership=request.partnership,
            actor=request.user,
            requester_name=data["requester_name"],
            requester_date_of_birth=data["requester_date_of_birth"],
            received_on=data["received_on"],
            notes=data["notes"],
        )
        messages.success(request, f"{sar.reference} registered: due by {sar.due_on:%-d %B %Y}")
        return HttpResponseRedirect(reverse("documents:sar", args=[sar.pk]))
    today = timezone.localdate()
    requests = list(selectors.subject_access_requests(request.partnership))
    open_requests = [s for s in requests if s.is_open]
    closed = [s for s in requests if not s.is_open]
    return render(
        request,
        "documents/sar_register.html",
        {
            "form": form,
            "open_requests": open_requests,
            "closed": sorted(closed, key=lambda s: s.received_on, reverse=True)[:50],
            "today": today,
            "overdue": sum(1 for s in open_requests if s.flag(today) == "overdue"),
            "due_soon": sum(1 for s in open_requests if s.flag(today) == "due_soon"),
            "example_due": sar_due_on(today),
        },
        status=400 if form.errors else 200,
    )


def _detail_page(
    request: PartnershipRequest,
    sar: SubjectAccessRequest,
    *,
    extend_form: ExtendForm | None = None,
    status_form: SarStatusForm | None = None,
    match_form: MatchForm | None = None,
    status: int = 200,
) -> HttpResponse:
    people = subject_access.candidate_people(sar) if sar.person is None else []
    seen_by: list[Any] = []
    if sar.person is not None:
        # "Who has seen this person's data, when and why": views of the person, their cases, reports and documents.
        cases, reports = subject_access.person_records(sar.person)
        seen_by = subject_access.access_events_about(sar.person, cases, reports)[-200:][::-1]
    exports = [
        job
        for job in core_selectors.jobs_of(request.user, request.partnership)[:200]
        if job.kind == subject_access.EXPORT_KIND and job.parameters.get("sar_id") == sar.pk
    ][:5]
    return render(
        request,
        "documents/sar.html",
        {
            "sar": sar,
            "flag": sar.flag(),
            "people": people,
            "match_form": match_form or MatchForm(people=people),
            "extend_form": extend_form or ExtendForm(received_on=sar.received_on, due_on=sar.due_on),
            "status_form": status_form
            or SarStatusForm(
                received_on=sar.received_on, initial={"status": sar.status, "completed_on": sar.completed_on}
            ),
            "exports": exports,
            "seen_by": seen_by,
            "page_error": status != 200,
        },
        status=status,
    )


@require_area(AREA)
@require_http_methods(["GET", "POST"])
def detail(request: PartnershipRequest, sar_id: int) -> HttpResponse:
    sar = selectors.subject_access_request_for(request.partnership, sar_id)
    if request.method == "GET":
        return _detail_page(request, sar)
    action = request.POST.get("action")
    if action == "match":
        people = subject_access.candidate_people(sar)
        match_form = MatchForm(request.POST, people=people)
        if match_form.is_valid():
            person = next(p for p in people if str(p.pk) == match_form.cleaned_data["person"])
            subject_access.match_person(sar=sar, person=person, actor=request.user)
            messages.success(request, f"{sar.reference} matched to {person.display_name}")
            return HttpResponseRedirect(reverse("documents:sar", args=[sar.pk]))
        return _detail_page(request, sar, match_form=match_form, status=400)
    if action == "extend":
        extend_form = ExtendForm(request.POST, received_on=sar.received_on, due_on=sar.due_on)
        if extend_form.is_valid():
            data = extend_form.cleaned_data
            try:
                subject_access.extend(
                    sar=sar,
                    extended_to=data["extended_to"],
                    told_on=data["extension_told_on"],
                    reason=data["extension_reason"],
                    actor=request.user,
                )
            except subject_access.SarError as exc:
                extend_form.add_error(exc.field if exc.field in extend_form.fields else None, str(exc))
            else:
                messages.success(request, f"{sar.reference} extended to {data['extended_to']:%-d %B %Y}")
                return HttpResponseRedirect(reverse("documents:sar", args=[sar.pk]))
        return _detail_page(request, sar, extend_form=extend_form, status=400)
    status_form = SarStatusForm(request.POST, received_on=sar.received_on)
    if status_form.is_valid():
        subject_access.set_status(
            sar=sar,
            status=status_form.cleaned_data["status"],
            completed_on=status_form.cleaned_data["completed_on"],
            actor=request.user,
        )
        messages.success(request, f"{sar.reference} updated")
        return HttpResponseRedirect(reverse("documents:sar", args=[sar.pk]))
    return _detail_page(request, sar, status_form=status_form, status=400)


@require_area(AREA)
@require_POST
def export(request: PartnershipRequest, sar_id: int) -> HttpResponse:
    sar = selectors.subject_access_request_for(request.partnership, sar_id)
    if sar.person is None:
        messages.error(request, "Match the request to a person on the system before exporting")
        return HttpResponseRedirect(reverse("documents:sar", args=[sar.pk]))
    job = core_services.create_job(
        partnership=request.partnership,
        user=request.user,
        kind=subject_access.EXPORT_KIND,
        title=f"Subject access export {sar.reference}",
        parameters={"sar_id": sar.pk},
    )
    result = export_subject_access.enqueue(str(job.pk))
    core_services.record_task_id(job=job, task_result_id=result.id)
    return HttpResponseRedirect(reverse("core:job", args=[job.pk]))
