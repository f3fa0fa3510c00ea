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
