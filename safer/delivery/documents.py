"""The one-click documents, built from :mod:`safer.delivery.figures` so they show the page's numbers:

- the OPCC monitoring return (Excel): every action, budget and spend by funding source with totals, RAG, progress;
- the exception report (Word and PDF): only Amber/Red actions and off-track measures, with barriers and mitigations;
- the board pack (PDF with SVG charts, Word with the same numbers as tables): every priority, its actions and measures;
- the delivery plan itself (Excel in the import template's layout, and Word).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from safer.core.spreadsheets import new_workbook, write_cell, write_row
from safer.delivery.figures import (
    SOURCES,
    ActionFigures,
    MeasureFigures,
    PlanFigures,
    money,
    number,
)
from safer.delivery.models import DeliveryPlan, Rag, TacticalAction

RAG_FILL: dict[str, str] = {Rag.GREEN.value: "C6EFCE", Rag.AMBER.value: "FFEB9C", Rag.RED.value: "FFC7CE"}

TEMPLATE_ACTION_COLUMNS = [
    "Reference",
    "Title",
    "Priorities",
    "Pillars",
    "Lead agency",
    "Owner email",
    "Partner agencies",
    "Other partners",
    "Task and Finish group",
    "SARA stage",
    "Scanning",
    "Analysis",
    "Response",
    "Assessment",
    "Evidence of local need",
    "Commissioned provider",
    "SLA",
    "PCC grant budget",
    "Council budget",
    "Other budget",
]
TEMPLATE_MEASURE_COLUMNS = [
    "Action reference",
    "Measure",
    "Kind",
    "Unit",
    "Target",
    "Direction",
    "Adds up over the year",
]
TEMPLATE_MILESTONE_COLUMNS = ["Action reference", "Milestone", "Due date"]


def priority_code(priority: Any) -> str:
    for attr in ("code", "number", "reference"):
        value = getattr(priority, attr, None)
        if value not in (None, ""):
            return str(value)
    return ""


def priority_label(priority: Any) -> str:
    code = priority_code(priority)
    name = getattr(priority, "title", None) or getattr(priority, "name", None) or str(priority)
    return f"{code}. {name}" if code and not str(name).startswith(code) else str(name)


def priorities_text(action: TacticalAction) -> str:
    return "; ".join(priority_code(p) or str(p) for p in action.priorities.all())


def _money_float(value: Decimal) -> float:
    return float(value)


# OPCC monitoring return ------------------------------------------------------------------------------------

OPCC_COLUMNS = [
    "Ref",
    "Tactical action",
    "Priorities",
    "Lead agency",
    "Owner",
    *[f"{label} budget" for _s, label in SOURCES],
    *[f"{label} spend in quarter" for _s, label in SOURCES],
    *[f"{label} spend to date" for _s, label in SOURCES],
    "Total budget",
    "Total spend to date",
    "Remaining",
    "Over budget",
    "RAG",
    "Return status",
    "Progress",
    "Barriers",
    "Mitigations",
]


def opcc_rows(figures: PlanFigures) -> list[list[Any]]:
    rows = []
    for a in figures.actions:
        action = a.action
        rows.append(
            [
                action.reference,
                action.title,
                priorities_text(action),
                action.lead_agency.name,
                action.owner.full_name,
                *[_money_float(a.budget(s)) for s, _l in SOURCES],
                *[_money_float(a.spent_quarter(s)) for s, _l in SOURCES],
                *[_money_float(a.spent_to_date(s)) for s, _l in SOURCES],
                _money_float(a.budget()),
                _money_float(a.spent_to_date()),
                _money_float(a.remaining),
                "Yes" if a.over_budget else "No",
                a.rag_label,
                a.current.get_status_display() if a.current else "Not opened",
                a.current.progress if a.current else "",
                a.current.barriers if a.current else "",
                a.current.mitigations if a.current else "",
            ]
        )
    return rows


def opcc_return_xlsx(figures: PlanFigures, partnership_name: str) -> bytes:
    dp = figures.delivery_plan
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9E1F2", "border": 1})
    pounds = book.add_format({"num_format": "£#,##0.00"})
    pounds_bold = book.add_format({"num_format": "£#,##0.00", "bold": True, "top": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    rag_formats = {label: book.add_format({"bg_color": "#" + fill}) for label, fill in RAG_FILL.items()}
    over = book.add_format({"bg_color": "#FFC7CE", "bold": True})

    sheet = book.add_worksheet("Monitoring return")
    write_cell(sheet, 0, 0, f"{partnership_name}: OPCC quarterly monitoring return", title)
    write_cell(sheet, 1, 0, f"{dp.title} ({dp.financial_year}), Q{figures.quarter}")
    write_cell(
        sheet, 2, 0, f"Prepared {timezone.localdate():%-d %B %Y}. Spend to date adds quarters 1 to {figures.quarter}."
    )
    header_row = 4
    write_row(sheet, header_row, 0, OPCC_COLUMNS, head)
    money_cols = range(5, 5 + 3 * len(SOURCES) + 3)
    rag_col = OPCC_COLUMNS.index("RAG")
    over_col = OPCC_COLUMNS.index("Over budget")
    rows = opcc_rows(figures)
    for i, row in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(row):
            if c in money_cols:
                sheet.write_number(i, c, value, pounds)
            elif c == rag_col and figures.actions[i - header_row - 1].rag:
                write_cell(sheet, i, c, value, rag_formats[figures.actions[i - header_row - 1].rag])
            elif c == over_col and value == "Yes":
                write_cell(sheet, i, c, value, over)
            else:
                write_cell(sheet, i, c, value, wrap if c >= rag_col else None)
    total_row = header_row + len(rows) + 1
    write_cell(sheet, total_row, 0, "Total", bold)
    totals = [
        *[figures.budget(s) for s, _l in SOURCES],
        *[figures.spent_quarter(s) for s, _l in SOURCES],
        *[figures.spent_to_date(s) for s, _l in SOURCES],
        figures.budget(),
        figures.spent_to_date(),
        figures.remaining,
    ]
    for offset, value in enumerate(totals):
        sheet.write_number(total_row, 5 + offset, _money_float(value), pounds_bold)
    counts = figures.rag_counts()
    write_cell(
        sheet,
        total_row + 2,
        0,
        f"RAG: {counts['green']} Green, {counts['amber']} Amber, {counts['red']} Red, {counts['']} not reported. "
        "RAG is the chair's agreed status, or the owner's proposal (marked) until agreed.",
    )
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 4, 18)
    sheet.set_column(5, 5 + 3 * len(SOURCES) + 2, 13)
    sheet.set_column(rag_col - 1, rag_col + 1, 16)
    sheet.set_column(rag_col + 2, rag_col + 4, 50)
    sheet.freeze_panes(header_row + 1, 2)

    lines = book.add_worksheet("Spend by budget line")
    write_row(
        lines,
        0,
        0,
        ["Ref", "Funding source", "Description", "Budget", "Q1", "Q2", "Q3", "Q4", "Spend to date", "Remaining"],
        head,
    )
    r = 1
    for a in figures.actions:
        for lf in a.lines:
            write_cell(lines, r, 0, a.action.reference)
            write_cell(lines, r, 1, lf.line.get_source_display())
            write_cell(lines, r, 2, lf.line.description)
            lines.write_number(r, 3, _money_float(lf.line.amount), pounds)
            for q in (1, 2, 3, 4):
                if q <= figures.quarter and q in lf.by_quarter:
                    lines.write_number(r, 3 + q, _money_float(lf.by_quarter[q]), pounds)
            lines.write_number(r, 8, _money_float(lf.to_date), pounds)
            lines.write_number(r, 9, _money_float(lf.remaining), pounds)
            r += 1
    lines.set_column(0, 2, 16)
    lines.set_column(3, 9, 13)

    measures = book.add_worksheet("Performance measures")
    write_row(
        measures,
        0,
        0,
        ["Ref", "Measure", "Kind", "Target (year)", "Expected to date", "Actual to date", "Status", "Latest words"],
        head,
    )
    r = 1
    for a in figures.actions:
        for m in a.measures:
            write_cell(measures, r, 0, a.action.reference)
            write_cell(measures, r, 1, m.measure.title)
            write_cell(measures, r, 2, m.measure.get_kind_display().split(" (")[0])
            for c, value in ((3, m.measure.target), (4, m.expected), (5, m.actual)):
                if value is not None:
                    measures.write_number(r, c, float(value))
            write_cell(measures, r, 6, m.status_label)
            write_cell(measures, r, 7, m.latest_text, wrap)
            r += 1
    measures.set_column(1, 1, 45)
    measures.set_column(7, 7, 50)
    book.close()
    return buffer.getvalue()


# Word and PDF helpers ---------------------------------------------------------------------------------------


def _docx() -> Any:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    return document


def _docx_table(document: Any, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Any:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.add_paragraph()
    return table


def _docx_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def measure_rows(measures: Sequence[MeasureFigures]) -> list[list[str]]:
    return [
        [
            m.measure.title,
            number(m.measure.target)
            + (f" {m.measure.unit}" if m.measure.unit and m.measure.target is not None else ""),
            number(m.expected),
            number(m.actual) if m.measure.is_quantitative else (m.latest_text or "No words yet"),
            m.status_label,
        ]
        for m in measures
    ]


MEASURE_HEADER = ["Measure", "Target (year)", "Expected to date", "Actual to date", "Status"]


# Exception report ------------------------------------------------------------------------------------------


def exception_context(figures: PlanFigures, partnership_name: str) -> dict[str, Any]:
    return {
        "figures": figures,
        "dp": figures.delivery_plan,
        "partnership_name": partnership_name,
        "exceptions": figures.exceptions,
        "counts": figures.rag_counts(),
        "today": timezone.localdate(),
        "money": money,
        "number": number,
        "measure_rows": measure_rows,
        "measure_header": MEASURE_HEADER,
    }


def exception_report_pdf(figures: PlanFigures, partnership_name: str) -> bytes:
    return _pdf("delivery/documents/exception_report.html", exception_context(figures, partnership_name))


def _exception_intro(figures: PlanFigures) -> str:
    counts = figures.rag_counts()
    return (
        f"{len(figures.actions)} tactical actions: {counts['green']} Green, {counts['amber']} Amber, "
        f"{counts['red']} Red, {counts['']} not reported. This report lists only the actions that are Amber or Red "
        f"or have a measure off track ({len(figures.exceptions)}), with their barriers and mitigations."
    )


def exception_report_docx(figures: PlanFigures, partnership_name: str) -> bytes:
    dp = figures.delivery_plan
    document = _docx()
    document.add_heading(f"Exception report: {dp.title}, Q{figures.quarter}", 0)
    document.add_paragraph(
        f"{partnership_name}, for the Senior Leadership Group. Prepared {timezone.localdate():%-d %B %Y}."
    )
    document.add_paragraph(_exception_intro(figures))
    if not figures.exceptions:
        document.add_paragraph("Every action is Green and every measure is on track: there are no exceptions.")
    for a in figures.exceptions:
        _docx_exception(document, a)
    return _docx_bytes(document)


def _docx_exception(document: Any, a: ActionFigures) -> None:
    action, ret = a.action, a.current
    document.add_heading(f"{action.reference} {action.title}", 1)
    rows = [
        ["RAG", a.rag_label],
        ["Owner", f"{action.owner.full_name} ({action.lead_agency.name})"],
        ["Reason for the RAG", ret.rag_reason if ret else ""],
        ["Barriers", ret.barriers if ret else ""],
        ["Mitigations", ret.mitigations if ret else ""],
        ["Chair's comment", ret.chair_comment if ret else ""],
        [
            "Budget and spend to date",
            f"{money(a.budget())} budget, {money(a.spent_to_date())} spent"
            + (" (over budget)" if a.over_budget else ""),
        ],
    ]
    _docx_table(document, ["", ""], rows)
    if a.off_track_measures:
        document.add_paragraph("Measures off track")
        _docx_table(document, MEASURE_HEADER, measure_rows(a.off_track_measures))


# Board pack ------------------------------------------------------------------------------------------------


def first_priority(groups: list[tuple[Any, list[ActionFigures]]]) -> dict[int, Any]:
    """Where each action's measures are shown: under the first of its priorities (once, so each chart is drawn once)."""
    first: dict[int, Any] = {}
    for priority, actions in groups:
        for a in actions:
            first.setdefault(a.action.pk, priority)
    return first


