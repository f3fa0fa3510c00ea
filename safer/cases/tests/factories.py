"""Small builders for case tests: a case with a victim, a subject and a place, through the real services."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from safer.cases import services
from safer.cases.models import Case, Report
from safer.core.models import Agency, Partnership, Role, User


def scope_of(user: User, partnership: Partnership) -> SimpleNamespace:
    """What the middleware would put on the request for this person."""
    from safer.core.selectors import working_context

    context = working_context(user, partnership.pk)
    assert context is not None
    return SimpleNamespace(partnership=context.partnership, agencies=context.agencies, roles=context.roles, user=user)


def scope(
    partnership: Partnership, *agencies: Agency, roles: frozenset[str] = frozenset({Role.CASEWORKER})
) -> SimpleNamespace:
    return SimpleNamespace(partnership=partnership, agencies=list(agencies), roles=roles)


def report(
    partnership: Partnership,
    agency: Agency,
    actor: User,
    *,
    reporter: str = "Margaret Hughes",
    reporter_dob: Any = None,
    subject: str = "",
    place: str = "14 Canal Street",
    postcode: str = "LE18 4PA",
    description: str = "Youths kicking a football at the window again",
    days_ago: int = 1,
    **kwargs: Any,
) -> Report:
    when = timezone.now() - timedelta(days=days_ago)
    created, _ = services.record_report(
        partnership=partnership,
        actor=actor,
        receiving_agency=agency,
        channel=kwargs.pop("channel", "phone"),
        description=description,
        nsir_type=kwargs.pop("nsir_type", "personal"),
        reporter=services.PartyInput(name=reporter, date_of_birth=reporter_dob) if reporter else None,
        reporter_is_victim=bool(reporter),
        subjects=[services.PartyInput(name=subject)] if subject else [],
        place=services.PlaceInput(line1=place, postcode=postcode) if place else None,
        occurred_from=when,
        received_at=when,
        **kwargs,
    )
    return created


def case_with_report(partnership: Partnership, agency: Agency, actor: User, **kwargs: Any) -> tuple[Case, Report]:
    first = report(partnership, agency, actor, **kwargs)
    case = services.open_case(partnership=partnership, actor=actor, owning_agency=agency, case_type="asb", report=first)
    return case, first
