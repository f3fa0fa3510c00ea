"""The case-task API (django-ninja): a person's open tasks, and marking one done.

Mount it in ``safer/api/api.py`` with ``api.add_router("/", "safer.interventions.api.router")``: the paths are
``GET /api/tasks/mine`` and ``POST /api/tasks/{task_id}/done``. Same services and scoping as the pages: only the
token owner's own tasks, on cases their agencies can still see; anything else is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError

from safer.api.schemas import AUTH_ERRORS, INPUT_ERRORS, QUERY_INT, ErrorOut
from safer.cases import selectors as case_selectors
from safer.core import selectors as core_selectors
from safer.core.audit import record_access
from safer.core.models import AccessAction, User
from safer.interventions import services
from safer.interventions.models import CaseTask, TaskSource

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    case_id: int
    case_reference: str
    title: str
    due_at: datetime
    overdue: bool
    source: TaskSource
    done_at: datetime | None


def _out(task: CaseTask) -> TaskOut:
    return TaskOut(
        id=task.pk,
        case_id=task.case_id,
        case_reference=task.case.reference,
        title=task.title,
        due_at=task.due_at,
        overdue=task.overdue,
        source=TaskSource(task.source),
        done_at=task.done_at,
    )


def _visible_open_tasks(user: User) -> list[CaseTask]:
    tasks: list[CaseTask] = []
    for partnership in core_selectors.partnerships_for(user):
        context = core_selectors.working_context(user, partnership.pk)
        if context is None or context.partnership.pk != partnership.pk:
            continue
        visible = case_selectors.visible_cases(context).values("pk")
        tasks += list(
            CaseTask.objects.filter(owner=user, partnership=partnership, done_at__isnull=True, case__in=visible)
            .select_related("case", "partnership")
            .order_by("due_at", "id")
        )
    return sorted(tasks, key=lambda t: (t.due_at, t.pk))


@router.get(
    "/tasks/mine",
    response={200: list[TaskOut], **AUTH_ERRORS},
    operation_id="list_my_tasks",
    summary="My open tasks",
    description="The token owner's open tasks, soonest due first, on cases their agencies can still see, in every "
    "partnership they work in. Each call writes one line to the access log.",
)
def my_tasks(request: HttpRequest) -> list[TaskOut]:
    user: User = request.auth  # type: ignore[attr-defined]
    tasks = _visible_open_tasks(user)
    record_access(
        action=AccessAction.VIEW,
        actor=user,
        partnership=tasks[0].partnership if tasks else core_selectors.partnerships_for(user).first(),
        object_type="work_list",
        object_id=user.pk,
        detail="my tasks (API)",
        request=request,
    )
    return [_out(t) for t in tasks]


@router.post(
    "/tasks/{task_id}/done",
    response={200: TaskOut, 404: ErrorOut, 409: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS},
    operation_id="complete_task",
    summary="Mark one of my tasks done",
    description="Only the token owner's own task, on a case their agencies can still see (404 otherwise). "
    "409 if it is already done.",
)
def complete(request: HttpRequest, task_id: Path[Annotated[int, Field(ge=1), QUERY_INT]]) -> TaskOut:
    user: User = request.auth  # type: ignore[attr-defined]
    task = CaseTask.objects.select_related("case", "partnership").filter(pk=task_id, owner=user).first()
    if task is None:
        raise Http404("No such task")
    context = core_selectors.working_context(user, task.partnership_id)
    if (
        context is None
        or context.partnership.pk != task.partnership_id
        or not case_selectors.visible_cases(context).filter(pk=task.case_id).exists()
    ):
        raise Http404("No such task")
    if task.done_at is not None:
        raise HttpError(409, "That task is already done")
    try:
        task = services.complete_task(task, actor=user, request=request)
    except services.InterventionsError as exc:
        raise HttpError(409, str(exc)) from exc
    return _out(task)