def by_priority(figures: PlanFigures) -> list[tuple[Any, list[ActionFigures]]]:
    """Each priority of the strategic plan with its actions (an action under several priorities shows under each)."""
    from safer.delivery.services import priorities_of

    groups = []
    for priority in priorities_of(figures.delivery_plan.plan):
        actions = [a for a in figures.actions if any(p.pk == priority.pk for p in a.action.priorities.all())]
        groups.append((priority, actions))
    return groups


def measure_chart(m: MeasureFigures, dp: DeliveryPlan) -> str:
    from safer.intelligence.charts import line_chart

    if not m.measure.is_quantitative or m.measure.target is None:
        return ""
    year = dp.first_year
    starts = [date(year, 4, 1), date(year, 7, 1), date(year, 10, 1), date(year + 1, 1, 1)]
    series = m.cumulative_series()
    actual = [(starts[q - 1], float(v) if v is not None else None) for q, v, _e in series]
    trajectory = [(starts[q - 1], float(e) if e is not None else None) for q, _v, e in series]
    return line_chart(
        f"{m.measure.title}: actual to date and trajectory, Q1 to Q4 {dp.financial_year}",
        [("Actual", actual), ("Trajectory", trajectory)],
    )


@dataclass
class StrategicMeasure:
    """A measure of the strategic plan under a priority, as the plans app rates it (figures from partners or data)."""

    name: str
    rag: str
    rating: str
    direction: str
    rows: list[list[str]]  # period, figure, trajectory, RAG
    chart: str


