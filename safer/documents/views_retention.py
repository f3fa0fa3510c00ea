"""The DPO's retention reviews: the closed cases whose review date has come, and for each one the decision: keep it
(with the next review date) or erase its personal data. Both need a reason; both go in the register on the list
page. The pages show references, types, dates and agencies, and counts of records: never names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from safer.cases.models import Case
from safer.core.audit import record_access
from safer.core.http import PartnershipRequest
from safer.core.models import AccessAction
from safer.core.permissions import require_area
from safer.documents import retention

AREA = "access_log"  # the DPO's, as the access log, subject access and who has seen
PAGE_SIZE = 50
REGISTER_SHOWN = 100

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class KeepForm(forms.Form):
    prefix = "keep"
    next_review_on = forms.DateField(
        label="Date of the next retention review",
        input_formats=DATE_FORMATS,
        error_messages={
            "required": "Enter the date of the next retention review",
            "invalid": "Enter the date of the next retention review as a real date, like 27/03/2030",
        },
    )
    reason = forms.CharField(
        label="Why the case is still needed",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: a linked court case is still open, or the victim is still at risk.",
        error_messages={"required": "Enter why the case is still needed"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = retention.latest_keep_date()
        self.fields["next_review_on"].help_text = (
            f"After today and no later than {latest:%-d %B %Y} ({retention.MAX_KEEP_YEARS} years). "
            f"For example, 27/03/{timezone.localdate().year + 2}"
        )


class EraseForm(forms.Form):
    prefix = "erase"
    reason = forms.CharField(
        label="Why the personal data can be erased",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: retention period over, no further reports, no proceedings pending.",
        error_messages={"required": "Enter why the personal data can be erased"},
    )


def _log_view(request: PartnershipRequest, object_id: int | str, detail: str) -> None:
    record_access(
        action=AccessAction.VIEW,
        actor=request.user,
        object_type="case",
        object_id=object_id,
        purpose=retention.PURPOSE,
        detail=detail,
        request=request,
    )


@require_area(AREA)
@require_GET
def due_list(request: PartnershipRequest) -> HttpResponse:
    today = timezone.localdate()
    due = retention.due_cases(request.partnership, today)
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("page"))
    _log_view(request, "", f"retention reviews due: {page.paginator.count}, page {page.number}")
    register = list(retention.decisions(request.partnership)[:REGISTER_SHOWN])
    return render(
        request,
        "documents/retention.html",
        {
            "page": page,
            "today": today,
            "coming_due": retention.coming_due_count(request.partnership, today),
            "coming_due_days": retention.COMING_DUE_DAYS,
            "register": register,
            "register_shown": REGISTER_SHOWN,
        },
    )


def _case_page(
    request: PartnershipRequest,
    case: Case,
    *,
    keep_form: KeepForm | None = None,
    erase_form: EraseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    erased = retention.erasure_of(case)
    context: dict[str, Any] = {
        "case": case,
        "erased": erased,
        "history": list(retention.decisions(request.partnership).filter(case=case)),
        "page_error": status != 200,
    }
    if erased is None:
        context.update(
            due=retention.is_due(case),
            preview=retention.erasure_preview(case),
            refusal=retention.refusal(case),
            keep_form=keep_form or KeepForm(),
            erase_form=erase_form or EraseForm(),
        )
    return render(request, "documents/retention_case.html", context, status=status)


@require_area(AREA)
@require_http_methods(["GET", "POST"])
def case_review(request: PartnershipRequest, case_id: int) -> HttpResponse:
    case = retention.review_case(request.partnership, case_id)
    if request.method == "GET":
        _log_view(request, case.pk, "retention review of the case")
        return _case_page(request, case)
    action = request.POST.get("action")
    if action == "keep":
        keep_form = KeepForm(request.POST)
        if keep_form.is_valid():
            try:
                retention.keep_case(
                    partnership=request.partnership,
                    case=case,
                    actor=request.user,
                    next_review_on=keep_form.cleaned_data["next_review_on"],
                    reason=keep_form.cleaned_data["reason"],
                    request=request,
                )
            except retention.RetentionError as exc:
                keep_form.add_error(exc.field if exc.field in keep_form.fields else None, str(exc))
            else:
                messages.success(
                    request,
                    f"Case {case.reference} kept: next retention review on {case.retention_review_on:%-d %B %Y}",
                )
                return HttpResponseRedirect(reverse("documents:retention"))
        return _case_page(request, case, keep_form=keep_form, status=400)
    erase_form = EraseForm(request.POST)
    if action == "erase" and erase_form.is_valid():
        try:
            retention.erase_case(
                partnership=request.partnership,
                case=case,
                actor=request.user,
                reason=erase_form.cleaned_data["reason"],
                request=request,
            )
        except retention.RetentionError as exc:
            erase_form.add_error(exc.field if exc.field in erase_form.fields else None, str(exc))
        else:
            messages.success(request, f"Personal data on case {case.reference} erased")
            return HttpResponseRedirect(reverse("documents:retention-case", args=[case.pk]))
    return _case_page(request, case, erase_form=erase_form, status=400)
