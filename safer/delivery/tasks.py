"""Background work: each document is built by a job (progress bar, cancel), then downloaded through
``delivery:download``, which checks the person may still see the delivery plan. The Excel import is a job too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.tasks import task

from safer.core.jobs import Progress, export_dir, run_job
from safer.core.models import Job
from safer.delivery import documents, importer, services
from safer.delivery.figures import plan_figures
from safer.delivery.models import DeliveryImport, DeliveryPlan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class DocumentKind:
    slug: str
    title: str
    suffix: str
    needs_quarter: bool


DOCUMENTS = {
    k.slug: k
    for k in (
        DocumentKind("opcc-return", "OPCC monitoring return (Excel)", ".xlsx", True),
        DocumentKind("exception-docx", "Exception report (Word)", ".docx", True),
        DocumentKind("exception-pdf", "Exception report (PDF)", ".pdf", True),
        DocumentKind("board-pdf", "Board pack (PDF)", ".pdf", True),
        DocumentKind("board-docx", "Board pack (Word)", ".docx", True),
        DocumentKind("plan-xlsx", "Delivery plan (Excel)", ".xlsx", False),
        DocumentKind("plan-docx", "Delivery plan (Word)", ".docx", False),
    )
}


def _build(job: Job, progress: Progress) -> str:
    kind = DOCUMENTS[job.parameters["document"]]
    dp = DeliveryPlan.objects.select_related("partnership", "plan").get(
        pk=job.parameters["delivery_plan"], partnership=job.partnership
    )
    quarter = int(job.parameters.get("quarter") or 1)
    name = dp.partnership.name
    actions = list(
        dp.actions.select_related("lead_agency", "owner").prefetch_related(
            "priorities", "partner_agencies", "budget_lines", "measures", "milestones"
        )
    )
    actions.sort(key=lambda a: a.sort_key)
    progress.set_total(len(actions) + 1)
    figures = plan_figures(dp, quarter, actions) if kind.needs_quarter else None
    progress.advance(len(actions), message="Figures gathered")
    builders = {
        "opcc-return": lambda: documents.opcc_return_xlsx(figures, name),  # type: ignore[arg-type]
        "exception-docx": lambda: documents.exception_report_docx(figures, name),  # type: ignore[arg-type]
        "exception-pdf": lambda: documents.exception_report_pdf(figures, name),  # type: ignore[arg-type]
        "board-pdf": lambda: documents.board_pack_pdf(figures, name),  # type: ignore[arg-type]
        "board-docx": lambda: documents.board_pack_docx(figures, name),  # type: ignore[arg-type]
        "plan-xlsx": lambda: documents.plan_workbook(
            actions, f"{dp.title} ({dp.financial_year}), version {dp.version}"
        ),
        "plan-docx": lambda: documents.plan_docx(dp, actions, name),
    }
    content = builders[kind.slug]()
    target = export_dir() / f"delivery-{job.pk}{kind.suffix}"
    partial = target.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(target)
    stem = f"{kind.slug}-{dp.partnership.slug}-{dp.financial_year}" + (f"-q{quarter}" if kind.needs_quarter else "")
    Job.objects.filter(pk=job.pk).update(result_file=target.name, result_name=stem + kind.suffix)
    progress.advance(1)
    if figures is not None and kind.slug.startswith("exception"):
        return f"{kind.title} ready: {len(figures.exceptions)} of {len(figures.actions)} actions need attention"
    return f"{kind.title} ready: {len(actions)} actions"


@task()
def build_document(job_id: str) -> None:
    run_job(job_id, _build)


def _import(job: Job, progress: Progress) -> str:
    record = DeliveryImport.objects.select_related("plan", "created_by", "partnership").get(job=job)
    path = importer_dir() / Path(record.stored_file).name
    content = path.read_bytes()
    progress.set_total(importer.count_rows(content))
    parsed = importer.parse(content, record.partnership, record.plan, advance=lambda n: progress.advance(n))
    problems = parsed.problems
    if not problems:
        try:
            with transaction.atomic():
                dp = importer.write(
                    parsed,
                    partnership=record.partnership,
                    plan=record.plan,
                    financial_year=record.financial_year,
                    title="",
                    actor=record.created_by,
                )
        except importer.ImportRefusedError as exc:
            problems = exc.problems
        except services.InputError as exc:
            problems = [importer.ImportProblem("", 0, field, message) for field, message in exc.errors.items()]
        else:
            DeliveryImport.objects.filter(pk=record.pk).update(delivery_plan=dp, errors=[])
            path.unlink(missing_ok=True)
            return (
                f"Imported {len(parsed.actions)} actions, {len(parsed.measures)} measures and "
                f"{len(parsed.milestones)} milestones into {dp.title}"
            )
    DeliveryImport.objects.filter(pk=record.pk).update(errors=[p.as_dict() for p in problems])
    path.unlink(missing_ok=True)
    progress.errors = len(problems)
    plural = "s" if len(problems) != 1 else ""
    return f"Nothing was imported: the file has {len(problems)} problem{plural} (listed on the import page)"


def importer_dir() -> Path:
    path = export_dir().parent / "delivery-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@task()
def import_plan(job_id: str) -> None:
    run_job(job_id, _import)


def tidy_interrupted_import(job: Job) -> None:
    """An import whose process was killed: nothing was written (one transaction); its workbook goes."""
    for record in DeliveryImport.objects.filter(job=job):
        (importer_dir() / Path(record.stored_file).name).unlink(missing_ok=True)
