"""Work waiting for a person is on their Home and My work, with a link: an action owner's quarterly return to submit,
the chair's returns to agree (issue 22 item 9: they reached them only by typed URL)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from safer.delivery import services
from safer.delivery.tests.conftest import submit

pytestmark = pytest.mark.django_db

YOUTH = "Quarterly return to submit: Q1, action 1.1 Commission diversionary youth activities in South Wigston"
KNIFE = "Quarterly return to submit: Q1, action 2.1 Knife crime awareness sessions in secondary schools"
TO_AGREE = "Quarterly return to agree: Q1, action 1.1 Commission diversionary youth activities in South Wigston"


def test_an_owner_finds_their_return_to_submit_on_home_and_my_work(
    client, sign_in, published, admin, caseworker_a, caseworker_b
):
    services.open_quarter(delivery_plan=published.dp, quarter=1, actor=admin)
    youth = published.youth.returns.get(quarter=1)
    sign_in(client, caseworker_a)
    for page in (reverse("core:home"), reverse("interventions:my-work")):
        text = client.get(page).text
        assert YOUTH in text and KNIFE not in text  # their own return only
        assert f'href="{reverse("delivery:submit-return", args=[youth.pk])}"' in text
    submit(youth)
    assert YOUTH not in client.get(reverse("core:home")).text
    assert "Nothing is waiting for you." in client.get(reverse("core:home")).text
    sign_in(client, caseworker_b)
    assert KNIFE in client.get(reverse("core:home")).text


def test_the_chair_finds_returns_to_agree_and_the_delivery_plan_in_the_menu(
    client, sign_in, published, admin, chair, caseworker_a
):
    services.open_quarter(delivery_plan=published.dp, quarter=1, actor=admin)
    youth = published.youth.returns.get(quarter=1)
    sign_in(client, chair)
    home = client.get(reverse("core:home")).text
    assert TO_AGREE not in home  # nothing submitted yet
    assert f'href="{reverse("delivery:home")}"' in home  # "Delivery plan" in the chair's menu
    submit(youth)
    home = client.get(reverse("core:home")).text
    assert TO_AGREE in home and f'href="{reverse("delivery:review-return", args=[youth.pk])}"' in home
    services.agree_return(quarterly_return=youth, agreed_rag="green", actor=chair)
    assert TO_AGREE not in client.get(reverse("core:home")).text


def test_nothing_of_another_partnerships_returns_is_waiting(client, sign_in, published, admin, outsider):
    services.open_quarter(delivery_plan=published.dp, quarter=1, actor=admin)
    submit(published.youth.returns.get(quarter=1))
    sign_in(client, outsider)
    home = client.get(reverse("core:home")).text
    assert "Quarterly return" not in home and "Nothing is waiting for you." in home


def test_agreed_returns_are_in_the_strategic_assessment_and_no_longer_missing_from_it(
    published, admin, chair, partnership
):
    from safer.intelligence import assessment

    build_part = assessment._PARTS["delivery"]  # registered by the delivery app's ready()
    services.open_quarter(delivery_plan=published.dp, quarter=1, actor=admin)
    youth = published.youth.returns.get(quarter=1)
    assert build_part(partnership, date(2024, 4, 1), date(2025, 3, 1)) is None  # nothing agreed yet
    submit(youth, proposed_rag="amber", rag_reason="Venue closed", barriers="Venue closure")
    services.agree_return(quarterly_return=youth, agreed_rag="amber", actor=chair)
    part = build_part(partnership, date(2024, 4, 1), date(2025, 3, 1))
    assert part is not None and part.title == "Delivery of the partnership plan"
    assert part.tables[0].rows == [[f"{published.dp.title} (2024-25), Q1", "1", "0", "1", "0"]]
