"""The case page shows the case's risk band, interventions, tasks and documents, each linked to its page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safer.interventions.tests.helpers import make_case
from safer.interventions.tests.test_risk import HIGH_38, assess

pytestmark = pytest.mark.django_db


def test_the_case_page_links_to_risk_interventions_tasks_and_documents(
    client, sign_in, partnership, council, caseworker_a
):
    case, victim, perpetrator = make_case(partnership, council, caseworker_a)
    sign_in(client, caseworker_a)
    page = client.get(reverse("cases:case", args=[case.pk])).text
    for name in ("interventions:risk", "interventions:interventions", "interventions:tasks", "documents:case"):
        assert f'href="{reverse(name, args=[case.pk])}"' in page
    assert "not assessed yet" in page and "Tasks</a>: 0 open" in page

    from safer.interventions.tests.helpers import victim_instrument

    assess((case, victim, perpetrator, victim_instrument(partnership)), caseworker_a, HIGH_38)
    page = client.get(reverse("cases:case", args=[case.pk])).text
    assert "current band <strong>High</strong>" in page
    assert "Tasks</a>: 2 open" in page  # contact within 24 hours, and the 14-day review


def test_the_case_list_filters_by_risk_band_and_overdue_tasks(client, sign_in, partnership, council, caseworker_a):
    from datetime import timedelta

    from django.utils import timezone

    from safer.interventions.models import CaseTask
    from safer.interventions.tests.helpers import victim_instrument

    high, victim, perpetrator = make_case(partnership, council, caseworker_a)
    other, _, _ = make_case(partnership, council, caseworker_a)
    assess((high, victim, perpetrator, victim_instrument(partnership)), caseworker_a, HIGH_38)
    sign_in(client, caseworker_a)

    def listed(query):
        text = client.get(reverse("cases:list") + query).text
        return {c.reference for c in (high, other) if f">{c.reference}</a>" in text}

    assert listed("") == {high.reference, other.reference}
    assert listed("?band=high") == {high.reference}
    assert listed("?band=none") == {other.reference}
    assert listed("?band=medium") == set()
    assert listed("?overdue=on") == set()
    CaseTask.objects.filter(case=high).update(due_at=timezone.now() - timedelta(hours=1))
    assert listed("?overdue=on") == {high.reference}
    assert ">High</td>" in client.get(reverse("cases:list")).text
