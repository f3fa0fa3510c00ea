"""The delivery plan's part of the Strategic Assessment: how far the partnership plan was delivered, from the
quarterly returns the chair agreed (registered with ``safer.intelligence.assessment.register_part``)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from safer.core.models import Partnership
from safer.delivery.models import QuarterlyReturn, Rag, ReturnStatus
from safer.intelligence.assessment import Section, Table


def delivery_part(partnership: Partnership, start: date, end: date) -> Section | None:
    """Agreed returns by delivery plan and quarter, counted by the chair's RAG; None while none is agreed."""
    agreed = (
        QuarterlyReturn.objects.filter(action__delivery_plan__partnership=partnership, status=ReturnStatus.AGREED)
        .select_related("action__delivery_plan")
        .order_by("action__delivery_plan__financial_year", "quarter")
    )
    counts: dict[tuple[str, str, int], Counter[str]] = {}
    for ret in agreed:
        plan = ret.action.delivery_plan
        counts.setdefault((plan.financial_year, plan.title, ret.quarter), Counter())[ret.agreed_rag] += 1
    if not counts:
        return None
    rows = [
        [
            f"{title} ({year}), Q{quarter}",
            str(sum(tally.values())),
            *[str(tally.get(rag, 0)) for rag in (Rag.GREEN, Rag.AMBER, Rag.RED)],
        ]
        for (year, title, quarter), tally in counts.items()
    ]
    return Section(
        "Delivery of the partnership plan",
        [
            "The delivery plan's actions as their owners reported them each quarter and the chair agreed "
            f"(the assessment's main period is {start:%B %Y} to {end:%B %Y}). Green: on track; Amber: issues or "
            "risks; Red: significantly off track."
        ],
        tables=[
            Table(
                "Quarterly returns agreed by the chair, by RAG",
                ["Delivery plan and quarter", "Returns agreed", "Green", "Amber", "Red"],
                rows,
            )
        ],
    )
