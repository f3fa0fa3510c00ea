"""The cases API: cases (list, one case), first-contact reports (create) and a case's documents.

It uses the cases app's selectors and services, so its scoping is the pages': a case the token's owner may not see
(another partnership, an agency it was not shared with, a missing id) is 404, whatever the reason. It needs the
caseworker or meeting chair role (403 otherwise), as the case pages do. Every answer with personal data writes one
``AccessEvent``: the list a search, a case or its documents a view, a new report a create. A case shared with the
caller's agency (not owned by it) needs a purpose, in the ``X-Purpose`` header (the pages ask for it once per session;
the API has none). Not in the URL: servers and proxies write URLs to their access logs, and a purpose often names
the person.

The token's owner works in the partnership given by ``partnership`` (an id from /api/me), else their first.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Header, Path, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from safer.api.schemas import (
    AUTH_ERRORS,
    INPUT_ERRORS,
    JSON_INT,
    QUERY_INT,
    ErrorOut,
    StrictBool,
    StrictStr,
)
from safer.cases import selectors as case_selectors
from safer.cases import services as case_services
from safer.cases.models import Case, CaseStatus, CaseType, Channel, HateStrand, NsirType
from safer.core.audit import record_access
from safer.core.models import AccessAction, Role, User
from safer.core.selectors import WorkingContext, working_context
from safer.documents import selectors

router = Router(tags=["cases"])

CASE_ROLES = frozenset({Role.CASEWORKER, Role.MEETING_CHAIR})
NO_ROLE = "This needs the caseworker or meeting chair role in the partnership."
PURPOSE_HEADER = "X-Purpose"
NEEDS_PURPOSE = (
    f"This case is shared with your agency: say why you are opening it in the {PURPOSE_HEADER} header "
    "(it is kept in the access log). Not in the URL: servers and proxies record URLs."
)
READ_ERRORS = {403: ErrorOut, 404: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS}

PartnershipId = Annotated[int, Field(ge=1), QUERY_INT]
Purpose = Annotated[str, Field(min_length=3, max_length=300)]
PURPOSE_DESCRIPTION = (
    "Why you are opening the case, kept in the access log. Needed for a case shared with your agency "
    "(400 without it); optional for a case your agency owns."
)
PurposeHeader = Annotated[Purpose | None, Header(alias=PURPOSE_HEADER, description=PURPOSE_DESCRIPTION)]


def _context(request: HttpRequest, partnership: int | None) -> WorkingContext:
    user: User = request.auth  # type: ignore[attr-defined]
    context = working_context(user, partnership)
    if context is None or (partnership is not None and context.partnership.pk != partnership):
        raise Http404("No such partnership")
    if not context.roles & CASE_ROLES:
        raise HttpError(403, NO_ROLE)
    return context


def _log(
    request: HttpRequest, context: WorkingContext, action: str, case_id: int | str, detail: str, purpose: str = ""
) -> None:
    record_access(
        action=action,
        actor=request.auth,  # type: ignore[attr-defined]
        partnership=context.partnership,
        agency=context.agencies[0] if context.agencies else None,
        object_type="case",
        object_id=case_id,
        purpose=purpose,
        detail=detail,
        request=request,
    )


def _open(request: HttpRequest, context: WorkingContext, case_id: int, purpose: str | None) -> tuple[Case, str]:
    case = case_selectors.case_for(context, case_id)
    if not any(a.pk == case.owning_agency_id for a in context.agencies) and not (purpose or "").strip():
        raise HttpError(400, NEEDS_PURPOSE)
    return case, (purpose or "").strip()


# --- schemas ------------------------------------------------------------------------------------------------------


class CaseFilter(Schema):
    partnership: PartnershipId | None = None
    status: CaseStatus | None = None
    case_type: CaseType | None = None
    page: Annotated[int, Field(ge=1, le=100000), QUERY_INT] = 1
    page_size: Annotated[int, Field(ge=1, le=100), QUERY_INT] = 25


class CaseSummaryOut(Schema):
    id: int
    reference: str
    case_type: CaseType
    status: CaseStatus
    owning_agency: str
    officer: str | None
    opened_on: date
    ward: str


class CasePageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[CaseSummaryOut]


class PartyOut(Schema):
    person_id: int
    name: str
    role: str


class AgencyShareOut(Schema):
    agency: str
    gateway: str
    consent_status: str


class CaseOut(CaseSummaryOut):
    summary: str
    closed_on: date | None
    parties: list[PartyOut]
    agencies: list[AgencyShareOut]


class CaseQuery(Schema):
    partnership: PartnershipId | None = None


class DocumentOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    sensitivity: str
    description: str
    added_at: datetime
    download_url: str


class DocumentsOut(Schema):
    items: list[DocumentOut]
    hidden_sensitive: int


# The schema accepts exactly what the cases app's services accept, so a schema-valid request is never refused:
# a name of at most 100 characters with something in it, a UK postcode shape.
Name = Annotated[StrictStr, Field(min_length=1, max_length=100, pattern=r"\S")]
Postcode = Annotated[
    StrictStr, Field(max_length=10, pattern=r"^\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s?[0-9][A-Za-z]{2}\s*$")
]


class ReportIn(Schema):
    receiving_agency_id: Annotated[int, Field(ge=1), JSON_INT]
    channel: Channel
    nsir_type: NsirType
    description: Annotated[StrictStr, Field(min_length=1, max_length=10000, pattern=r"\S")]
    hate_strand: HateStrand | None = Field(
        default=None, description="What the hate was about, when the report is of a hate incident (else leave out)"
    )
    reporter_name: Name | None = None
    reporter_is_victim: StrictBool = False
    victim_names: Annotated[list[Name], Field(max_length=20)] = []
    subject_names: Annotated[list[Name], Field(max_length=20)] = []
    place: Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"\S")] | None = None
    postcode: Postcode | None = Field(default=None, description="A UK postcode, like LE18 1AB (with a place)")


class ReportOut(Schema):
    id: int
    reference: str
    received_at: datetime
    case_id: int | None


# --- operations ---------------------------------------------------------------------------------------------------


def _summary(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        id=case.pk,
        reference=case.reference,
        case_type=CaseType(case.case_type),
        status=CaseStatus(case.status),
        owning_agency=case.owning_agency.name,
        officer=(case.officer.full_name or case.officer.email) if case.officer else None,
        opened_on=timezone.localtime(case.opened_at).date(),
        ward=case.ward_name,
    )


@router.get(
    "/cases",
    response={200: CasePageOut, 403: ErrorOut, 404: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS},
    operation_id="list_cases",
    summary="Cases your agencies own or were added to",
    description="Newest first, a page at a time, filtered by status and type. Writes one access-log entry.",
)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> CasePageOut:
    context = _context(request, filters.partnership)
    cases = case_selectors.case_list(
        context,
        status=filters.status.value if filters.status else "",
        case_type=filters.case_type.value if filters.case_type else "",
    )
    count = cases.count()
    start = (filters.page - 1) * filters.page_size
    items = [_summary(c) for c in cases[start : start + filters.page_size]]
    record_access(
        action=AccessAction.SEARCH,
        actor=request.auth,  # type: ignore[attr-defined]
        partnership=context.partnership,
        agency=context.agencies[0] if context.agencies else None,
        object_type="case",
        detail=f"api case list page {filters.page}",
        request=request,
    )
    return CasePageOut(count=count, page=filters.page, page_size=filters.page_size, items=items)


@router.get(
    "/cases/{case_id}",
    response={200: CaseOut, **READ_ERRORS},
    operation_id="get_case",
    summary="One case, with its parties and the agencies it is shared with",
    description="404 for a case you may not see. A case shared with your agency needs the `X-Purpose` header "
    "(400 without it). Writes one access-log entry.",
)
def get_case(
    request: HttpRequest,
    case_id: Path[Annotated[int, Field(ge=1), QUERY_INT]],
    params: Query[CaseQuery],
    purpose: PurposeHeader = None,
) -> CaseOut:
    context = _context(request, params.partnership)
    case, given = _open(request, context, case_id, purpose)
    parties = [
        PartyOut(person_id=p.person_id, name=p.person.display_name, role=p.get_role_display())
        for p in case.parties.select_related("person").order_by("role", "added_at")
    ]
    shares = [
        AgencyShareOut(
            agency=s.agency.name, gateway=s.get_gateway_display(), consent_status=s.get_consent_status_display()
        )
        for s in case.shares.filter(removed_at__isnull=True).select_related("agency")
    ]
    _log(request, context, AccessAction.VIEW, case.pk, "api case", given)
    return CaseOut(
        **_summary(case).model_dump(),
        summary=case.summary,
        closed_on=timezone.localtime(case.closed_at).date() if case.closed_at else None,
        parties=parties,
        agencies=shares,
    )


@router.get(
    "/cases/{case_id}/documents",
    response={200: DocumentsOut, **READ_ERRORS},
    operation_id="list_case_documents",
    summary="The documents on a case you may read",
    description="Sensitive documents you may not read are counted, not listed. Download them on the site. "
    "A case shared with your agency needs the `X-Purpose` header (400 without it). Writes one access-log entry.",
)
def list_case_documents(
    request: HttpRequest,
    case_id: Path[Annotated[int, Field(ge=1), QUERY_INT]],
    params: Query[CaseQuery],
    purpose: PurposeHeader = None,
) -> DocumentsOut:
    from django.urls import reverse

    context = _context(request, params.partnership)
    case, given = _open(request, context, case_id, purpose)
    documents, hidden = selectors.documents_for(context, case)
    _log(request, context, AccessAction.VIEW, case.pk, "api documents list", given)
    return DocumentsOut(
        items=[
            DocumentOut(
                id=d.pk,
                name=d.original_name,
                kind=d.kind_label,
                content_type=d.content_type,
                size=d.size,
                sensitivity=d.sensitivity,
                description=d.description,
                added_at=d.uploaded_at,
                download_url=reverse("documents:download", args=[case.pk, d.pk]),
            )
            for d in documents
        ],
        hidden_sensitive=hidden,
    )


@router.post(
    "/reports",
    response={201: ReportOut, 403: ErrorOut, 404: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS},
    operation_id="create_report",
    summary="Log a first contact",
    description="Records a report as the first-call page does (matching and joining a case are done on the site). "
    "`receiving_agency_id` must be one of your agencies. Writes one access-log entry.",
)
def create_report(
    request: HttpRequest, payload: ReportIn, partnership: Query[PartnershipId | None] = None
) -> Status[ReportOut]:
    context = _context(request, partnership)
    agency = next((a for a in context.agencies if a.pk == payload.receiving_agency_id), None)
    if agency is None:
        raise Http404("receiving_agency_id is not one of your agencies in this partnership (see /api/me)")
    try:
        report, _ = case_services.record_report(
            partnership=context.partnership,
            actor=request.auth,  # type: ignore[attr-defined]
            receiving_agency=agency,
            channel=payload.channel.value,
            description=payload.description,
            nsir_type=payload.nsir_type.value,
            reporter=case_services.PartyInput(name=payload.reporter_name) if payload.reporter_name else None,
            reporter_is_victim=payload.reporter_is_victim,
            victims=[case_services.PartyInput(name=n) for n in payload.victim_names],
            subjects=[case_services.PartyInput(name=n) for n in payload.subject_names],
            place=case_services.PlaceInput(line1=payload.place, postcode=payload.postcode or "")
            if payload.place
            else None,
            hate_motivated=payload.hate_strand is not None,
            hate_strand=payload.hate_strand.value if payload.hate_strand else "",
            request=request,
        )
    except case_services.CaseError as exc:
        raise _invalid(exc.field or "payload", str(exc)) from exc
    return Status(
        201, ReportOut(id=report.pk, reference=report.reference, received_at=report.received_at, case_id=report.case_id)
    )


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["body", "payload", field], "msg": message, "type": "value_error"}])
