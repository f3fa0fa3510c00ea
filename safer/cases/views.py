"""Caseworkers' pages: the first-call log and its matches, cases, people, sharing, closure, the case list.

Every page that shows a case, a report or a person writes exactly one AccessEvent. An agency that sees a case because
it was shared with it gives its purpose once per session before the first page of that case.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safer.cases import selectors, services
from safer.cases.forms import (
    CaseFilterForm,
    CloseForm,
    ConsentForm,
    EditCaseForm,
    FirstCallForm,
    MatchForm,
    NoteForm,
    OpenCaseForm,
    PartyForm,
    PersonForm,
    PlaceForm,
    PurposeForm,
    RemoveAgencyForm,
    ReopenForm,
    ShareForm,
    TransferForm,
    parse_date,
)
from safer.cases.models import Case, CaseAgency, PartyKind, PartyRole
from safer.core import searches
from safer.core import selectors as core_selectors
from safer.core.audit import record_access
from safer.core.http import PartnershipRequest
from safer.core.models import AccessAction, Agency, User
from safer.core.permissions import require_area
from safer.core.spreadsheets import csv_response

PURPOSES_KEY = "case_purposes"
# The kinds of search kept on the server (``safer.core.searches``): a search id works only on its own page.
MATCH_SEARCH = "cases-match"
LIST_SEARCH = "cases-list"
PAGE_SIZE = 25
COUNT_CAP = 1000
# A name or word search counts no further than this: "Patel" matches thousands, and counting them all is most of the
# page's cost; past a few pages a caseworker narrows the search rather than reads on.
SEARCH_COUNT_CAP = 200


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts no further than its cap (``COUNT_CAP`` unless given): thousands of cases say "more than 1,000"."""

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        return int(self.object_list[: self.cap + 1].count())  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class SearchPaginator(CappedPaginator):
    """For a text search: the matching ids (up to the cap) are found once, in order, and a page is read by its ids,
    so the search conditions are not worked out a second time for the page."""

    @cached_property
    def ids(self) -> list[int]:
        return list(self.object_list.values_list("pk", flat=True)[: self.cap + 1])  # type: ignore[attr-defined]

    @cached_property
    def count(self) -> int:
        return len(self.ids)

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        chosen = self.ids[bottom : bottom + self.per_page]
        # The ids came from the scoped search, so reading these rows by id shows nothing the user may not see.
        ordering = self.object_list.query.order_by  # type: ignore[attr-defined]
        rows = self.object_list.model.objects.filter(pk__in=chosen).order_by(*ordering)  # type: ignore[attr-defined]
        return Page(list(rows.select_related("owning_agency", "officer")), number, self)


# --- helpers --------------------------------------------------------------------------------------------------------


def _purpose(request: PartnershipRequest, case: Case) -> str | None:
    purposes: dict[str, str] = request.session.get(PURPOSES_KEY, {})
    return purposes.get(str(case.pk))


def _log_view(
    request: PartnershipRequest, object_type: str, object_id: int | str, purpose: str = "", detail: str = ""
) -> None:
    record_access(
        action=AccessAction.VIEW,
        actor=request.user,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        detail=detail,
        request=request,
    )


def _open_case(request: PartnershipRequest, case_id: int, detail: str, owner_only: bool = False) -> Case | HttpResponse:
    """The case (404 for anyone it is not shared with; 403 for a page only its owner may use), its one view logged;
    or the purpose question first, for an agency the case was shared with."""
    case = selectors.case_for(request, case_id)
    if owner_only:
        _require_owner(request, case)
    purpose = ""
    if selectors.shared_with(request, case) is not None:
        stored = _purpose(request, case)
        if stored is None:
            return purpose_redirect(request, case.pk)
        purpose = stored
    _log_view(request, "case", case.pk, purpose=purpose, detail=detail)
    return case


def _is_owner(request: PartnershipRequest, case: Case) -> bool:
    return any(a.pk == case.owning_agency_id for a in request.agencies)


def _require_owner(request: PartnershipRequest, case: Case) -> None:
    if not _is_owner(request, case):
        raise PermissionDenied(f"Only {case.owning_agency.name} can do this on case {case.reference}")


def _acting_agency(request: PartnershipRequest, case: Case) -> Agency:
    for agency in request.agencies:
        if agency.pk == case.owning_agency_id:
            return agency
    share = selectors.shared_with(request, case)
    if share is not None:
        return share.agency
    return request.agencies[0]


