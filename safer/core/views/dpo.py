"""The data protection officer's access log (list, filter, export, and a check that it has not been cut or changed)
and the requests for personal data refused."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safer.core import records, searches, selectors, services
from safer.core.audit import record_access
from safer.core.forms import AccessLogFilterForm, RefusalFilterForm
from safer.core.http import PartnershipRequest
from safer.core.models import AccessAction
from safer.core.permissions import require_area
from safer.core.tasks import export_access_log, verify_access_log

PAGE_SIZE = 50


LOG_SEARCH = "access-log"  # a search by a person's name is posted and kept on the server (safer.core.searches)
FILTERS = ("action", "person", "object_type", "object_id", "date_from", "date_to")


def filter_form(request: PartnershipRequest, data: object) -> AccessLogFilterForm:
    people = [
        (str(p.user.pk), f"{p.user.full_name} ({p.user.email})") for p in selectors.people_in(request.partnership)
    ]
    kinds = [(t, records.noun(t)) for t in selectors.access_object_types(request.partnership)]
    return AccessLogFilterForm(data, people=people, object_types=kinds)


def to_filter(request: PartnershipRequest, form: AccessLogFilterForm) -> selectors.AccessLogFilter:
    data = form.cleaned_data
    record = (data.get("record") or "").strip()
    return selectors.AccessLogFilter(
        action=data.get("action") or "",
        actor_id=int(data["person"]) if data.get("person") else None,
        object_type=data.get("object_type") or "",
        object_id=data.get("object_id") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        records=records.find_all(request.partnership, record) if record else None,
    )


def criteria_of(request: PartnershipRequest) -> QueryDict | None:
    """The filters asked for: a kept search (``?search=``), or plain filters in the address (never a name)."""
    kept = searches.recall(request, LOG_SEARCH)
    if kept is not None:
        return kept
    plain = QueryDict(mutable=True)
    for name in FILTERS:
        if name in request.GET:
            plain.setlist(name, request.GET.getlist(name))
    return plain if plain else None


@require_area("access_log")
@require_http_methods(["GET", "POST"])
def access_log(request: PartnershipRequest) -> HttpResponse:
    """Filters are posted and kept on the server, so a name searched for never travels in an address."""
    if request.method == "POST":
        form = filter_form(request, request.POST)
        if form.is_valid():
            search_id = searches.keep(request, LOG_SEARCH, request.POST, form.fields)
            return HttpResponseRedirect(searches.url(reverse("core:access-log"), search_id))
        criteria = None
    else:
        criteria = criteria_of(request)
        form = filter_form(request, criteria)
    flt = to_filter(request, form) if form.is_bound and form.is_valid() else selectors.AccessLogFilter()
    # Logged before the query, so the page counts and lists the same rows (this search included).
    record_access(
        action=AccessAction.SEARCH,
        actor=request.user,
        object_type="access_log",
        request=request,
        detail="filtered" if form.is_bound else "listed",
    )
    events = selectors.access_events(request.partnership, flt)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/dpo/access_log.html",
        {
            "form": form,
            "page": page,
            "labels": records.labels_for(request.partnership, page.object_list),
            "noun": records.noun,
            "query": query.urlencode(),
            "page_error": bool(form.errors),
            "search_ended": searches.ended(request, criteria),
            "check": selectors.access_log_check_status(request.partnership),
            "check_due_days": selectors.CHECK_DUE_AFTER.days,
        },
    )


@require_area("access_log")
@require_POST
def export_access_log_view(request: PartnershipRequest) -> HttpResponse:
    search_id = request.POST.get(searches.PARAM, "")
    kept = searches.recall_from(request.session, user_id=int(request.user.pk), kind=LOG_SEARCH, search_id=search_id)
    form = filter_form(request, kept if kept is not None else request.POST)
    flt = to_filter(request, form) if form.is_valid() else selectors.AccessLogFilter()
    job = services.create_job(
        partnership=request.partnership,
        user=request.user,
        kind="access_log_export",
        title="Access log export (CSV)",
        parameters={"filter": flt.to_json()},
    )
    record_access(
        action=AccessAction.EXPORT,
        actor=request.user,
        object_type="access_log",
        request=request,
        detail=f"job {job.pk}",
    )
    result = export_access_log.enqueue(str(job.pk))
    services.record_task_id(job=job, task_result_id=result.id)
    return HttpResponseRedirect(reverse("core:job", args=[job.pk]))


def refusal_filter_form(request: PartnershipRequest, data: object) -> RefusalFilterForm:
    people = [
        (str(p.user.pk), f"{p.user.full_name} ({p.user.email})") for p in selectors.people_in(request.partnership)
    ]
    agencies = [(str(a.pk), a.name) for a in selectors.agencies_in(request.partnership).order_by("name")]
    return RefusalFilterForm(data, people=people, agencies=agencies)


@require_area("access_log")
@require_GET
def refusals(request: PartnershipRequest) -> HttpResponse:
    form = refusal_filter_form(request, request.GET or None)
    flt = selectors.RefusalFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.RefusalFilter(
            user_id=int(data["person"]) if data.get("person") else None,
            agency_id=int(data["agency"]) if data.get("agency") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
    record_access(
        action=AccessAction.SEARCH,
        actor=request.user,
        object_type="access_refusals",
        request=request,
        detail="filtered" if form.is_bound else "listed",
    )
    page = Paginator(selectors.refusals(request.partnership, flt), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/dpo/refusals.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "page_error": bool(form.errors),
            "counts": selectors.refusal_counts(request.partnership),
            "alert_count": settings.SAFER_REFUSAL_ALERT_COUNT,
            "alert_minutes": settings.SAFER_REFUSAL_ALERT_MINUTES,
        },
    )


@require_area("access_log")
@require_POST
def verify_access_log_view(request: PartnershipRequest) -> HttpResponse:
    """Walk this partnership's chain of events in the background; the job page follows it."""
    job = services.create_job(
        partnership=request.partnership,
        user=request.user,
        kind="access_log_verify",
        title="Access log check",
        parameters={},
    )
    record_access(
        action=AccessAction.VIEW,
        actor=request.user,
        object_type="access_log",
        request=request,
        detail=f"integrity check, job {job.pk}",
    )
    result = verify_access_log.enqueue(str(job.pk))
    services.record_task_id(job=job, task_result_id=result.id)
    return HttpResponseRedirect(reverse("core:job", args=[job.pk]))
