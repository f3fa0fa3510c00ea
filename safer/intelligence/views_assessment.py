"""The Strategic Assessment page: what it will contain, and a button that builds it as PDF or Word in the background."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from safer.core import selectors as core_selectors
from safer.core import services as core_services
from safer.core.http import PartnershipRequest
from safer.core.permissions import require_area
from safer.intelligence import assessment as document
from safer.intelligence.selectors import live_months
from safer.intelligence.tasks import build_assessment

FORMATS = [("pdf", "PDF (tagged, with charts)"), ("docx", "Word (to edit before it is agreed)")]


class AssessmentForm(forms.Form):
    format = forms.ChoiceField(
        label="Format",
        choices=FORMATS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose PDF or Word", "invalid_choice": "Choose PDF or Word"},
    )


@require_area("intelligence")
@require_http_methods(["GET", "POST"])
def assessment(request: PartnershipRequest) -> HttpResponse:
    form = AssessmentForm(request.POST if request.method == "POST" else None, initial={"format": "pdf"})
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        job = core_services.create_job(
            partnership=request.partnership,
            user=request.user,
            kind="strategic_assessment",
            title=f"Strategic Assessment ({'Word' if fmt == 'docx' else 'PDF'})",
            parameters={"format": fmt},
        )
        result = build_assessment.enqueue(str(job.pk))
        core_services.record_task_id(job=job, task_result_id=result.id)
        return HttpResponseRedirect(reverse("core:job", args=[job.pk]))
    months = live_months(request.partnership)
    earlier = [
        job
        for job in core_selectors.jobs_of(request.user, request.partnership)[:50]
        if job.kind == "strategic_assessment"
    ][:5]
    return render(
        request,
        "intelligence/assessment.html",
        {"form": form, "months": months, "steps": document.STEPS, "earlier": earlier},
    )