STRATEGIC_HEADER = ["Period", "Figure", "Trajectory", "RAG"]


def strategic_measures(priority: Any) -> list[StrategicMeasure]:
    """Every measure the plans app holds under the priority, with its figures, trajectory and rating."""
    from safer.intelligence.charts import line_chart
    from safer.plans.models import Measure
    from safer.plans.selectors import measure_status

    out = []
    for measure in Measure.objects.filter(priority=priority).order_by("order", "pk"):
        status = measure_status(measure)
        rows = [
            [f.label, status.fmt(f.value), status.fmt(f.expected) if f.expected is not None else "", f.rating.label]
            for f in status.figures
        ]
        points = [f for f in status.figures if f.value is not None]
        chart = ""
        if len(points) >= 2:
            chart = line_chart(
                f"{measure.name}: figures and trajectory",
                [
                    ("Figure", [(f.start, f.value) for f in status.figures]),
                    ("Trajectory", [(f.start, f.expected) for f in status.figures]),
                ],
            )
        out.append(
            StrategicMeasure(
                name=measure.name,
                rag=status.rating.rag,
                rating=status.rating.label,
                direction=status.direction,
                rows=rows,
                chart=chart,
            )
        )
    return out


def board_context(figures: PlanFigures, partnership_name: str) -> dict[str, Any]:
    groups = by_priority(figures)
    return {
        **exception_context(figures, partnership_name),
        "strategic": {priority.pk: strategic_measures(priority) for priority, _actions in groups},
        "strategic_header": STRATEGIC_HEADER,
        "groups": groups,
        "first": first_priority(groups),
        "chart": lambda m: measure_chart(m, figures.delivery_plan),
        "priority_label": priority_label,
        "sources": SOURCES,
    }


