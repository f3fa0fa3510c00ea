"""Every read the pages, API and exports need, scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safer.core import records
from safer.core.models import (
    AccessEvent,
    AccessLogVerification,
    AccessRefusal,
    Agency,
    ApiToken,
    Invitation,
    Job,
    Membership,
    Partnership,
    RefusalAlert,
    RoleGrant,
    User,
)


@dataclass(frozen=True)
class WorkingContext:
    partnership: Partnership
    roles: frozenset[str]
    agencies: list[Agency]


def has_confirmed_totp(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def working_context(user: User, preferred_partnership_id: int | None) -> WorkingContext | None:
    """The partnership a person works in now (their choice, else their first), with roles and agencies there."""
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("agency__partnership")
        .order_by("agency__partnership__name", "agency__name")
    )
    if not memberships:
        return None
    partnerships = {m.agency.partnership_id: m.agency.partnership for m in memberships}
    partnership = partnerships.get(preferred_partnership_id or -1) or memberships[0].agency.partnership
    roles = frozenset(RoleGrant.objects.filter(user=user, partnership=partnership).values_list("role", flat=True))
    agencies = [m.agency for m in memberships if m.agency.partnership_id == partnership.pk]
    return WorkingContext(partnership=partnership, roles=roles, agencies=agencies)


def partnerships_for(user: User) -> QuerySet[Partnership]:
    return user.partnerships()


def agencies_in(partnership: Partnership) -> QuerySet[Agency]:
    return Agency.objects.filter(partnership=partnership)


def agency_in(partnership: Partnership, agency_id: int) -> Agency:
    try:
        return Agency.objects.get(partnership=partnership, pk=agency_id)
    except Agency.DoesNotExist as exc:
        raise Http404("No such agency") from exc


@dataclass(frozen=True)
class PersonRow:
    user: User
    agencies: list[Agency]
    roles: list[str]
    active: bool


def people_in(partnership: Partnership) -> list[PersonRow]:
    """Everyone who works in a partnership, with their agencies and roles there."""
    users = (
        User.objects.filter(memberships__agency__partnership=partnership)
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(agency__partnership=partnership).select_related("agency"),
                to_attr="partnership_memberships",
            ),
            Prefetch(
                "role_grants",
                queryset=RoleGrant.objects.filter(partnership=partnership),
                to_attr="partnership_roles",
            ),
        )
        .order_by("full_name")
    )
    rows = []
    for user in users:
        memberships: list[Membership] = user.partnership_memberships
        grants: list[RoleGrant] = user.partnership_roles
        rows.append(
            PersonRow(
                user=user,
                agencies=[m.agency for m in memberships if m.is_active],
                roles=sorted(g.role for g in grants),
                active=user.is_active and any(m.is_active for m in memberships),
            )
        )
    return rows


def person_in(partnership: Partnership, user_id: int) -> PersonRow:
    """One person, only if they work in this partnership: anyone else is a 404."""
    for row in people_in(partnership):
        if row.user.pk == user_id:
            return row
    raise Http404("No such person")


def pending_invitations(partnership: Partnership) -> QuerySet[Invitation]:
    return Invitation.objects.pending().filter(partnership=partnership).select_related("agency")


@dataclass(frozen=True)
class AccessLogFilter:
    action: str = ""
    actor_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # The records a searched name or reference means (safer.core.records), by type; None: no such search. Only the
    # ids are kept (in an export job's parameters too), never the name searched for.
    records: dict[str, list[str]] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "actor_id": self.actor_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "records": self.records,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AccessLogFilter:
        return cls(
            action=data.get("action") or "",
            actor_id=data.get("actor_id"),
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
            date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
            records=data.get("records"),
        )


def _day_range(qs: QuerySet[Any], date_from: date | None, date_to: date | None) -> QuerySet[Any]:
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs


def access_events(partnership: Partnership, flt: AccessLogFilter) -> QuerySet[AccessEvent]:
    """The partnership's access log, filtered. Reading it is itself logged by the view."""
    qs = AccessEvent.objects.filter(partnership=partnership).select_related("actor", "actor_agency")
    if flt.action:
        qs = qs.filter(action=flt.action)
    if flt.actor_id:
        qs = qs.filter(actor_id=flt.actor_id)
    if flt.object_type:
        qs = qs.filter(object_type=flt.object_type)
    if flt.object_id:
        qs = qs.filter(object_id=flt.object_id)
    if flt.records is not None:
        qs = qs.filter(records.about(flt.records))
    return _day_range(qs, flt.date_from, flt.date_to)


