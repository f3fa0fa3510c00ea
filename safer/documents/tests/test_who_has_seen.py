"""The DPO's "who has seen this person's data, when and why", for anyone on the system (no request needed)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from safer.core.audit import record_access
from safer.core.models import AccessAction, AccessEvent, Role
from safer.core.tests.addresses import addresses_in, carrying
from safer.core.tests.factories import make_member
from safer.documents.tests.conftest import make_person

pytestmark = pytest.mark.django_db

SEARCH = reverse("documents:who-has-seen")


def seen_url(person) -> str:
    return reverse("documents:who-has-seen-person", args=[person.pk])


def find(client, **criteria) -> str:
    """Search as the form does: post, then the page the post redirects to (``?search=<id>``)."""
    posted = client.post(SEARCH, criteria)
    assert posted.status_code == 302, posted.content.decode()[:500]
    return client.get(posted["Location"]).content.decode()


def test_the_dpo_finds_a_person_by_name_in_any_order_and_by_date_of_birth(signed_in, dpo, victim, subject):
    client = signed_in(dpo)
    page = find(client, name="quiet vera")
    assert "1 person found" in page and "Vera Quiet" in page and seen_url(victim.person) in page
    assert "Dan Shouter" not in page
    page = find(client, name="Quiet", date_of_birth="31/01/1950")
    assert "Vera Quiet" in page
    page = find(client, name="Quiet", date_of_birth="1950-02-01")
    assert "0 people found" in page and "No one on the system matches" in page
    searches = AccessEvent.objects.filter(actor=dpo, action=AccessAction.SEARCH, object_type="person")
    assert searches.count() == 3 and all("who has seen" in event.purpose for event in searches)


def test_bad_search_input_is_named(signed_in, dpo):
    client = signed_in(dpo)
    response = client.post(SEARCH, {"name": "", "date_of_birth": "31/02/1950"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the name of the person" in page and "Enter the date of birth as a real date" in page
    assert not AccessEvent.objects.filter(actor=dpo, action=AccessAction.SEARCH).exists()


def test_the_person_page_lists_who_saw_what_and_why_newest_first(
    signed_in, partnership, dpo, caseworker_a, case, victim, subject
):
    record_access(
        action=AccessAction.VIEW,
        actor=caseworker_a,
        partnership=partnership,
        object_type="case",
        object_id=case.pk,
        purpose="Joint visit planning",
    )
    record_access(
        action=AccessAction.EXPORT,
        actor=caseworker_a,
        partnership=partnership,
        object_type="person",
        object_id=victim.person.pk,
        purpose="Court bundle",
    )
    record_access(  # another person's record: not about Vera
        action=AccessAction.VIEW,
        actor=caseworker_a,
        partnership=partnership,
        object_type="person",
        object_id=subject.person.pk,
        purpose="Not about her",
    )
    client = signed_in(dpo)
    before = AccessEvent.objects.count()
    page = client.get(seen_url(victim.person)).content.decode()
    assert AccessEvent.objects.count() == before + 1  # exactly one event for the DPO's own look
    assert "Who has seen Vera Quiet" in page and "On 1 case" in page
    assert "Joint visit planning" in page and "Court bundle" in page and "Not about her" not in page
    assert page.index("Data protection") < page.index("Court bundle") < page.index("Joint visit planning")
    assert "3 entries in the access log" in page


def test_the_whole_list_downloads_as_csv_and_the_download_is_logged(signed_in, partnership, dpo, caseworker_a, victim):
    record_access(
        action=AccessAction.VIEW,
        actor=caseworker_a,
        partnership=partnership,
        object_type="person",
        object_id=victim.person.pk,
        purpose="Welfare check",
    )
    client = signed_in(dpo)
    response = client.get(seen_url(victim.person), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["When (UTC)", "Who", "Agency", "Action"]
    assert [r[-1] for r in rows[1:]] == ["Data protection: who has seen this person's data", "Welfare check"]
    assert AccessEvent.objects.filter(actor=dpo, action=AccessAction.EXPORT, object_id=str(victim.person.pk)).exists()


def test_only_the_dpo_role_and_only_the_partnerships_people(
    signed_in, partnership, dpo, caseworker_a, outsider, victim, other_partnership
):
    assert signed_in(caseworker_a).get(SEARCH).status_code == 403
    assert signed_in(caseworker_a).get(seen_url(victim.person)).status_code == 403
    assert signed_in(outsider).get(seen_url(victim.person)).status_code in (403, 404)
    stranger = make_person(other_partnership, "Vera", "Quiet")
    response = signed_in(dpo).get(seen_url(stranger))
    assert response.status_code == 404 and b"Quiet" not in response.content
    page = find(signed_in(dpo), name="Vera Quiet")
    assert "1 person found" in page  # the other partnership's Vera Quiet is not listed


def test_the_search_goes_by_post_and_no_address_names_the_person(signed_in, dpo, victim):
    client = signed_in(dpo)
    posted = client.post(SEARCH, {"name": "Vera Quiet", "date_of_birth": "31/01/1950"})
    location = posted["Location"]
    assert posted.status_code == 302 and location.startswith(f"{SEARCH}?search=")
    assert carrying([location], "Vera", "Quiet", "1950") == []
    page = client.get(location).content.decode()
    assert "1 person found" in page and 'value="Vera Quiet"' in page
    assert carrying(addresses_in(page), "Vera", "Quiet", "1950") == []
    # A name in the URL is not read: an empty form, nothing searched.
    ignored = client.get(SEARCH, {"name": "Vera Quiet"}).content.decode()
    assert "person found" not in ignored and "Vera Quiet" not in ignored
    assert AccessEvent.objects.filter(actor=dpo, action=AccessAction.SEARCH).count() == 1


def test_another_dpo_cannot_use_my_search_id(signed_in, council, dpo, victim):
    location = signed_in(dpo).post(SEARCH, {"name": "Vera Quiet"})["Location"]
    colleague = make_member(council, Role.DPO, email="second@oadby.example", full_name="Sam Second")
    page = signed_in(colleague).get(location).content.decode()
    assert "That search has ended" in page and "Quiet" not in page
    assert not AccessEvent.objects.filter(actor=colleague, action=AccessAction.SEARCH).exists()
