"""Importing an existing Delivery Plan from Excel: the template, a clean file, and a file with bad rows
(all or nothing, each problem named by sheet, row and column)."""

from __future__ import annotations

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from safer.delivery.documents import TEMPLATE_ACTION_COLUMNS, TEMPLATE_MEASURE_COLUMNS, TEMPLATE_MILESTONE_COLUMNS
from safer.delivery.models import DeliveryImport, DeliveryPlan, Milestone, PerformanceMeasure, TacticalAction

pytestmark = pytest.mark.django_db

GOOD_ACTIONS = [
    {
        "Reference": "1.1",
        "Title": "Commission diversionary youth activities in South Wigston",
        "Priorities": "1",
        "Pillars": "Prevention and Diversion, Engage",
        "Lead agency": "Oadby and Wigston Borough Council",
        "Owner email": "casey@oadby.example",
        "Partner agencies": "Leicestershire Police",
        "Task and Finish group": "Youth Engagement Task and Finish Group",
        "SARA stage": "Response",
        "Evidence of local need": "Survey: groups causing nuisance ranked 5th (11%)",
        "Commissioned provider": "Leicestershire Youth Sports Trust",
        "PCC grant budget": 6000,
        "Council budget": "2,000.00",
    },
    {
        "Reference": "4.2",
        "Title": "Hate crime reporting centres awareness",
        "Priorities": "4; 6",
        "Lead agency": "Leicestershire Police",
        "Owner email": "PAT@police.example",
        "PCC grant budget": 500,
    },
]


def workbook(actions, measures=(), milestones=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(TEMPLATE_ACTION_COLUMNS)
    for row in actions:
        sheet.append([row.get(c) for c in TEMPLATE_ACTION_COLUMNS])
    ms = book.create_sheet("Measures")
    ms.append(TEMPLATE_MEASURE_COLUMNS)
    for row in measures:
        ms.append([row.get(c) for c in TEMPLATE_MEASURE_COLUMNS])
    mi = book.create_sheet("Milestones")
    mi.append(TEMPLATE_MILESTONE_COLUMNS)
    for row in milestones:
        mi.append([row.get(c) for c in TEMPLATE_MILESTONE_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def plan_only(setup):
    """The strategic plan and people of ``setup``, but import into another year (2025-26)."""
    return setup


def upload(client, plan, content: bytes, year: str = "2025-26"):
    return client.post(
        reverse("delivery:import"),
        {"plan": str(plan.pk), "financial_year": year, "file": SimpleUploadedFile("plan.xlsx", content)},
        follow=True,
    )


def test_the_template_downloads_with_its_columns(client, sign_in, admin) -> None:
    sign_in(client, admin)
    response = client.get(reverse("delivery:import-template"))
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["Actions"][1]] == TEMPLATE_ACTION_COLUMNS
    assert [c.value for c in book["Measures"][1]] == TEMPLATE_MEASURE_COLUMNS
    assert book.sheetnames == ["Actions", "Measures", "Milestones", "How to fill this in"]


def test_a_clean_file_imports_every_row(client, sign_in, admin, plan_only) -> None:
    sign_in(client, admin)
    content = workbook(
        GOOD_ACTIONS,
        measures=[
            {
                "Action reference": "1.1",
                "Measure": "Sessions delivered",
                "Kind": "Quantitative",
                "Unit": "sessions",
                "Target": 80,
            },
            {"Action reference": "4.2", "Measure": "Victims' feedback", "Kind": "Qualitative"},
        ],
        milestones=[{"Action reference": "1.1", "Milestone": "SLA signed", "Due date": "30/04/2025"}],
    )
    page = html.unescape(upload(client, plan_only.plan, content).content.decode())
    assert "Imported 2 actions, 2 measures and 1 milestones into Delivery Plan 2025-26" in page
    dp = DeliveryPlan.objects.get(financial_year="2025-26")
    youth = dp.actions.get(reference="1.1")
    assert youth.task_group == plan_only.group
    assert sorted(youth.pillars.values_list("name", flat=True)) == ["Engage", "Prevention and Diversion"]
    assert sum(line.amount for line in youth.budget_lines.all()) == 8000
    hate = dp.actions.get(reference="4.2")
    assert sorted(p.code for p in hate.priorities.all()) == ["4", "6"]
    assert hate.owner.email == "pat@police.example"
    assert Milestone.objects.get(action=youth).due_on.isoformat() == "2025-04-30"


def test_bad_rows_are_each_named_and_nothing_is_imported(client, sign_in, admin, plan_only) -> None:
    sign_in(client, admin)
    bad = [
        dict(GOOD_ACTIONS[0], **{"Priorities": "7", "PCC grant budget": "six thousand"}),
        dict(GOOD_ACTIONS[1], **{"Owner email": "nobody@example.com"}),
        dict(GOOD_ACTIONS[1], **{"Reference": "1.1", "Lead agency": "Acme Ltd"}),
    ]
    content = workbook(
        bad,
        measures=[{"Action reference": "9.9", "Measure": "Sessions", "Kind": "Quantitative", "Target": "lots"}],
        milestones=[{"Action reference": "1.1", "Milestone": "SLA signed", "Due date": "sometime"}],
    )
    before = (DeliveryPlan.objects.count(), TacticalAction.objects.count(), PerformanceMeasure.objects.count())
    page = html.unescape(upload(client, plan_only.plan, content).content.decode())
    assert "Nothing was imported: the file has 8 problems" in page
    record = DeliveryImport.objects.get()
    got = [(e["sheet"], e["row"], e["column"]) for e in record.errors]
    assert got == [
        ("Actions", 2, "Priorities"),
        ("Actions", 2, "PCC grant budget"),
        ("Actions", 3, "Owner email"),
        ("Actions", 4, "Reference"),
        ("Actions", 4, "Lead agency"),
        ("Measures", 2, "Action reference"),
        ("Measures", 2, "Target"),
        ("Milestones", 2, "Due date"),
    ]
    assert "“7” is not a priority of Strategic Plan (2021-24). Use one of: 1, 2, 3, 4, 5, 6" in page
    assert "“six thousand” is not an amount." in page
    assert "“nobody@example.com” is not someone who works in Oadby and Wigston CSP" in page
    assert "Reference 1.1 is also on row 2" in page
    assert (DeliveryPlan.objects.count(), TacticalAction.objects.count(), PerformanceMeasure.objects.count()) == before


def test_not_a_workbook_and_a_taken_year(client, sign_in, admin, plan_only) -> None:
    sign_in(client, admin)
    taken = html.unescape(upload(client, plan_only.plan, workbook(GOOD_ACTIONS), year="2024-25").content.decode())
    assert "There is already a delivery plan for 2024-25" in taken
    page = html.unescape(upload(client, plan_only.plan, b"not excel").content.decode())
    assert "This is not an Excel workbook (.xlsx)" in page
    assert not DeliveryPlan.objects.filter(financial_year="2025-26").exists()
