"""The data protection officer's answer to "who has seen this person's data, when, and why", for anyone on the
system, with or without a subject access request: find the person, then every access-log entry about them, their
cases, reports and documents."""

from __future__ import annotations

from datetime import UTC

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from safer.cases.models import Person, name_key
from safer.core import searches
from safer.core.audit import record_access
from safer.core.http import PartnershipRequest
from safer.core.models import AccessAction
from safer.core.permissions import require_area
from safer.core.spreadsheets import csv_bytes
from safer.documents import subject_access
from safer.documents.forms import PersonSearchForm

AREA = "access_log"  # the DPO's, as the access log and the subject access register
PAGE_SIZE = 50
MATCHES = 50
SEARCH_KIND = "who-has-seen"  # the search kept on the server (safer.core.searches)


def _people(request: PartnershipRequest, form: PersonSearchForm) -> list[Person]:
    tokens = name_key(form.cleaned_data["name"]).split()
    people = Person.objects.filter(partnership=request.partnership)
    condition = Q()
    for token in tokens:
        condition &= Q(name_key__contains=token)
    if form.cleaned_data["date_of_birth"] is not None:
        condition &= Q(date_of_birth=form.cleaned_data["date_of_birth"])
    matched = people.filter(condition).select_related("address").order_by("family_name", "given_name", "pk")
    return list(matched[:MATCHES])


@require_area(AREA)
@require_http_methods(["GET", "POST"])
def person_search(request: PartnershipRequest) -> HttpResponse:
    """The name and date of birth are posted and kept on the server (``safer.core.searches``): the results page is
    ``?search=<id>``, so they are not written to an access log."""
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        if form.is_valid():
            search_id = searches.keep(request, SEARCH_KIND, request.POST, form.fields)
            return HttpResponseRedirect(searches.url(reverse("documents:who-has-seen"), search_id))
        criteria = None
    else:
        criteria = searches.recall(request, SEARCH_KIND)
        form = PersonSearchForm(criteria)
    people: list[Person] | None = None
    if criteria is not None and form.is_valid():
        people = _people(request, form)
        record_access(
            action=AccessAction.SEARCH,
            actor=request.user,
            object_type="person",
            request=request,
            purpose="Data protection: who has seen a person's data",
            detail=f"{len(people)} found",
        )
    return render(
        request,
        "documents/dpo_person_search.html",
        {
            "form": form,
            "people": people,
            "limit": MATCHES,
            "page_error": bool(form.errors),
            "search_ended": searches.ended(request, criteria),
        },
        status=400 if form.errors else 200,
    )


def _person(request: PartnershipRequest, person_id: int) -> Person:
    try:
        return Person.objects.select_related("address").get(partnership=request.partnership, pk=person_id)
    except Person.DoesNotExist:
        raise Http404("No such person") from None


@require_area(AREA)
@require_GET
def person_seen(request: PartnershipRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    cases, reports = subject_access.person_records(person)
    wants_csv = request.GET.get("format") == "csv"
    # Logged before the query, so this look is itself on the list it shows.
    record_access(
        action=AccessAction.EXPORT if wants_csv else AccessAction.VIEW,
        actor=request.user,
        object_type="person",
        object_id=person.pk,
        request=request,
        purpose="Data protection: who has seen this person's data",
        detail="access log about the person as CSV" if wants_csv else "access log about the person",
    )
    events = subject_access.access_events_query(person, cases, reports).order_by("-at", "-pk")
    if wants_csv:
        return _csv(person, events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/dpo_person_seen.html",
        {"person": person, "cases": cases, "reports": reports, "page": page},
    )


def _csv(person: Person, events: object) -> HttpResponse:
    content = csv_bytes(
        ["When (UTC)", "Who", "Agency", "Action", "Detail", "Record", "Record id", "Purpose given"],
        (
            [
                event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                (event.actor.full_name or event.actor.email) if event.actor else "Unknown",
                event.actor_agency.name if event.actor_agency else "",
                event.get_action_display(),
                event.detail,
                event.object_type.replace("_", " "),
                event.object_id,
                event.purpose,
            ]
            for event in events  # type: ignore[attr-defined]
        ),
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="who-has-seen-person-{person.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response
