"""Every page a signed-in admin can open renders, with the partnership's name and no server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

PAGES = ["core:home", "core:people", "core:invite", "core:add-agency", "core:account", "core:new-token", "core:jobs"]


@pytest.mark.parametrize("name", PAGES)
def test_admin_pages_render(client, sign_in, admin, name):
    sign_in(client, admin)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "Oadby and Wigston CSP" in response.text


def test_public_pages_render_without_signing_in(client, db):
    for name in ["core:sign-in", "core:accessibility", "core:privacy"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "Crown copyright" not in response.text
        assert "govuk-generic-header" in response.text