def _agency_officers(agency: Agency) -> list[User]:
    return list(
        User.objects.filter(memberships__agency=agency, memberships__is_active=True, is_active=True).order_by(
            "full_name"
        )
    )


def _apply_error(form: Any, exc: services.CaseError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _form_page(
    request: PartnershipRequest,
    case: Case,
    form: Any,
    *,
    title: str,
    button: str,
    intro: str = "",
    status: int = 200,
    conflict: str = "",
) -> HttpResponse:
    return render(
        request,
        "cases/form.html",
        {
            "case": case,
            "form": form,
            "title": title,
            "button": button,
            "intro": intro,
            "conflict": conflict,
            "page_error": bool(form.errors) or bool(conflict),
        },
        status=status,
    )


# --- first call ------------------------------------------------------------------------------------------------------


def _party(name: str, dob: Any = None, kind: str = PartyKind.PERSON, phone: str = "") -> services.PartyInput | None:
    if not name.strip():
        return None
    return services.PartyInput(name=name, kind=kind, date_of_birth=dob, phone=phone)


@require_area("cases")
@require_http_methods(["GET", "POST"])
def report_new(request: PartnershipRequest) -> HttpResponse:
    agencies = list(request.agencies)
    form = FirstCallForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST":
        # A double click sends the same one-time key twice: the second finds the first report and shows it.
        key = request.POST.get("submission_key", "")
        try:
            existing = selectors.visible_reports(request).filter(submission_key=uuid.UUID(key)).first()
        except ValueError:
            existing = None
        if existing is not None:
            return HttpResponseRedirect(reverse("cases:report", args=[existing.pk]))
        if form.is_valid():
            data = form.cleaned_data
            agency = next(a for a in agencies if str(a.pk) == data["receiving_agency"])
            victim = _party(data["victim_name"], data["victim_dob"])
            subject = _party(data["subject_name"], data["subject_dob"], kind=data["subject_kind"])
            try:
                report, _created = services.record_report(
                    partnership=request.partnership,
                    actor=request.user,
                    receiving_agency=agency,
                    channel=data["channel"],
                    description=data["description"],
                    nsir_type=data["nsir_type"],
                    reporter=_party(data["reporter_name"], data["reporter_dob"], phone=data["reporter_phone"]),
                    reporter_is_victim=data["reporter_is_victim"],
                    victims=[victim] if victim else [],
                    subjects=[subject] if subject else [],
                    place=services.PlaceInput(line1=data["place_line1"], postcode=data["place_postcode"])
                    if data["place_line1"]
                    else None,
                    occurred_from=data["occurred_from"],
                    occurred_to=data["occurred_to"],
                    hate_motivated=data["hate_motivated"],
                    hate_strand=data["hate_strand"],
                    submission_key=data["submission_key"],
                    request=request,
                )
            except services.CaseError as exc:
                _apply_error(form, exc)
            else:
                return HttpResponseRedirect(reverse("cases:report", args=[report.pk]))
    return render(
        request,
        "cases/report_new.html",
        {"form": form, "page_error": bool(form.errors)},
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def match(request: PartnershipRequest) -> HttpResponse:
    """Search for people, places and open cases before logging (the same matching the first call runs).

    The criteria are posted and kept on the server (``safer.core.searches``): the results page is ``?search=<id>``,
    so no name or address is written to an access log."""
    if request.method == "POST":
        form = MatchForm(request.POST)
        if form.is_valid():
            search_id = searches.keep(request, MATCH_SEARCH, request.POST, form.fields)
            return HttpResponseRedirect(searches.url(reverse("cases:match"), search_id))
        criteria = None
    else:
        criteria = searches.recall(request, MATCH_SEARCH)
        form = MatchForm(criteria)
    matches = None
    if criteria is not None and form.is_valid():
        data = form.cleaned_data
        matches = selectors.search_matches(
            request,
            name=data["name"],
            date_of_birth=data["dob"],
            postcode=data["postcode"],
            line1=data["line1"],
        )
        record_access(
            action=AccessAction.SEARCH,
            actor=request.user,
            object_type="person",
            detail="First-call match",
            request=request,
        )
    return render(
        request,
        "cases/match.html",
        {
            "form": form,
            "matches": matches,
            "page_error": bool(form.errors),
            "search_ended": searches.ended(request, criteria),
        },
    )


@require_area("cases")
@require_GET
def report_detail(request: PartnershipRequest, report_id: int) -> HttpResponse:
    report = selectors.report_for(request, report_id)
    purpose = ""
    received_here = any(a.pk == report.receiving_agency_id for a in request.agencies)
    if report.case is not None and not received_here and selectors.shared_with(request, report.case) is not None:
        # A report the person sees only because its case was shared with them: the case's purpose question first.
        stored = _purpose(request, report.case)
        if stored is None:
            return purpose_redirect(request, report.case.pk)
        purpose = stored
    _log_view(request, "report", report.pk, purpose=purpose)
    matches = selectors.matches_for_report(request, report) if report.case_id is None else None
    elsewhere = selectors.known_elsewhere(request, report) if report.case_id is None else []
    if elsewhere:
        services.note_known_elsewhere(report=report, found=elsewhere, actor=request.user, request=request)
    people = services.report_people(report)
    counts = {p.pk: selectors.person_repeats(request, p) for p, _ in people}
    link_choices = [(str(m.case.pk), f"{m.case.reference}") for m in matches.cases] if matches else []
    form = OpenCaseForm(agencies=list(request.agencies), link_choices=link_choices)
    return render(
        request,
        "cases/report.html",
        {
            "report": report,
            "people": people,
            "counts": counts,
            "matches": matches,
            "elsewhere": elsewhere,
            "form": form,
            "place_count": selectors.place_report_count(request, report.place) if report.place else 0,
            "role_labels": dict(PartyRole.choices),
        },
    )


@require_area("cases")
@require_POST
def report_same_person(request: PartnershipRequest, report_id: int) -> HttpResponse:
    report = selectors.report_for(request, report_id)
    try:
        new_person = selectors.person_for(request, request.POST.get("new_person", ""))
        existing = selectors.person_for(request, request.POST.get("existing", ""))
    except Exception:
        messages.error(request, "Choose one of the matching people shown")
        return HttpResponseRedirect(reverse("cases:report", args=[report.pk]))
    if new_person.pk not in {p.pk for p, _ in services.report_people(report)}:
        messages.error(request, "Choose one of the people on this report")
        return HttpResponseRedirect(reverse("cases:report", args=[report.pk]))
    try:
        services.use_existing_person(
            report=report, new_person=new_person, existing=existing, actor=request.user, request=request
        )
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{existing.display_name}: the report now uses the existing record")
    return HttpResponseRedirect(reverse("cases:report", args=[report.pk]))


@require_area("cases")
@require_POST
def report_add_to_case(request: PartnershipRequest, report_id: int) -> HttpResponse:
    report = selectors.report_for(request, report_id)
    case = selectors.case_for(request, request.POST.get("case", ""))
    from safer.documents.middleware import refused_for_erased  # documents builds on cases

    if (refused := refused_for_erased(request, case)) is not None:
        return refused
    try:
        services.add_report_to_case(report=report, case=case, actor=request.user, request=request)
    except services.CaseError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("cases:report", args=[report.pk]))
    messages.success(request, f"Report {report.reference} added to case {case.reference}")
    return HttpResponseRedirect(reverse("cases:case", args=[case.pk]))


@require_area("cases")
@require_POST
def report_open_case(request: PartnershipRequest, report_id: int) -> HttpResponse:
    report = selectors.report_for(request, report_id)
    matches = selectors.matches_for_report(request, report) if report.case_id is None else None
    link_choices = [(str(m.case.pk), m.case.reference) for m in matches.cases] if matches else []
    agencies = list(request.agencies)
    form = OpenCaseForm(request.POST, agencies=agencies, link_choices=link_choices)
    if form.is_valid():
        data = form.cleaned_data
        agency = next(a for a in agencies if str(a.pk) == data["owning_agency"])
        link_to = selectors.case_for(request, data["link_to"]) if data["link_to"] else None
        try:
            case = services.open_case(
                partnership=request.partnership,
                actor=request.user,
                owning_agency=agency,
                case_type=data["case_type"],
                summary=data["summary"],
                report=report,
                link_to=link_to,
                request=request,
            )
        except services.CaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Case {case.reference} opened")
            return HttpResponseRedirect(reverse("cases:case", args=[case.pk]))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return HttpResponseRedirect(reverse("cases:report", args=[report.pk]))


# --- case page ------------------------------------------------------------------------------------------------------


def purpose_redirect(request: PartnershipRequest, case_id: int) -> HttpResponseRedirect:
    """To the purpose question for a shared case, then back to this page (its query string kept whole)."""
    return HttpResponseRedirect(
        reverse("cases:purpose", args=[case_id]) + "?" + urlencode({"next": request.get_full_path()})
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def purpose(request: PartnershipRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request, case_id)
    share = selectors.shared_with(request, case)
    next_url = request.GET.get("next") or reverse("cases:case", args=[case.pk])
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) or not next_url.startswith(
        "/"
    ):
        next_url = reverse("cases:case", args=[case.pk])
    if share is None:
        return HttpResponseRedirect(next_url)
    form = PurposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        purposes = dict(request.session.get(PURPOSES_KEY, {}))
        purposes[str(case.pk)] = form.cleaned_data["purpose"].strip()
        request.session[PURPOSES_KEY] = purposes
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "cases/purpose.html",
        {"case": case, "share": share, "form": form, "page_error": bool(form.errors)},
    )


