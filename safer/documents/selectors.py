"""Every read of case documents, letter templates and subject access requests, scoped to the person asking.

Documents follow the case: ``cases.selectors.case_for`` first (404 for another partnership, an agency the case is
not shared with, a missing id). Sensitive documents follow the cases app's rule for sensitive notes: caseworkers
and meeting chairs of the owning agency, and of the agency that attached the document, see them; everyone else on
the case is told how many are hidden, and gets 404 if they ask for one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from safer.cases import selectors as case_selectors
from safer.cases.models import Case, Sensitivity
from safer.core.models import Partnership, Role
from safer.documents.models import CaseDocument, LetterTemplate, SubjectAccessRequest


def _agency_ids(scope: Any) -> set[int]:
    return {a.pk for a in (getattr(scope, "agencies", None) or [])}


def _may_read(scope: Any, case: Case, document: CaseDocument, sees_all_sensitive: bool) -> bool:
    if document.sensitivity != Sensitivity.SENSITIVE or sees_all_sensitive:
        return True
    roles: frozenset[str] = getattr(scope, "roles", frozenset())
    has_case_role = bool(roles & {Role.CASEWORKER, Role.MEETING_CHAIR})
    return has_case_role and document.uploaded_by_agency_id in _agency_ids(scope)


def documents_for(scope: Any, case: Case) -> tuple[list[CaseDocument], int]:
    """The documents of a visible case the person may read, newest first, and how many sensitive ones are hidden."""
    documents = list(case.documents.select_related("uploaded_by", "uploaded_by_agency", "recipient__person"))
    sees_all = case_selectors.can_see_sensitive(scope, case)
    shown = [d for d in documents if _may_read(scope, case, d, sees_all)]
    return shown, len(documents) - len(shown)


def document_for(scope: Any, case_id: int | str, document_id: int | str) -> CaseDocument:
    """One document of a visible case that the person may read; Http404 for anything else."""
    case = case_selectors.case_for(scope, case_id)
    try:
        pk = int(document_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such document") from exc
    document = case.documents.select_related("case__partnership").filter(pk=pk).first()
    if document is None or not _may_read(scope, case, document, case_selectors.can_see_sensitive(scope, case)):
        raise Http404("No such document")
    return document


def letter_templates(partnership: Partnership | None, *, active_only: bool = False) -> QuerySet[LetterTemplate]:
    if partnership is None:
        return LetterTemplate.objects.none()
    qs = LetterTemplate.objects.filter(partnership=partnership)
    return qs.filter(is_active=True) if active_only else qs


def letter_template_for(partnership: Partnership | None, template_id: int | str) -> LetterTemplate:
    try:
        pk = int(template_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such template") from exc
    template = letter_templates(partnership).filter(pk=pk).first()
    if template is None:
        raise Http404("No such template")
    return template


def subject_access_requests(partnership: Partnership | None) -> QuerySet[SubjectAccessRequest]:
    if partnership is None:
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.filter(partnership=partnership).select_related("person", "handled_by")


def subject_access_request_for(partnership: Partnership | None, sar_id: int | str) -> SubjectAccessRequest:
    try:
        pk = int(sar_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such request") from exc
    sar = subject_access_requests(partnership).filter(pk=pk).first()
    if sar is None:
        raise Http404("No such request")
    return sar
