"""Real-browser fixtures for every app's browser tests (a pytest plugin named in ``safer/conftest.py``): one Chromium
per run, a fresh browser context per tab, Django's live server.

Sync Playwright keeps an event loop running in the main thread from the moment it starts until the end
of the run, and the tests use the ORM in that thread (personas, codes), so Django's async-safety check
is switched off for the whole run (this plugin is loaded for every run).
The live server answers from another thread, so every test here uses ``transactional_db``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, sync_playwright

from safer.conftest import sign_in_client
from safer.core.models import User
from safer.core.tests.factories import TEST_PASSWORD, confirmed_device
from safer.tests_support.browser import (
    SCANNED_STATES,
    BrowserPage,
    ChromiumMissingError,
    device_code,
    launch_chromium,
)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many page states axe-core checked; with -v, each of them."""
    if not SCANNED_STATES:
        return
    distinct = sum(1 for s in SCANNED_STATES if not s.same_as)
    addresses = len({s.url.split("?")[0] for s in SCANNED_STATES})
    terminalreporter.write_sep("-", "accessibility (axe-core, WCAG 2.2 A and AA)")
    terminalreporter.write_line(
        f"{len(SCANNED_STATES)} page states checked on {addresses} addresses; "
        f"{distinct} distinct documents scanned (a state identical to one already passed is not scanned again)"
    )
    if terminalreporter.verbosity > 0:
        for s in SCANNED_STATES:
            terminalreporter.write_line(f"  {s.owner}: {s.state}" + (" (same as already scanned)" if s.same_as else ""))


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except ChromiumMissingError as exc:
            pytest.fail(str(exc), pytrace=False)
        yield browser
        browser.close()


# The tabs a test opened, for fixtures that check them all at its end.
TABS = pytest.StashKey[list[BrowserPage]]()


@pytest.fixture
def open_tab(
    transactional_db: None, chromium: Browser, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserPage]]:
    """``open_tab("admin")``: a new browser context (its own cookies) with one tab on the live server.

    The database comes first: session fixtures end in the reverse order they began, so the live server (and its
    thread's connection) stops before the test database is dropped, not after ("being accessed by other users")."""
    tabs: list[BrowserPage] = []
    request.node.stash[TABS] = tabs

    def open_(who: str = "") -> BrowserPage:
        tab = BrowserPage.open(chromium, live_server.url, owner=f"{request.node.name} {who}".strip())
        tabs.append(tab)
        return tab

    yield open_
    try:
        for tab in tabs:
            tab.assert_no_problems("the end of the test")
    finally:
        for tab in tabs:
            tab.close()


@pytest.fixture
def keep_out_of_urls(request: pytest.FixtureRequest) -> Iterator[Callable[..., None]]:
    """``keep_out_of_urls("Margaret", "Hughes", "LE18")``: at the end of the test, no URL that any of its tabs asked
    for (pages, redirects, forms, scripts, images) may carry these words, as web servers and proxies log URLs."""
    words: list[str] = []

    def keep_out(*more: str) -> None:
        words.extend(more)

    yield keep_out
    if not words:
        return
    tabs = request.node.stash.get(TABS, [])
    assert any(tab.requested for tab in tabs), "keep_out_of_urls: no tab asked for anything"
    found = [f"{tab.owner}: {url}" for tab in tabs for url in tab.urls_carrying(*words)]
    assert not found, "Personal data in URLs the browser asked for (they reach access logs):\n  " + "\n  ".join(found)


@pytest.fixture
def tab(open_tab: Callable[..., BrowserPage]) -> BrowserPage:
    return open_tab()


@pytest.fixture
def sign_in_by_cookie(live_server: Any) -> Callable[[BrowserPage, User], None]:
    """``sign_in_by_cookie(tab, user)``: the session of someone who has passed both factors, without the forms
    (for tests about what a signed-in person sees; the sign-in journeys use the forms)."""

    def sign_in(tab: BrowserPage, user: User) -> None:
        client = sign_in_client(Client(), user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        tab.context.clear_cookies()
        tab.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return sign_in


@pytest.fixture
def sign_in_browser() -> Callable[..., TOTPDevice]:
    """``sign_in_browser(tab, user)``: email and password, then the code from their authenticator."""

    def sign_in(tab: BrowserPage, user: User, device: TOTPDevice | None = None) -> TOTPDevice:
        device = device or TOTPDevice.objects.filter(user=user, confirmed=True).first() or confirmed_device(user)
        tab.goto("/sign-in")
        tab.fill("Email address", user.email)
        tab.fill("Password", TEST_PASSWORD)
        tab.submit("Continue")
        tab.expect_heading("Enter your security code")
        tab.fill("Enter your security code", device_code(device))
        tab.submit("Continue")
        tab.expect_heading(f"Welcome, {user.full_name}")
        return device

    return sign_in
