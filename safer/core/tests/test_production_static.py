"""Pages render with production's static storage: collectstatic's manifest, hashed names, no folder looked up.

The rest of the suite serves static files straight from the apps, where a missing or folder name still gives a URL;
production's manifest storage raises instead, and every page answered 500.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse

from safer.core.views.pages import error_500

ROOT = Path(__file__).resolve().parents[3]
HASHED = re.compile(r'(?:href|src)="/static/([^"]+)"')


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    # Django's manifest storage names files as production's WhiteNoise storage does (that one also compresses them,
    # which takes half a minute and changes no name).
    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES}
    storages["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def _static_names(html: str) -> list[str]:
    names = HASHED.findall(html)
    assert names, "the page names no static file"
    return names


@pytest.mark.django_db
def test_collected_files_carry_content_hashes_and_exist(production_static):
    manifest = (production_static / "staticfiles.json").read_text()
    assert '"app/app.css"' in manifest
    assert '"leaflet/leaflet.js"' in manifest


@pytest.mark.django_db
def test_sign_in_404_and_500_pages_render_with_the_manifest(client, analyst, sign_in, production_static):
    signed_out = client.get(reverse("core:sign-in"))
    sign_in(client, analyst)
    for response, status in (
        (signed_out, 200),
        (client.get(reverse("core:home")), 200),
        (client.get("/no-such-page"), 404),
        (error_500(RequestFactory().get("/")), 500),
    ):
        assert response.status_code == status
        html = response.content.decode()
        for name in _static_names(html):
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", name), f"{name} is not a hashed name from the manifest"
            assert (production_static / name).is_file()


def test_every_static_name_in_a_template_is_a_file():
    # static() of a folder, or of a file that is not there, is a 500 on every page in production.
    calls = re.compile(r"""static\(\s*['"]([^'"]+)['"]\s*\)""")
    found = 0
    for template in ROOT.glob("safer/**/jinja2/**/*.html"):
        for name in calls.findall(template.read_text()):
            found += 1
            path = finders.find(name)
            assert path and Path(str(path)).is_file(), f"{template.relative_to(ROOT)}: static({name!r}) is not a file"
    assert found > 5