@require_area("cases")
@require_GET
def case_detail(request: PartnershipRequest, case_id: int) -> HttpResponse:
    opened = _open_case(request, case_id, "Case page")
    if isinstance(opened, HttpResponse):
        return opened
    case = opened
    # A case erased at retention review is only its statistical record (the documents app keeps the register).
    from safer.documents.retention import erasure_of

    erased = erasure_of(case)
    if erased is not None:
        return render(request, "documents/retention_erased_case.html", {"case": case, "decision": erased})
    context = selectors.case_page(request, case)
    # Risk, interventions and tasks hang off the case in their own app (which builds on this one).
    from safer.interventions.selectors import case_work

    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "work": case_work(case),
            "is_owner": _is_owner(request, case),
            "shared_by": selectors.shared_with(request, case),
            "party_counts": {person.pk: repeats for person, _, repeats in context["counts"].party_counts},
            **context,
        },
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def case_edit(request: PartnershipRequest, case_id: int) -> HttpResponse:
    opened = _open_case(request, case_id, "Edit details", owner_only=True) if request.method == "GET" else None
    if isinstance(opened, HttpResponse):
        return opened
    case = opened or selectors.case_for(request, case_id)
    _require_owner(request, case)
    officers = _agency_officers(case.owning_agency)
    initial = {
        "version": case.version,
        "summary": case.summary,
        "case_type": case.case_type,
        "status": case.status,
        "officer": str(case.officer_id or ""),
    }
    form = EditCaseForm(request.POST if request.method == "POST" else None, initial=initial, officers=officers)
    conflict = ""
    if case.is_closed:
        messages.error(request, "Reopen the case before changing it")
        return HttpResponseRedirect(reverse("cases:case", args=[case.pk]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        officer = next((u for u in officers if str(u.pk) == data["officer"]), None)
        try:
            services.update_case(
                case=case,
                actor=request.user,
                expected_version=data["version"],
                summary=data["summary"],
                case_type=data["case_type"],
                status=data["status"],
                officer=officer,
                request=request,
            )
        except services.ConflictError as exc:
            conflict = str(exc)
        except services.CaseError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "Case details saved")
            return HttpResponseRedirect(reverse("cases:case", args=[case.pk]))
    return _form_page(
        request,
        case,
        form,
        title=f"Change the details of case {case.reference}",
        button="Save changes",
        conflict=conflict,
        status=409 if conflict else 200,
    )


def _simple_case_form(
    request: PartnershipRequest,
    case_id: int,
    *,
    form_class: type,
    title: str,
    button: str,
    detail: str,
    save: Callable[[Case, dict[str, Any]], str],
    owner_only: bool = False,
    form_kwargs: Callable[[Case], dict[str, Any]] | None = None,
    intro: str = "",
    initial: Callable[[Case], dict[str, Any]] | None = None,
    allow_closed: bool = False,
) -> HttpResponse:
    if request.method == "GET":
        opened = _open_case(request, case_id, detail, owner_only=owner_only)
        if isinstance(opened, HttpResponse):
            return opened
        case = opened
    else:
        case = selectors.case_for(request, case_id)
    if owner_only:
        _require_owner(request, case)
    if case.is_closed and not allow_closed:
        messages.error(request, f"Case {case.reference} is closed. Reopen it first.")
        return HttpResponseRedirect(reverse("cases:case", args=[case.pk]))
    if allow_closed and not case.is_closed:
        messages.error(request, f"Case {case.reference} is open.")
        return HttpResponseRedirect(reverse("cases:case", args=[case.pk]))
    kwargs = form_kwargs(case) if form_kwargs else {}
    form = form_class(
        request.POST if request.method == "POST" else None, initial=initial(case) if initial else None, **kwargs
    )
    conflict = ""
    if request.method == "POST" and form.is_valid():
        try:
            message = save(case, form.cleaned_data)
        except services.ConflictError as exc:
            conflict = str(exc)
        except services.CaseError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, message)
            return HttpResponseRedirect(reverse("cases:case", args=[case.pk]))
    return _form_page(
        request,
        case,
        form,
        title=title.format(case=case),
        button=button,
        intro=intro,
        conflict=conflict,
        status=409 if conflict else 200,
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def add_party(request: PartnershipRequest, case_id: int) -> HttpResponse:
    """Add a party. When the name (and date of birth) look like people already known, the form offers them first,
    so the case points at the existing record instead of a duplicate."""

    def candidates(case: Case) -> dict[str, Any]:
        name = request.POST.get("name", "").strip() if request.method == "POST" else ""
        if not name:
            return {"candidates": []}
        matches = selectors.search_matches(
            request, name=name, date_of_birth=parse_date(request.POST.get("date_of_birth", ""))
        )
        on_case = set(case.parties.values_list("person_id", flat=True))
        return {
            "candidates": [
                (
                    str(m.candidate.pk),
                    m.candidate.display_name
                    + (f", born {m.candidate.date_of_birth:%-d %B %Y}" if m.candidate.date_of_birth else "")
                    + f" ({', '.join(m.reasons)}"
                    + ("; already on this case" if m.candidate.pk in on_case else "")
                    + ")",
                )
                for m in matches.people
            ]
        }

    def save(case: Case, data: dict[str, Any]) -> str:
        if data.get("existing") and data["existing"] != "new":
            person = selectors.person_for(request, data["existing"])
        else:
            party = services.PartyInput(
                name=data["name"], kind=data["kind"], date_of_birth=data["date_of_birth"], phone=data["phone"]
            )
            person = services.create_person(
                partnership=request.partnership,
                actor=request.user,
                agency=_acting_agency(request, case),
                kind=party.kind,
                date_of_birth=party.date_of_birth,
                phone=party.phone,
                request=request,
                **party.person_fields(),
            )
        services.add_party(
            case=case,
            person=person,
            role=data["role"],
            reason=data.get("reason") or "",
            actor=request.user,
            request=request,
        )
        return f"{person.display_name} added to the case"

    return _simple_case_form(
        request,
        case_id,
        form_class=PartyForm,
        title="Add a person, business or group to case {case.reference}",
        button="Add to the case",
        detail="Add party",
        save=save,
        form_kwargs=candidates,
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def add_place(request: PartnershipRequest, case_id: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> str:
        address = services.find_or_create_address(
            partnership=request.partnership,
            line1=data["line1"],
            town=data["town"],
            postcode=data["postcode"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            agency=_acting_agency(request, case),
        )
        services.add_place(
            case=case, address=address, actor=request.user, description=data["description"], request=request
        )
        return f"{address.one_line} added to the case"

    return _simple_case_form(
        request,
        case_id,
        form_class=PlaceForm,
        title="Add a place to case {case.reference}",
        button="Add the place",
        detail="Add place",
        save=save,
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def add_note(request: PartnershipRequest, case_id: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> str:
        services.add_note(
            case=case,
            text=data["text"],
            sensitivity=data["sensitivity"],
            actor=request.user,
            agency=_acting_agency(request, case),
            request=request,
        )
        return "Note added"

    return _simple_case_form(
        request,
        case_id,
        form_class=NoteForm,
        title="Add a note to case {case.reference}",
        button="Add the note",
        detail="Add note",
        save=save,
        intro="Sensitive notes are read only by caseworkers and meeting chairs of the owning agency and of your "
        "agency. Everyone else on the case sees that a sensitive note exists, not what it says.",
    )


def _other_agencies(request: PartnershipRequest, case: Case) -> list[Agency]:
    on_case = set(case.shares.filter(removed_at__isnull=True).values_list("agency_id", flat=True))
    return [
        a
        for a in core_selectors.agencies_in(request.partnership)
        if a.pk != case.owning_agency_id and a.pk not in on_case
    ]


@require_area("cases")
@require_http_methods(["GET", "POST"])
def share(request: PartnershipRequest, case_id: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> str:
        agency = core_selectors.agency_in(request.partnership, int(data["agency"]))
        services.share_case(
            case=case,
            agency=agency,
            gateway=data["gateway"],
            gateway_other=data["gateway_other"],
            consent_status=data["consent_status"],
            reason=data["reason"],
            actor=request.user,
            request=request,
        )
        return f"{agency.name} added to the case"

    return _simple_case_form(
        request,
        case_id,
        form_class=ShareForm,
        title="Add an agency to case {case.reference}",
        button="Add the agency",
        detail="Add agency",
        save=save,
        owner_only=True,
        form_kwargs=lambda case: {"agencies": _other_agencies(request, case)},
        intro="The agency will see the whole case: its people, places, chronology and notes (not sensitive notes). "
        "Record the legal gateway you share under and whether the people concerned have consented.",
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def change_consent(request: PartnershipRequest, case_id: int, share_id: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> str:
        row = CaseAgency.objects.filter(case=case, pk=share_id, removed_at__isnull=True).first()
        if row is None:
            raise services.CaseError("That agency is not on this case")
        services.change_consent(
            share=row,
            consent_status=data["consent_status"],
            reason=data["reason"],
            actor=request.user,
            request=request,
        )
        return f"Consent for {row.agency.name} recorded"

    return _simple_case_form(
        request,
        case_id,
        form_class=ConsentForm,
        title="Change consent on case {case.reference}",
        button="Record the change",
        detail="Change consent",
        save=save,
        owner_only=True,
        initial=lambda case: {
            "consent_status": CaseAgency.objects.filter(case=case, pk=share_id)
            .values_list("consent_status", flat=True)
            .first()
        },
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def remove_agency(request: PartnershipRequest, case_id: int, share_id: int) -> HttpResponse:
    row = CaseAgency.objects.filter(case_id=case_id, pk=share_id, removed_at__isnull=True).select_related("agency")
    found = row.first()

    def save(case: Case, data: dict[str, Any]) -> str:
        if found is None:
            raise services.CaseError("That agency is not on this case")
        services.remove_agency(share=found, reason=data["reason"], actor=request.user, request=request)
        return f"{found.agency.name} removed from the case"

    return _simple_case_form(
        request,
        case_id,
        form_class=RemoveAgencyForm,
        title=f"Remove {found.agency.name if found else 'an agency'} from case " + "{case.reference}",
        button="Remove the agency",
        detail="Remove agency",
        save=save,
        owner_only=True,
        intro="The agency stops seeing the case, its people and its documents at once. What it did on the case stays "
        "in the chronology, and the case page keeps a record of who removed it, when and why.",
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def transfer(request: PartnershipRequest, case_id: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> str:
        agency = core_selectors.agency_in(request.partnership, int(data["agency"]))
        services.transfer_case(
            case=case,
            to_agency=agency,
            officer=None,
            consent_status=data["consent_status"],
            reason=data["reason"],
            actor=request.user,
            expected_version=data["version"],
            request=request,
        )
        return f"Case transferred to {agency.name}"

    return _simple_case_form(
        request,
        case_id,
        form_class=TransferForm,
        title="Transfer case {case.reference} to another agency",
        button="Transfer the case",
        detail="Transfer",
        save=save,
        owner_only=True,
        form_kwargs=lambda case: {
            "agencies": [a for a in core_selectors.agencies_in(request.partnership) if a.pk != case.owning_agency_id]
        },
        initial=lambda case: {"version": case.version},
        intro="The new owner's consent status is recorded again on transfer. Your agency stays on the case under "
        "s.115 so you keep its history.",
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def close(request: PartnershipRequest, case_id: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> str:
        closed_on = data["closed_on"]
        closed_at = None
        if closed_on is not None and closed_on != timezone.localdate():
            closed_at = timezone.make_aware(datetime.combine(closed_on, time(12, 0)))
        services.close_case(
            case=case,
            actor=request.user,
            expected_version=data["version"],
            outcome=data["outcome"],
            victim_satisfaction=data["victim_satisfaction"],
            reason_told=data["reason_told"],
            closed_at=closed_at,
            request=request,
        )
        return f"Case {case.reference} closed. Retention review on {case.retention_review_on:%-d %B %Y}"

    return _simple_case_form(
        request,
        case_id,
        form_class=CloseForm,
        title="Close case {case.reference}",
        button="Close the case",
        detail="Close",
        save=save,
        owner_only=True,
        initial=lambda case: {"version": case.version, "closed_on": timezone.localdate()},
        intro="Tell the victim when and why the case is closing before you close it. The retention review date "
        "is set from the type of case (ASB, noise, nuisance premises 6 years; hate 7; vulnerability 10).",
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def reopen(request: PartnershipRequest, case_id: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> str:
        services.reopen_case(
            case=case, actor=request.user, expected_version=data["version"], reason=data["reason"], request=request
        )
        return f"Case {case.reference} reopened"

    return _simple_case_form(
        request,
        case_id,
        form_class=ReopenForm,
        title="Reopen case {case.reference}",
        button="Reopen the case",
        detail="Reopen",
        save=save,
        owner_only=True,
        initial=lambda case: {"version": case.version},
        intro="The closure stays in the chronology and the case history.",
        allow_closed=True,
    )


# --- people ---------------------------------------------------------------------------------------------------------


@require_area("cases")
@require_GET
def person_detail(request: PartnershipRequest, person_id: int) -> HttpResponse:
    person = selectors.person_for(request, person_id)
    _log_view(request, "person", person.pk)
    reports = selectors.person_reports(request, person)
    return render(
        request,
        "cases/person.html",
        {
            "person": person,
            "cases": selectors.person_cases(request, person),
            "reports": reports,
            "repeats": selectors.person_repeats(request, person),
        },
    )


@require_area("cases")
@require_http_methods(["GET", "POST"])
def person_edit(request: PartnershipRequest, person_id: int) -> HttpResponse:
    person = selectors.person_for(request, person_id)
    address = person.address
    initial = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "organisation_name": person.organisation_name,
        "aliases": person.aliases,
        "date_of_birth": person.date_of_birth,
        "phone": person.phone,
        "email": person.email,
        "line1": address.line1 if address else "",
        "postcode": address.postcode if address else "",
        "vulnerability_notes": person.vulnerability_notes,
    }
    form = PersonForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "GET":
        _log_view(request, "person", person.pk, detail="Change details")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_address = address
        if not data["line1"]:
            new_address = None
        elif address is None or (data["line1"], data["postcode"]) != (address.line1, address.postcode):
            new_address = services.find_or_create_address(
                partnership=request.partnership,
                line1=data["line1"],
                postcode=data["postcode"],
                agency=request.agencies[0] if request.agencies else None,
            )
        try:
            services.update_person(
                person=person,
                actor=request.user,
                given_name=data["given_name"],
                family_name=data["family_name"],
                organisation_name=data["organisation_name"],
                aliases=data["aliases"],
                date_of_birth=data["date_of_birth"],
                phone=data["phone"],
                email=data["email"],
                vulnerability_notes=data["vulnerability_notes"],
                address=new_address,
                request=request,
            )
        except services.CaseError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, f"Details of {person.display_name} saved")
            return HttpResponseRedirect(reverse("cases:person", args=[person.pk]))
    return render(
        request,
        "cases/person_form.html",
        {"person": person, "form": form, "page_error": bool(form.errors)},
    )


# --- list and export ------------------------------------------------------------------------------------------------


# Filters the list may read from its URL: none of them says anything about a person. The text search (names,
# addresses, postcodes) is posted and kept on the server instead (``safer.core.searches``).
URL_FILTERS = ("status", "case_type", "agency", "officer", "ward", "band", "overdue")


def _filter_form(request: PartnershipRequest, data: QueryDict | None) -> CaseFilterForm:
    return CaseFilterForm(
        data,
        agencies=list(core_selectors.agencies_in(request.partnership)),
        officers=selectors.officer_choices(request),
        wards=selectors.ward_choices(request),
    )


def _list_criteria(request: PartnershipRequest) -> tuple[QueryDict | None, bool]:
    """The list's filters: a kept search (``?search=``), else the URL's filters; and whether a kept search ended."""
    if request.GET.get(searches.PARAM):
        criteria = searches.recall(request, LIST_SEARCH)
        return criteria, criteria is None
    plain = QueryDict(mutable=True)
    for name in URL_FILTERS:
        if name in request.GET:
            plain.setlist(name, request.GET.getlist(name))
    return (plain or None), False


def _filtered(request: PartnershipRequest) -> tuple[CaseFilterForm, Any, bool]:
    """The list's form, its cases, and whether the search asked for (``?search=``) has ended."""
    criteria, ended = _list_criteria(request)
    form = _filter_form(request, criteria)
    data = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_list(
        request,
        text=data.get("q", ""),
        status=data.get("status", ""),
        case_type=data.get("case_type", ""),
        agency_id=int(data["agency"]) if data.get("agency") else None,
        officer_id=int(data["officer"]) if data.get("officer") else None,
        ward_code=data.get("ward", ""),
    )
    # Risk band and overdue tasks live in the interventions app, which builds on this one.
    from safer.interventions import selectors as work

    band = data.get("band", "")
    if band == "none":
        cases = cases.exclude(pk__in=work.assessed_case_ids(request.partnership))
    elif band:
        cases = cases.filter(pk__in=work.case_ids_with_band(request.partnership, band))
    if data.get("overdue"):
        cases = cases.filter(pk__in=work.overdue_case_ids(request.partnership))
    return form, cases, ended


@require_area("cases")
@require_http_methods(["GET", "POST"])
def case_list(request: PartnershipRequest) -> HttpResponse:
    if request.method == "POST":
        posted = _filter_form(request, request.POST)
        if posted.is_valid():
            if not any(posted.cleaned_data.values()):
                return HttpResponseRedirect(reverse("cases:list"))
            search_id = searches.keep(request, LIST_SEARCH, request.POST, posted.fields)
            return HttpResponseRedirect(searches.url(reverse("cases:list"), search_id))
        # A choice that is not on the list (a stale page): say so, and show the list unfiltered.
        return render(request, "cases/list.html", _list_context(request, posted, selectors.case_list(request), False))
    form, cases, ended = _filtered(request)
    return render(request, "cases/list.html", _list_context(request, form, cases, ended))


def _list_context(request: PartnershipRequest, form: CaseFilterForm, cases: Any, ended: bool) -> dict[str, Any]:
    data = form.cleaned_data if form.is_bound and not form.errors else {}
    paginator = (
        SearchPaginator(cases, PAGE_SIZE, SEARCH_COUNT_CAP)
        if str(data.get("q", "")).strip()
        else CappedPaginator(cases, PAGE_SIZE)
    )
    page = paginator.get_page(request.GET.get("page"))
    searched = any(data.get(k) for k in ("q", *URL_FILTERS))
    record_access(
        action=AccessAction.SEARCH if searched else AccessAction.VIEW,
        actor=request.user,
        object_type="case",
        detail=f"Case list page {page.number}",
        request=request,
    )
    # What the paging and export links carry: the search id, or the URL's filters; never a name or an address.
    query = QueryDict(mutable=True)
    for name in (searches.PARAM, *URL_FILTERS):
        if name in request.GET and request.method == "GET":
            query.setlist(name, request.GET.getlist(name))
    from safer.interventions.selectors import current_band_by_case

    bands = current_band_by_case([c.pk for c in page.object_list])
    return {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "searched": searched,
        "bands": bands,
        "search_ended": ended,
        "page_error": bool(form.errors),
    }


@require_area("cases")
@require_GET
def case_export(request: PartnershipRequest) -> HttpResponse:
    _form, cases, _ended = _filtered(request)
    rows = [
        [
            c.reference,
            c.get_case_type_display(),
            c.get_status_display(),
            c.owning_agency.name,
            c.officer.full_name if c.officer else "",
            c.ward_name,
            timezone.localtime(c.opened_at).strftime("%Y-%m-%d"),
            timezone.localtime(c.closed_at).strftime("%Y-%m-%d") if c.closed_at else "",
            c.summary,
        ]
        for c in cases[:10000]
    ]
    record_access(
        action=AccessAction.EXPORT,
        actor=request.user,
        object_type="case",
        detail=f"Case list CSV, {len(rows)} cases",
        request=request,
    )
    return csv_response(
        f"cases-{timezone.localdate():%Y-%m-%d}",
        ["Reference", "Type", "Status", "Owning agency", "Officer", "Ward", "Opened", "Closed", "Summary"],
        rows,
    )
