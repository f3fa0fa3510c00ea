"""The case-task API: the token owner's own open tasks on cases they can see, marking one done, 404 for anyone
else's, 409 when already done; every call logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from safer.core.models import AccessEvent
from safer.core.services import create_api_token
from safer.interventions import services
from safer.interventions.models import CaseTask
from safer.interventions.tests.helpers import make_case

pytestmark = [pytest.mark.django_db, pytest.mark.urls("safer.interventions.tests.api_urls")]


def token(user):
    return create_api_token(user=user, name="Script")[1]


def call(client, path, secret, method="get"):
    return getattr(client, method)(path, headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def task(partnership, council, caseworker_a):
    case, _, _ = make_case(partnership, council, caseworker_a)
    return services.create_task(
        case=case, title="Ring back", owner=caseworker_a, due_at=timezone.now() + timedelta(hours=2), actor=caseworker_a
    )


def test_my_tasks_lists_only_my_own_and_logs_the_view(client, task, caseworker_a, caseworker_b):
    mine = token(caseworker_a)
    before = AccessEvent.objects.count()
    response = call(client, "/api/tasks/mine", mine)
    assert response.status_code == 200
    [row] = response.json()
    assert (row["id"], row["title"], row["case_reference"], row["overdue"], row["source"]) == (
        task.pk,
        "Ring back",
        task.case.reference,
        False,
        "manual",
    )
    assert AccessEvent.objects.count() == before + 1
    assert call(client, "/api/tasks/mine", token(caseworker_b)).json() == []
    assert call(client, "/api/tasks/mine", "sc_wrong").status_code == 401


def test_complete_my_task_once_and_never_someone_elses(client, task, caseworker_a, caseworker_b, outsider):
    for stranger in (caseworker_b, outsider):
        response = call(client, f"/api/tasks/{task.pk}/done", token(stranger), "post")
        assert response.status_code == 404 and "Ring back" not in response.content.decode()
    assert CaseTask.objects.get().done_at is None
    mine = token(caseworker_a)
    response = call(client, f"/api/tasks/{task.pk}/done", mine, "post")
    assert response.status_code == 200 and response.json()["done_at"] is not None
    response = call(client, f"/api/tasks/{task.pk}/done", mine, "post")
    assert (response.status_code, response.json()) == (409, {"detail": "That task is already done"})
    assert call(client, "/api/tasks/0/done", mine, "post").status_code == 422
    assert call(client, "/api/tasks/mine", mine).json() == []


def test_the_task_api_follows_the_projects_api_rules():
    from safer.api.tests.test_rules import lax_inputs_of
    from safer.interventions.tests.api_urls import test_api

    assert lax_inputs_of(test_api) == []
    schema = test_api.get_openapi_schema()
    done = schema["paths"]["/api/tasks/{task_id}/done"]["post"]["responses"]
    assert set(done) == {200, 400, 401, 404, 409, 422}
    assert set(schema["paths"]["/api/tasks/mine"]["get"]["responses"]) == {200, 401}