def access_object_types(partnership: Partnership) -> list[str]:
    """The kinds of record in the log, each once (the model's ordering by time is cleared, or DISTINCT would count
    each kind once per moment it was logged)."""
    kinds = AccessEvent.objects.filter(partnership=partnership).order_by().values_list("object_type", flat=True)
    return sorted(t for t in kinds.distinct() if t)


@dataclass(frozen=True)
class RefusalFilter:
    user_id: int | None = None
    agency_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def refusals(partnership: Partnership, flt: RefusalFilter) -> QuerySet[AccessRefusal]:
    """Requests for personal data refused to the partnership's people, newest first."""
    qs = AccessRefusal.objects.filter(partnership=partnership).select_related("user", "agency")
    if flt.user_id:
        qs = qs.filter(user_id=flt.user_id)
    if flt.agency_id:
        qs = qs.filter(agency_id=flt.agency_id)
    return _day_range(qs, flt.date_from, flt.date_to)


@dataclass(frozen=True)
class RefusalCount:
    user: User
    last_day: int
    last_week: int


def refusal_counts(partnership: Partnership) -> list[RefusalCount]:
    """Each person refused anything in the last 7 days, with their refusals in the last 24 hours and 7 days, most
    in the last day first."""
    now = timezone.now()
    rows = (
        AccessRefusal.objects.filter(partnership=partnership, at__gt=now - timedelta(days=7))
        .values("user")
        .annotate(week=Count("id"), day=Count("id", filter=Q(at__gt=now - timedelta(hours=24))))
        .order_by("-day", "-week", "user")
    )
    people = User.objects.in_bulk([row["user"] for row in rows])
    return [RefusalCount(user=people[row["user"]], last_day=row["day"], last_week=row["week"]) for row in rows]


REFUSAL_ALERT_DAYS = 7


def refusal_alerts(partnership: Partnership) -> QuerySet[RefusalAlert]:
    """The warnings raised in the partnership in the last week (the DPO pages show them as a banner)."""
    since = timezone.now() - timedelta(days=REFUSAL_ALERT_DAYS)
    return RefusalAlert.objects.filter(partnership=partnership, at__gt=since).select_related("user")


CHECK_DUE_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class AccessLogCheckStatus:
    """The last check of a partnership's access log chain, and whether another is due."""

    last: AccessLogVerification | None
    due: bool


def access_log_check_status(partnership: Partnership) -> AccessLogCheckStatus:
    last = (
        AccessLogVerification.objects.filter(partnership=partnership)
        .select_related("started_by")
        .order_by("-finished_at", "-id")
        .first()
    )
    due = last is None or last.finished_at < timezone.now() - CHECK_DUE_AFTER
    return AccessLogCheckStatus(last=last, due=due)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def token_of(user: User, token_id: int) -> ApiToken:
    try:
        return tokens_of(user).get(pk=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404("No such token") from exc


def jobs_of(user: User, partnership: Partnership) -> QuerySet[Job]:
    return Job.objects.visible_to(user, partnership)


def job_of(user: User, partnership: Partnership, job_id: Any) -> Job:
    try:
        return jobs_of(user, partnership).get(pk=job_id)
    except (Job.DoesNotExist, ValueError) as exc:
        raise Http404("No such job") from exc


def memberships_summary(user: User) -> list[WorkingContext]:
    """Every partnership a person works in, with their roles and agencies in each."""
    result = []
    for partnership in partnerships_for(user).order_by("name"):
        context = working_context(user, partnership.pk)
        if context is not None:
            result.append(context)
    return result
