"""The cases API (django-ninja Router): the case list, one case, and logging a report, with the same services,
selectors and scoping as the pages.

Mount it in ``safer/api/api.py`` (before the fallback router): ``api.add_router("/", "safer.cases.api.router")``.
Paths: ``GET /api/cases``, ``GET /api/cases/{case_id}``, ``POST /api/reports``.

The token acts as its owner in their first partnership (the one the pages open in), with the agencies they work for
there. It needs the caseworker or meeting-chair role (else 403); a case of another partnership, or of an agency that
has not shared it with theirs, is a 404. A case shared with the caller's agency needs ``?purpose=`` (it goes into the
access log, as the page's purpose question does), else 403. Every answer that shows case data writes one AccessEvent.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from safer.api.schemas import AUTH_ERRORS, INPUT_ERRORS, JSON_INT, QUERY_INT, ErrorOut, IsoDate, StrictBool, StrictStr
from safer.cases import selectors, services
from safer.cases.models import Case
from safer.core.audit import record_access
from safer.core.models import AccessAction, Role, User
from safer.core.selectors import WorkingContext, working_context

CASE_ROLES = frozenset({Role.CASEWORKER, Role.MEETING_CHAIR})


class CaseStatusIn(enum.StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"


class CaseTypeIn(enum.StrEnum):
    ASB = "asb"
    HATE = "hate"
    VULNERABILITY = "vulnerability"
    NUISANCE_PREMISES = "nuisance_premises"
    NOISE = "noise"
    OTHER = "other"


class ChannelIn(enum.StrEnum):
    PHONE = "phone"
    WEB = "web"
    EMAIL = "email"
    IN_PERSON = "in_person"
    PARTNER_REFERRAL = "partner_referral"
    POLICE_101 = "police_101"


class NsirIn(enum.StrEnum):
    PERSONAL = "personal"
    NUISANCE = "nuisance"
    ENVIRONMENTAL = "environmental"


class HateStrandIn(enum.StrEnum):
    RACE = "race"
    RELIGION = "religion"
    SEXUAL_ORIENTATION = "sexual_orientation"
    DISABILITY = "disability"
    TRANSGENDER = "transgender"
    ALTERNATIVE_SUBCULTURE = "alternative_subculture"
    OTHER = "other"


class CaseFilter(Schema):
    q: Annotated[str, Field(max_length=200)] | None = None
    status: CaseStatusIn | None = None
    case_type: CaseTypeIn | None = None
    page: Annotated[int, Field(ge=1, le=100000), QUERY_INT] = 1
    page_size: Annotated[int, Field(ge=1, le=100), QUERY_INT] = 25


class CaseSummaryOut(Schema):
    id: int
    reference: str
    case_type: str
    status: str
    owning_agency: str
    officer: str | None
    ward: str
    opened_on: IsoDate
    closed_on: IsoDate | None


class CaseListOut(Schema):
    count: int
    page: int
    pages: int
    cases: list[CaseSummaryOut]


class PartyOut(Schema):
    person_id: int
    name: str
    kind: str
    role: str
    date_of_birth: IsoDate | None
    reports_in_6_months: int


class PlaceOut(Schema):
    address_id: int
    address: str
    lsoa_code: str


class ShareOut(Schema):
    agency: str
    gateway: str
    consent_status: str
    added_on: IsoDate


class ChronologyOut(Schema):
    at: datetime
    kind: str
    summary: str
    agency: str | None


class CaseOut(CaseSummaryOut):
    summary: str
    closure_outcome: str
    victim_satisfaction: str
    retention_review_on: IsoDate | None
    version: int
    parties: list[PartyOut]
    places: list[PlaceOut]
    agencies: list[ShareOut]
    chronology: list[ChronologyOut]
    reports_in_6_months: int


class ReportIn(Schema):
    receiving_agency_id: Annotated[int, Field(ge=1), JSON_INT]
    channel: ChannelIn
    description: Annotated[StrictStr, Field(min_length=1, max_length=5000)]
    nsir_type: NsirIn
    reporter_name: Annotated[StrictStr, Field(max_length=200)] | None = None
    reporter_date_of_birth: IsoDate | None = None
    reporter_is_victim: StrictBool = False
    victim_names: Annotated[list[Annotated[StrictStr, Field(min_length=1, max_length=200)]], Field(max_length=10)] = []
    subject_names: Annotated[list[Annotated[StrictStr, Field(min_length=1, max_length=200)]], Field(max_length=10)] = []
    place: Annotated[StrictStr, Field(max_length=200)] | None = None
    postcode: Annotated[StrictStr, Field(max_length=10)] | None = None
    occurred_on: IsoDate | None = None
    hate_motivated: StrictBool = False
    hate_strand: HateStrandIn | None = None
    submission_key: (
        Annotated[
            StrictStr, Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
        ]
        | None
    ) = None


class MatchOut(Schema):
    case_id: int
    reference: str
    reasons: list[str]


class ReportOut(Schema):
    id: int
    reference: str
    received_at: datetime
    case_id: int | None
    created: bool
    matching_open_cases: list[MatchOut]


class Scope:
    """What the middleware puts on a page request, for a token's owner."""

    def __init__(self, request: HttpRequest, user: User, context: WorkingContext) -> None:
        self.request = request
        self.user = user
        self.partnership = context.partnership
        self.agencies = context.agencies
        self.roles = context.roles