def board_pack_pdf(figures: PlanFigures, partnership_name: str) -> bytes:
    return _pdf("delivery/documents/board_pack.html", board_context(figures, partnership_name))


def board_pack_docx(figures: PlanFigures, partnership_name: str) -> bytes:
    dp = figures.delivery_plan
    document = _docx()
    document.add_heading(f"Board pack: {dp.title}, Q{figures.quarter}", 0)
    document.add_paragraph(f"{partnership_name}. Prepared {timezone.localdate():%-d %B %Y}.")
    document.add_paragraph(_exception_intro(figures).split(" This report")[0] + ".")
    document.add_paragraph(
        f"Budget {money(figures.budget())}; spent to date {money(figures.spent_to_date())}; "
        f"remaining {money(figures.remaining)}."
    )
    _docx_table(
        document,
        ["Funding source", "Budget", f"Spent in Q{figures.quarter}", "Spent to date"],
        [
            [label, money(figures.budget(s)), money(figures.spent_quarter(s)), money(figures.spent_to_date(s))]
            for s, label in SOURCES
        ]
        + [["Total", money(figures.budget()), money(figures.spent_quarter()), money(figures.spent_to_date())]],
    )
    groups = by_priority(figures)
    first = first_priority(groups)
    for priority, actions in groups:
        document.add_heading(priority_label(priority), 1)
        for sm in strategic_measures(priority):
            document.add_paragraph(f"Strategic measure: {sm.name}. {sm.rating}; direction of travel: {sm.direction}.")
            if sm.rows:
                _docx_table(document, STRATEGIC_HEADER, sm.rows)
        if not actions:
            document.add_paragraph("No tactical action under this priority.")
            continue
        _docx_table(
            document,
            ["Ref", "Action", "Owner", "RAG", "Budget", "Spent to date"],
            [
                [
                    a.action.reference,
                    a.action.title,
                    a.action.owner.full_name,
                    a.rag_label,
                    money(a.budget()),
                    money(a.spent_to_date()),
                ]
                for a in actions
            ],
        )
        for a in actions:
            if first[a.action.pk] != priority:
                document.add_paragraph(f"{a.action.reference} measures: under {priority_label(first[a.action.pk])}.")
                continue
            if not a.measures:
                continue
            document.add_heading(f"{a.action.reference} measures", 2)
            _docx_table(document, MEASURE_HEADER, measure_rows(a.measures))
            for m in a.measures:
                if m.measure.is_quantitative and m.measure.target is not None:
                    document.add_paragraph(f"{m.measure.title}: by quarter (the chart in the PDF)")
                    _docx_table(
                        document,
                        ["Quarter", "Actual to date", "Trajectory"],
                        [[f"Q{q}", number(v) if v is not None else "", number(e)] for q, v, e in m.cumulative_series()],
                    )
    return _docx_bytes(document)


