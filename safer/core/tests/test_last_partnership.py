"""Someone who works for two partnerships starts, at each sign-in, in the one they last chose (while they are still a
member of it), not in the first one by name."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safer.core.models import Membership, Role, RoleGrant, User
from safer.core.tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def pcso(council, other_council) -> User:
    """A PCSO on both partnerships: North West Leicestershire comes first by name."""
    user = make_member(council, Role.CASEWORKER, email="pcso@police.example", full_name="Paula PCSO")
    Membership.objects.create(user=user, agency=other_council)
    RoleGrant.objects.create(user=user, partnership=other_council.partnership, role=Role.CASEWORKER)
    return user


def working_in(client: Client) -> str:
    page = client.get(reverse("core:home"))
    assert page.status_code == 200
    caption = page.content.decode().split('<span class="govuk-caption-l">', 1)[1]
    return caption.split("</span>", 1)[0]


def test_the_next_sign_in_starts_in_the_partnership_last_chosen(pcso, sign_in, partnership):
    first = sign_in(Client(), pcso)
    assert working_in(first) == "North West Leicestershire CSP"
    switched = first.post(reverse("core:account"), {"partnership": str(partnership.pk)})
    assert switched.status_code == 302
    assert working_in(first) == "Oadby and Wigston CSP"
    first.logout()

    again = sign_in(Client(), pcso)  # a new sign-in: a new session
    assert working_in(again) == "Oadby and Wigston CSP"


def test_a_partnership_they_have_left_is_not_where_they_start(pcso, sign_in, partnership, council):
    client = sign_in(Client(), pcso)
    client.post(reverse("core:account"), {"partnership": str(partnership.pk)})
    client.logout()
    Membership.objects.filter(user=pcso, agency=council).update(is_active=False)
    again = sign_in(Client(), pcso)
    assert working_in(again) == "North West Leicestershire CSP"
    assert "Oadby and Wigston CSP" not in again.get(reverse("core:home")).content.decode()


def test_a_partnership_they_are_not_in_cannot_be_chosen(pcso, sign_in, partnership, outsider):
    """The choice is refused for a stranger's partnership, and nothing is remembered."""
    client = sign_in(Client(), outsider)
    refused = client.post(reverse("core:account"), {"partnership": str(partnership.pk)})
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    outsider.refresh_from_db()
    assert outsider.last_partnership_id is None