def _scope(request: HttpRequest) -> Scope:
    user: User = request.auth  # type: ignore[attr-defined]
    context = working_context(user, None)
    if context is None or not (context.roles & CASE_ROLES):
        raise HttpError(403, "This needs the caseworker or meeting chair role")
    scope = Scope(request, user, context)
    request.partnership = context.partnership  # type: ignore[attr-defined]
    request.agencies = context.agencies  # type: ignore[attr-defined]
    return scope


def _log(scope: Scope, action: str, object_id: int | str = "", purpose: str = "", detail: str = "") -> None:
    record_access(
        action=action,
        actor=scope.user,
        partnership=scope.partnership,
        agency=scope.agencies[0] if scope.agencies else None,
        object_type="case",
        object_id=object_id,
        purpose=purpose,
        detail=detail,
        request=scope.request,
    )


def _day(value: datetime | None) -> date | None:
    return timezone.localtime(value).date() if value is not None else None


def _summary(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        id=case.pk,
        reference=case.reference,
        case_type=case.case_type,
        status=case.status,
        owning_agency=case.owning_agency.name,
        officer=(case.officer.full_name or case.officer.email) if case.officer else None,
        ward=case.ward_name,
        opened_on=timezone.localtime(case.opened_at).date(),
        closed_on=_day(case.closed_at),
    )