# The delivery plan itself ----------------------------------------------------------------------------------


def action_template_row(action: TacticalAction) -> list[Any]:
    budgets = {s: Decimal("0") for s, _l in SOURCES}
    for line in action.budget_lines.all():
        budgets[line.source] += line.amount
    return [
        action.reference,
        action.title,
        priorities_text(action),
        ", ".join(t.name for t in action.pillars.all()),
        action.lead_agency.name,
        action.owner.email,
        "; ".join(a.name for a in action.partner_agencies.all()),
        action.other_partners,
        action.task_group.name if action.task_group else "",
        action.get_sara_stage_display(),
        action.scanning,
        action.analysis,
        action.response,
        action.assessment,
        action.local_need,
        action.provider,
        action.sla,
        *[float(budgets[s]) for s, _l in SOURCES],
    ]


def plan_workbook(actions: Sequence[TacticalAction], title: str, notes: Sequence[str] = ()) -> bytes:
    """The import template's layout; with no actions it is the empty template."""
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    head = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#D9E1F2", "border": 1})
    sheet = book.add_worksheet("Actions")
    write_row(sheet, 0, 0, TEMPLATE_ACTION_COLUMNS, head)
    for r, action in enumerate(actions, start=1):
        write_row(sheet, r, 0, action_template_row(action))
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, len(TEMPLATE_ACTION_COLUMNS), 18)
    ms = book.add_worksheet("Measures")
    write_row(ms, 0, 0, TEMPLATE_MEASURE_COLUMNS, head)
    r = 1
    for action in actions:
        for m in action.measures.all():
            write_row(
                ms,
                r,
                0,
                [
                    action.reference,
                    m.title,
                    "Quantitative" if m.is_quantitative else "Qualitative",
                    m.unit,
                    float(m.target) if m.target is not None else "",
                    "Higher is better" if m.direction == "up" else "Lower is better",
                    "Yes" if m.accumulation == "sum" else "No",
                ],
            )
            r += 1
    ms.set_column(1, 1, 50)
    mi = book.add_worksheet("Milestones")
    write_row(mi, 0, 0, TEMPLATE_MILESTONE_COLUMNS, head)
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    r = 1
    for action in actions:
        for milestone in action.milestones.all():
            write_cell(mi, r, 0, action.reference)
            write_cell(mi, r, 1, milestone.title)
            mi.write_datetime(
                r,
                2,
                datetime.combine(milestone.due_on, time()),
                date_format,
            )
            r += 1
    mi.set_column(1, 1, 50)
    mi.set_column(2, 2, 12)
    help_sheet = book.add_worksheet("How to fill this in")
    lines = [
        title,
        "One row per tactical action on the Actions sheet; measures and milestones on their sheets, "
        "by action reference.",
        "Priorities: the priority numbers or letters of the strategic plan (like 1 or 4; several separated by ;).",
        "Lead agency and Partner agencies: agency names as the partnership has them (several separated by ;).",
        "Owner email: the e-mail address the owner signs in with; they must work in the partnership.",
        "SARA stage: Scanning, Analysis, Response or Assessment. Budgets: pounds, like 1250 or 1,250.50 (blank is 0).",
        "Measure kind: Quantitative or Qualitative. Target: a number (blank for qualitative measures).",
        "Direction: Higher is better or Lower is better. Adds up over the year: Yes (a count) or No (a level).",
        "Due date: a date, like 30/06/2024.",
        "Every row is checked before anything is saved: if one row has a problem, nothing is imported and each",
        "problem is listed with its sheet, row and column.",
        *notes,
    ]
    for i, line in enumerate(lines):
        write_cell(help_sheet, i, 0, line)
    help_sheet.set_column(0, 0, 110)
    book.close()
    return buffer.getvalue()


