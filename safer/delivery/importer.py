"""Import an existing Delivery Plan from Excel (the layout of the template the pages offer).

Every row of every sheet is checked first; one problem anywhere and nothing is saved, and each problem is listed
with its sheet, row and column ("Actions row 4, Owner email: …"). Only a clean file is written, in one transaction.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from safer.core.models import Agency, Partnership, User
from safer.core.services import ServiceError
from safer.core.spreadsheets import restore
from safer.delivery import services
from safer.delivery.documents import (
    TEMPLATE_ACTION_COLUMNS,
    TEMPLATE_MEASURE_COLUMNS,
    TEMPLATE_MILESTONE_COLUMNS,
    priority_code,
)
from safer.delivery.models import (
    Accumulation,
    DeliveryPlan,
    Direction,
    FundingSource,
    MeasureKind,
    Milestone,
    PerformanceMeasure,
    SaraStage,
)
from safer.plans.models import Plan

MAX_ROWS = 2000


@dataclass
class ImportProblem:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Parsed:
    actions: list[tuple[int, services.ActionInput]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restore(str(value)).strip()  # as typed: without the quote our own export put before a formula


def _split(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", _text(value)) if part.strip()]


def _sheet_rows(
    book: Any, name: str, columns: list[str], problems: list[ImportProblem]
) -> list[tuple[int, dict[str, Any]]]:
    if name not in book.sheetnames:
        if name == "Actions":
            problems.append(ImportProblem(name, 0, "", "The file has no sheet called Actions. Use the template"))
        return []
    sheet = book[name]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(
            ImportProblem(
                name,
                1,
                ", ".join(missing),
                f"These columns are missing from the {name} sheet: {', '.join(missing)}. Use the template",
            )
        )
        return []
    index = {c: header.index(c) for c in columns}
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.append(ImportProblem(name, number, "", f"The {name} sheet has more than {MAX_ROWS} rows"))
            break
        if not any(_text(v) for v in values):
            continue
        out.append((number, {c: values[i] if i < len(values) else None for c, i in index.items()}))
    return out


def parse(content: bytes, partnership: Partnership, plan: Plan, advance: Callable[[int], None] | None = None) -> Parsed:
    from openpyxl import load_workbook

    parsed = Parsed()
    problems = parsed.problems
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        problems.append(
            ImportProblem("", 0, "", "This is not an Excel workbook (.xlsx). Save it as .xlsx and try again")
        )
        return parsed
    action_rows = _sheet_rows(book, "Actions", TEMPLATE_ACTION_COLUMNS, problems)
    measure_rows = _sheet_rows(book, "Measures", TEMPLATE_MEASURE_COLUMNS, problems)
    milestone_rows = _sheet_rows(book, "Milestones", TEMPLATE_MILESTONE_COLUMNS, problems)
    if problems:
        return parsed
    if not action_rows:
        problems.append(ImportProblem("Actions", 2, "", "The Actions sheet has no actions"))
        return parsed

    priorities = list(services.priorities_of(plan))
    by_code: dict[str, int] = {}
    for p in priorities:
        code = priority_code(p).lower()
        if code:
            by_code[code] = p.pk
        by_code[str(getattr(p, "title", "") or getattr(p, "name", "") or p).strip().lower()] = p.pk
    codes_hint = ", ".join(priority_code(p) or str(p) for p in priorities)
    agencies = {a.name.lower(): a.pk for a in Agency.objects.filter(partnership=partnership)}
    owners = {u.email.lower(): u.pk for u in services.owners_in(partnership)}
    tags = {t.name.lower(): t.pk for t in services.tags_of(plan)}
    tags_hint = ", ".join(t.name for t in services.tags_of(plan)) or "none defined"
    groups = {g.name.lower(): g.pk for g in services.groups_in(partnership)}
    stages = {label.lower(): value for value, label in SaraStage.choices} | {v: v for v in SaraStage.values}
    references: dict[str, int] = {}

    for number, row in action_rows:

        def problem(column: str, message: str, number: int = number) -> None:
            problems.append(ImportProblem("Actions", number, column, message))

        reference = _text(row["Reference"])
        if not reference:
            problem("Reference", "Enter the action's reference, like 1.3")
        elif reference.lower() in references:
            problem(
                "Reference",
                f"Reference {reference} is also on row {references[reference.lower()]}: each action needs its own",
            )
        else:
            references[reference.lower()] = number
        if not _text(row["Title"]):
            problem("Title", "Enter the action's title")
        priority_ids = []
        wanted = _split(row["Priorities"]) or []
        if not wanted:
            problem("Priorities", f"Enter at least one priority of {plan}: {codes_hint}")
        for item in wanted:
            found = by_code.get(item.lower().rstrip("."))
            if found is None:
                problem("Priorities", f"“{item}” is not a priority of {plan}. Use one of: {codes_hint}")
            else:
                priority_ids.append(found)
        lead = agencies.get(_text(row["Lead agency"]).lower())
        if lead is None:
            problem(
                "Lead agency",
                f"“{_text(row['Lead agency'])}” is not an agency of {partnership.name}. "
                "Use an agency's name as on the People page",
            )
        owner = owners.get(_text(row["Owner email"]).lower())
        if owner is None:
            problem(
                "Owner email",
                f"“{_text(row['Owner email'])}” is not someone who works in {partnership.name}. "
                "Enter the e-mail address they sign in with",
            )
        partner_ids = []
        for name in _split(row["Partner agencies"]):
            if name.lower() in agencies:
                partner_ids.append(agencies[name.lower()])
            else:
                problem(
                    "Partner agencies",
                    f"“{name}” is not an agency of {partnership.name}. "
                    "Put partners outside the system in Other partners",
                )
        pillar_ids = []
        for name in [p.strip() for p in re.split(r"[,;]", _text(row["Pillars"])) if p.strip()]:
            if name.lower() in tags:
                pillar_ids.append(tags[name.lower()])
            else:
                problem("Pillars", f"“{name}” is not a pillar or theme of {plan}. Use: {tags_hint}")
        group_id = None
        group_name = _text(row["Task and Finish group"])
        if group_name:
            group_id = groups.get(group_name.lower())
            if group_id is None:
                problem(
                    "Task and Finish group",
                    f"“{group_name}” is not a group of {partnership.name}. "
                    "Add the group to the strategic plan first, or leave it blank",
                )
        stage_text = _text(row["SARA stage"]).lower() or "scanning"
        stage = stages.get(stage_text)
        if stage is None:
            problem(
                "SARA stage",
                f"“{_text(row['SARA stage'])}” is not a SARA stage. Use Scanning, Analysis, Response or Assessment",
            )
        budgets: dict[str, object] = {}
        for source, column in zip(
            FundingSource.values, ("PCC grant budget", "Council budget", "Other budget"), strict=True
        ):
            raw = row[column]
            try:
                budgets[source] = services.parse_money(raw, column)
            except ServiceError as exc:
                problem(column, f"“{_text(raw)}” is not an amount. {exc}")
        parsed.actions.append(
            (
                number,
                services.ActionInput(
                    reference=reference,
                    title=_text(row["Title"]),
                    priority_ids=priority_ids,
                    lead_agency_id=lead,
                    owner_id=owner,
                    pillar_ids=pillar_ids,
                    partner_agency_ids=partner_ids,
                    other_partners=_text(row["Other partners"]),
                    task_group_id=group_id,
                    sara_stage=stage or "scanning",
                    scanning=_text(row["Scanning"]),
                    analysis=_text(row["Analysis"]),
                    response=_text(row["Response"]),
                    assessment=_text(row["Assessment"]),
                    local_need=_text(row["Evidence of local need"]),
                    provider=_text(row["Commissioned provider"]),
                    sla=_text(row["SLA"]),
                    budgets=budgets,
                ),
            )
        )
        if advance:
            advance(1)

    for number, row in measure_rows:

        def mproblem(column: str, message: str, number: int = number) -> None:
            problems.append(ImportProblem("Measures", number, column, message))

        ref = _text(row["Action reference"])
        if ref.lower() not in references:
            mproblem("Action reference", f"“{ref}” is not the reference of an action on the Actions sheet")
        title = _text(row["Measure"])
        if not title:
            mproblem("Measure", "Enter what the measure counts or describes")
        kind_text = _text(row["Kind"]).lower() or "quantitative"
        kind = (
            MeasureKind.QUANTITATIVE
            if kind_text.startswith("quant")
            else MeasureKind.QUALITATIVE
            if kind_text.startswith("qual")
            else None
        )
        if kind is None:
            mproblem("Kind", f"“{_text(row['Kind'])}” is not a kind of measure. Use Quantitative or Qualitative")
        target = None
        try:
            target = services.parse_number(row["Target"], "the target")
        except ServiceError:
            mproblem("Target", f"“{_text(row['Target'])}” is not a number. Enter the target as a number, like 12")
        direction_text = _text(row["Direction"]).lower()
        direction = Direction.DOWN if direction_text.startswith("lower") else Direction.UP
        if direction_text and not direction_text.startswith(("lower", "higher")):
            mproblem("Direction", "Use Higher is better or Lower is better")
        adds = _text(row["Adds up over the year"]).lower()
        if adds and adds not in ("yes", "no"):
            mproblem("Adds up over the year", "Use Yes (a count) or No (a level, like a percentage)")
        parsed.measures.append(
            {
                "reference": ref.lower(),
                "title": title,
                "kind": kind or MeasureKind.QUANTITATIVE,
                "unit": _text(row["Unit"]),
                "target": target,
                "direction": direction,
                "accumulation": Accumulation.LATEST if adds == "no" else Accumulation.SUM,
            }
        )
        if advance:
            advance(1)

    for number, row in milestone_rows:
        ref = _text(row["Action reference"])
        if ref.lower() not in references:
            problems.append(
                ImportProblem(
                    "Milestones",
                    number,
                    "Action reference",
                    f"“{ref}” is not the reference of an action on the Actions sheet",
                )
            )
        due = _date(row["Due date"])
        if due is None:
            problems.append(
                ImportProblem(
                    "Milestones",
                    number,
                    "Due date",
                    f"“{_text(row['Due date'])}” is not a date. Enter it like 30/06/2024",
                )
            )
        if not _text(row["Milestone"]):
            problems.append(ImportProblem("Milestones", number, "Milestone", "Enter the milestone"))
        parsed.milestones.append({"reference": ref.lower(), "title": _text(row["Milestone"]), "due_on": due})
        if advance:
            advance(1)
    return parsed


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    return None


def count_rows(content: bytes) -> int | None:
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return sum(
            max(0, (book[name].max_row or 1) - 1)
            for name in ("Actions", "Measures", "Milestones")
            if name in book.sheetnames
        )
    except Exception:
        return None


@transaction.atomic
def write(
    parsed: Parsed, *, partnership: Partnership, plan: Plan, financial_year: str, title: str, actor: User
) -> DeliveryPlan:
    """All or nothing: the delivery plan and every action, measure and milestone, or (on any error) none."""
    dp = services.create_delivery_plan(
        partnership=partnership, plan=plan, financial_year=financial_year, title=title, actor=actor
    )
    by_reference = {}
    for number, data in parsed.actions:
        try:
            action = services.save_action(delivery_plan=dp, data=data, actor=actor)
        except services.InputError as exc:
            raise ImportRefusedError(
                [ImportProblem("Actions", number, column, message) for column, message in exc.errors.items()]
            ) from None
        by_reference[action.reference.lower()] = action
    for m in parsed.measures:
        PerformanceMeasure.objects.create(
            action=by_reference[m["reference"]],
            title=m["title"],
            kind=m["kind"],
            unit=m["unit"],
            target=m["target"] if m["kind"] == MeasureKind.QUANTITATIVE else None,
            direction=m["direction"],
            accumulation=m["accumulation"],
        )
    for ms in parsed.milestones:
        Milestone.objects.create(action=by_reference[ms["reference"]], title=ms["title"], due_on=ms["due_on"])
    return dp


class ImportRefusedError(ServiceError):
    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def total_budget(parsed: Parsed) -> Decimal:
    return sum((Decimal(str(v)) for _n, a in parsed.actions for v in (a.budgets or {}).values()), Decimal("0"))
