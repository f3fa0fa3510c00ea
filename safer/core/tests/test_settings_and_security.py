"""Configuration mistakes stop start-up with a clear message; production settings pass check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a real deployment never has it.
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SAFER_MODE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "SAFER_MODE": "production",
    "SECRET_KEY": "a" * 20 + "-not-the-real-one-" + "b" * 30,
    "ALLOWED_HOSTS": "csp.example.gov.uk",
}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL has an unsupported scheme 'mysql'"),
        ({"DATABASE_URL": "postgres://user@/"}, "DATABASE_URL must name a host and a database"),
        (
            {"DATABASE_URL": "sqlite:////missing/folder/x.sqlite3"},
            "DATABASE_URL names the SQLite file /missing/folder/x.sqlite3, but its folder /missing/folder does not",
        ),
        ({"SAFER_MODE": "production", "ALLOWED_HOSTS": "x.example"}, "SECRET_KEY is not set"),
        ({**PRODUCTION, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is not set"),
        ({**PRODUCTION, "SAFER_MFA_DISABLED": "true"}, "SAFER_MFA_DISABLED cannot be set in production"),
        ({"SAFER_MFA_DISABLED": "perhaps"}, "SAFER_MFA_DISABLED must be true or false (got 'perhaps')"),
        ({"SAFER_SESSION_IDLE_MINUTES": "ten"}, "SAFER_SESSION_IDLE_MINUTES must be a whole number"),
        ({"SAFER_MODE": "staging"}, "SAFER_MODE must be demo, production or test"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE points at '/nonexistent/secret'"),
        (
            {"SAFER_TRUSTED_PROXIES": "10.0.0.1,proxy.local"},
            "SAFER_TRUSTED_PROXIES must be the number of proxies in front of the service (like 1) or a comma-separated "
            "list of their addresses or networks (like 10.0.0.5,10.1.0.0/16); 'proxy.local' is neither.",
        ),
        ({"SAFER_REFUSAL_ALERT_COUNT": "0"}, "SAFER_REFUSAL_ALERT_COUNT must be at least 1 (got 0)"),
    ],
)
def test_bad_configuration_names_the_setting(env, expected):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert expected in result.stderr


def test_production_settings_pass_check_deploy_cleanly():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "security." not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_hsts_preload_is_the_operators_choice():
    # Off by default (it binds every subdomain of the council's domain to HTTPS for good), on when asked for.
    code = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD, settings.SILENCED_SYSTEM_CHECKS)"
    assert run_manage("shell", "-c", code, **PRODUCTION).stdout.splitlines()[-1] == "False ['security.W021']"
    preloaded = run_manage("shell", "-c", code, **PRODUCTION, SAFER_HSTS_PRELOAD="true")
    assert preloaded.stdout.splitlines()[-1] == "True []", preloaded.stderr


def test_csp_header_allows_no_inline_script(client, db):
    response = client.get(reverse("core:sign-in"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'nonce-" in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    nonce = directives["script-src"].split("'nonce-")[1].split("'")[0]
    # The only inline script on the page is GOV.UK's one-liner, and it carries the nonce.
    assert response.text.count("<script") == response.text.count(f'nonce="{nonce}"') + response.text.count(
        'type="module" src='
    )


def test_security_headers(client, db):
    response = client.get(reverse("core:sign-in"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_assets_are_served_locally(client, db):
    page = client.get(reverse("core:sign-in")).text
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    for path in ("/static/app/app.css", "/static/app/app.js", "/static/govuk/govuk-frontend.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"GDS Transport" not in body


def test_styled_404_page(client, sign_in, caseworker_a):
    sign_in(client, caseworker_a)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Oadby and Wigston CSP" in response.text


def test_styled_500_page(client, db, settings):
    from safer.core.views.pages import error_500

    response = error_500(client.get(reverse("core:sign-in")).wsgi_request)
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content


def test_health(client, db):
    assert client.get("/health").json() == {"status": "ok"}