def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> CaseListOut:
    scope = _scope(request)
    cases = selectors.case_list(
        scope,
        text=filters.q or "",
        status=filters.status.value if filters.status else "",
        case_type=filters.case_type.value if filters.case_type else "",
    )
    count = cases.count()
    start = (filters.page - 1) * filters.page_size
    rows = [_summary(c) for c in cases[start : start + filters.page_size]]
    _log(scope, AccessAction.SEARCH, detail=f"API case list page {filters.page}")
    return CaseListOut(count=count, page=filters.page, pages=max(1, -(-count // filters.page_size)), cases=rows)


def get_case(
    request: HttpRequest,
    case_id: Path[Annotated[int, Field(ge=1), QUERY_INT]],
    purpose: Query[Annotated[str, Field(max_length=300)] | None] = None,
) -> CaseOut:
    scope = _scope(request)
    case = selectors.case_for(scope, case_id)
    if selectors.shared_with(scope, case) is not None and not (purpose or "").strip():
        raise HttpError(403, "This case was shared with your agency: say why you need it with ?purpose=")
    page = selectors.case_page(scope, case)
    _log(scope, AccessAction.VIEW, case.pk, purpose=(purpose or "").strip(), detail="API case")
    base = _summary(case).model_dump()
    return CaseOut(
        **base,
        summary=case.summary,
        closure_outcome=case.closure_outcome,
        victim_satisfaction=case.victim_satisfaction,
        retention_review_on=case.retention_review_on,
        version=case.version,
        parties=[
            PartyOut(
                person_id=p.person_id,
                name=p.person.display_name,
                kind=p.person.kind,
                role=p.role,
                date_of_birth=p.person.date_of_birth,
                reports_in_6_months=selectors.person_report_count(scope, p.person),
            )
            for p in page["parties"]
        ],
        places=[
            PlaceOut(address_id=p.address_id, address=p.address.one_line, lsoa_code=p.address.lsoa_code)
            for p in page["places"]
        ],
        agencies=[
            ShareOut(
                agency=s.agency.name,
                gateway=s.gateway,
                consent_status=s.consent_status,
                added_on=timezone.localtime(s.added_at).date(),
            )
            for s in page["shares"]
        ],
        chronology=[
            ChronologyOut(at=e.at, kind=e.kind, summary=e.summary, agency=e.agency.name if e.agency else None)
            for e in page["chronology"][:50]
        ],
        reports_in_6_months=page["counts"].reports_on_case,
    )


def _party(name: str | None, dob: date | None = None, kind: str = "person") -> services.PartyInput | None:
    if not name or not name.strip():
        return None
    return services.PartyInput(name=name, date_of_birth=dob, kind=kind)


def create_report(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    scope = _scope(request)
    agency = next((a for a in scope.agencies if a.pk == payload.receiving_agency_id), None)
    if agency is None:
        raise HttpError(403, "Choose a receiving agency you work for")
    occurred = timezone.make_aware(datetime.combine(payload.occurred_on, time(0, 0))) if payload.occurred_on else None
    try:
        report, created = services.record_report(
            partnership=scope.partnership,
            actor=scope.user,
            receiving_agency=agency,
            channel=payload.channel.value,
            description=payload.description,
            nsir_type=payload.nsir_type.value,
            reporter=_party(payload.reporter_name, payload.reporter_date_of_birth),
            reporter_is_victim=payload.reporter_is_victim,
            victims=[p for p in (_party(n) for n in payload.victim_names) if p],
            subjects=[p for p in (_party(n) for n in payload.subject_names) if p],
            place=services.PlaceInput(line1=payload.place, postcode=payload.postcode or "") if payload.place else None,
            occurred_from=occurred,
            hate_motivated=payload.hate_motivated,
            hate_strand=payload.hate_strand.value if payload.hate_strand else "",
            submission_key=uuid.UUID(payload.submission_key) if payload.submission_key else None,
            request=request,
        )
    except services.CaseError as exc:
        raise _invalid(exc) from exc
    matches = selectors.matches_for_report(scope, report) if report.case_id is None else None
    body = ReportOut(
        id=report.pk,
        reference=report.reference,
        received_at=report.received_at,
        case_id=report.case_id,
        created=created,
        matching_open_cases=[
            MatchOut(case_id=m.case.pk, reference=m.case.reference, reasons=m.reasons) for m in matches.cases
        ]
        if matches
        else [],
    )
    return Status(201 if created else 200, body)


# The service's field names, as the body names them.
BODY_FIELDS = {
    "occurred_from": "occurred_on",
    "occurred_to": "occurred_on",
    "date_of_birth": "reporter_date_of_birth",
    "hate_strand": "hate_strand",
    "receiving_agency": "receiving_agency_id",
    "name": "reporter_name",
}


def _invalid(exc: services.CaseError) -> ValidationError:
    """A refusal by the service, as the 422 body every operation documents."""
    where: list[str | int] = ["body", "payload"]
    if exc.field:
        where.append(BODY_FIELDS.get(exc.field, exc.field))
    return ValidationError([{"loc": where, "msg": str(exc), "type": "value_error"}])


def build_router() -> Router:
    """A new Router with the operations (one for the site's API, others for tests)."""
    router = Router(tags=["cases"])
    router.get(
        "/cases",
        response={200: CaseListOut, 403: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS},
        operation_id="list_cases",
        summary="Cases the caller's agencies own or were added to",
        description="Newest first, a page at a time, filtered like the case list page. Logged as a search.",
    )(list_cases)
    router.get(
        "/cases/{case_id}",
        response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS},
        operation_id="get_case",
        summary="One case, with its parties, places, agencies and latest chronology",
        description="404 for a case of another partnership or of an agency that has not shared it with the caller's. "
        "A case shared with the caller's agency needs `purpose` (it goes into the access log).",
    )(get_case)
    router.post(
        "/reports",
        response={201: ReportOut, 200: ReportOut, 403: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS},
        operation_id="create_report",
        summary="Log a first-contact report",
        description="The receiving agency must be one the caller works for. Send a `submission_key` (a UUID) to make "
        "retries safe: the same key again returns the first report with 200. The answer lists open cases that match "
        "the report's people and place.",
    )(create_report)
    return router


router = build_router()
