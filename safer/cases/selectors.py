"""Every read of cases, people, places and reports, scoped to the person asking.

Signatures other apps rely on (``scope`` is an ``HttpRequest`` after the middleware, or a
``safer.core.selectors.WorkingContext``: anything with ``.partnership`` and ``.agencies``):

* ``visible_cases(scope) -> QuerySet[Case]``: cases of ``scope.partnership`` that one of ``scope.agencies`` owns or
  has been added to (not removed from). Empty when there is no partnership.
* ``case_for(scope, case_id) -> Case``: one of those cases; ``Http404`` for anyone else (another partnership, an
  agency it was not shared with, a missing id). It does not write the access log: the page that shows the case
  writes its one ``AccessEvent`` (``safer.core.audit.record_access``, object_type "case").
* ``can_see_sensitive(scope, case) -> bool``: whether sensitive notes of the case may be read.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import QuerySet
from django.http import Http404

from safer.cases.models import Case, CaseNote, Sensitivity
from safer.core.models import Agency, Partnership, Role


class Scope(Protocol):
    partnership: Partnership | None
    agencies: list[Agency]


def _partnership(scope: Any) -> Partnership | None:
    return getattr(scope, "partnership", None)


def _agencies(scope: Any) -> list[Agency]:
    return list(getattr(scope, "agencies", None) or [])


def visible_cases(scope: Any) -> QuerySet[Case]:
    partnership = _partnership(scope)
    if partnership is None:
        return Case.objects.none()
    return Case.objects.visible_to(partnership, _agencies(scope))


def case_for(scope: Any, case_id: int | str) -> Case:
    try:
        pk = int(case_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such case") from exc
    case = visible_cases(scope).select_related("owning_agency", "officer").filter(pk=pk).first()
    if case is None:
        raise Http404("No such case")
    return case


def _has_case_role(scope: Any) -> bool:
    return bool(getattr(scope, "roles", frozenset()) & {Role.CASEWORKER, Role.MEETING_CHAIR})


def can_see_sensitive(scope: Any, case: Case) -> bool:
    """Every sensitive note of a case: caseworkers and meeting chairs of the owning agency.

    The rule for sensitive notes: they are read by caseworkers and meeting chairs of the case's owning agency, and
    of the agency that wrote the note; everyone else on the case sees only how many are hidden.
    """
    return _has_case_role(scope) and any(a.pk == case.owning_agency_id for a in _agencies(scope))


def notes_for(scope: Any, case: Case) -> tuple[list[CaseNote], int]:
    """The notes the person may read, newest first, and how many sensitive notes are hidden from them."""
    notes = list(case.notes.select_related("author", "agency"))
    if can_see_sensitive(scope, case):
        return notes, 0
    agency_ids = {a.pk for a in _agencies(scope)} if _has_case_role(scope) else set()
    shown = [n for n in notes if n.sensitivity == Sensitivity.NORMAL or n.agency_id in agency_ids]
    return shown, len(notes) - len(shown)