def plan_docx(delivery_plan: DeliveryPlan, actions: Sequence[TacticalAction], partnership_name: str) -> bytes:
    document = _docx()
    document.add_heading(delivery_plan.title, 0)
    document.add_paragraph(
        f"{partnership_name}: Delivery Plan {delivery_plan.financial_year}, version {delivery_plan.version} "
        f"({delivery_plan.get_status_display().lower()}), under {delivery_plan.plan}."
    )
    for action in actions:
        document.add_heading(f"{action.reference} {action.title}", 1)
        budgets = {label: Decimal("0") for _s, label in SOURCES}
        for line in action.budget_lines.all():
            budgets[line.get_source_display()] += line.amount
        rows = [
            ["Priorities", "; ".join(priority_label(p) for p in action.priorities.all())],
            ["Pillars and themes", ", ".join(t.name for t in action.pillars.all())],
            ["Lead agency and owner", f"{action.lead_agency.name}: {action.owner.full_name}"],
            [
                "Partners",
                "; ".join(
                    [a.name for a in action.partner_agencies.all()]
                    + ([action.other_partners] if action.other_partners else [])
                ),
            ],
            ["Task and Finish group", action.task_group.name if action.task_group else ""],
            ["SARA stage", action.get_sara_stage_display()],
            ["Scanning", action.scanning],
            ["Analysis", action.analysis],
            ["Response", action.response],
            ["Assessment", action.assessment],
            ["Evidence of local need", action.local_need],
            ["Commissioned provider and SLA", f"{action.provider}: {action.sla}" if action.provider else ""],
            ["Budget", "; ".join(f"{label} {money(v)}" for label, v in budgets.items() if v) or "None"],
        ]
        _docx_table(document, ["", ""], rows)
        measures = list(action.measures.all())
        if measures:
            _docx_table(
                document,
                ["Performance measure", "Kind", "Target"],
                [
                    [
                        m.title,
                        "Quantitative" if m.is_quantitative else "Qualitative",
                        number(m.target) + (f" {m.unit}" if m.unit else ""),
                    ]
                    for m in measures
                ],
            )
        milestones = list(action.milestones.all())
        if milestones:
            _docx_table(
                document,
                ["Milestone", "Due", "Done"],
                [[ms.title, f"{ms.due_on:%-d %B %Y}", "Yes" if ms.done else "No"] for ms in milestones],
            )
    return _docx_bytes(document)
