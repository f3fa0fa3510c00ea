"""Telling a case's owner that another agency's report named someone on their case (``safer.cases.signals``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from safer.cases.models import Case, Report
from safer.core.models import Agency, Role, RoleGrant, User
from safer.interventions import casefacts
from safer.interventions.models import Notification

MOST_TOLD = 20  # an agency with no case officer: its caseworkers are told, at most this many


def owners_to_tell(case: Case) -> list[User]:
    """The case officer; without one, the owning agency's active caseworkers."""
    if case.officer is not None and case.officer.is_active:
        return [case.officer]
    caseworkers = RoleGrant.objects.filter(partnership_id=case.partnership_id, role=Role.CASEWORKER).values("user")
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=caseworkers,
            memberships__agency_id=case.owning_agency_id,
            memberships__is_active=True,
        ).distinct()[:MOST_TOLD]
    )


def tell_the_owner(sender: Any, *, case: Case, report: Report, agency: Agency, **kwargs: Any) -> None:
    """A notification naming the case and the agency to expect a call from: nobody's name, nothing of the report."""
    reference = casefacts.case_reference(case)
    when = timezone.localtime(report.received_at)
    for user in owners_to_tell(case):
        Notification.objects.create(
            user=user,
            partnership_id=case.partnership_id,
            text=(
                f"{agency.name} logged a report on {when:%-d %B %Y} naming someone on case {reference}. They were "
                "told to contact you; nothing of the case was shown. Decide together whether to share it."
            )[:300],
        )
