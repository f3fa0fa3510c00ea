"""The home page names the partnership's districts ("Oadby and Wigston"), never their ONS codes, once the geography
knows them; before that it says the name is not loaded yet."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from safer.geography import services as geography_services
from safer.geography.tests.conftest import LOOKUP

pytestmark = pytest.mark.django_db


def areas_covered(client) -> str:
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    start = shown.index("Areas covered ") + len("Areas covered ")
    return shown[start : shown.index(" ", start + 60) if len(shown) > start + 60 else None]


def test_home_names_the_districts(client, sign_in, caseworker_a, partnership):
    geography_services.import_lookup(LOOKUP, ["E07000135", "E07000134"])
    partnership.lad_codes = ["E07000135", "E07000134"]
    partnership.save()
    sign_in(client, caseworker_a)
    shown = areas_covered(client)
    assert shown.startswith("Oadby and Wigston, North West Leicestershire")
    assert "E07000135" not in client.get(reverse("core:home")).content.decode()


def test_before_the_geography_is_loaded_the_code_says_so(client, sign_in, caseworker_a):
    sign_in(client, caseworker_a)
    assert areas_covered(client).startswith("E07000135 (name not loaded yet)")
