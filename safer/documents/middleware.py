"""A case whose personal data was erased at retention review can no longer be added to or changed.

The case page itself shows what is left (``cases.views.case_detail``) and the DPO's retention page shows the decision;
every other page under a case (editing it, parties, notes, sharing, closing and reopening, risk, interventions, tasks,
documents and letters) answers with a page saying so, for reading as for posting, so no route can put personal data
back onto an anonymised record. Only a case the person could open anyway is checked: for anyone else the view's own
404 stands, and the page never tells a stranger that a case exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safer.cases import selectors as case_selectors
from safer.cases.models import Case
from safer.core.permissions import can
from safer.documents.retention import erasure_of

# The pages of an erased case that stay open: its statistical record and the DPO's decision.
STILL_OPEN = frozenset({"cases:case", "documents:retention-case"})


def refused_for_erased(request: HttpRequest, case: Case) -> HttpResponse | None:
    """The page refusing any change to ``case`` once its personal data is erased, or None while it holds it."""
    decision = erasure_of(case)
    if decision is None:
        return None
    return render(request, "documents/retention_erased_refused.html", {"case": case, "decision": decision}, status=403)


class ErasedCaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if "case_id" not in view_kwargs or match is None or match.view_name in STILL_OPEN:
            return None
        if getattr(request, "partnership", None) is None or not can(request, "cases"):
            return None  # not signed in to a partnership, or no role for cases: the view's own checks answer
        try:
            case = case_selectors.case_for(request, view_kwargs["case_id"])
        except Http404:
            return None  # the view gives its 404
        return refused_for_erased(request, case)
