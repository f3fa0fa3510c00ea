"""The real-browser fixtures of ``safer/core/tests/browser`` (one Chromium per run, a context per tab, the live
server, the personas signed in), made visible to the analyst's journeys.

pytest shows a conftest's fixtures only to the tests under its folder, so they are imported here. That makes a
second definition of the session-wide ``chromium`` fixture, and sync Playwright cannot be started twice in one
thread ("using Playwright Sync API inside the asyncio loop"): when one process runs both folders (the whole suite,
or one xdist worker given tests from both), the two definitions share one Playwright driver, stopped by the last.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from playwright.sync_api import Playwright, sync_playwright
from playwright.sync_api._context_manager import PlaywrightContextManager

from safer.core.tests.browser import conftest as core_browser
from safer.core.tests.browser.conftest import chromium, open_tab, sign_in_browser, sign_in_by_cookie, tab

__all__ = ["chromium", "open_tab", "pytest_terminal_summary", "sign_in_browser", "sign_in_by_cookie", "tab"]


class SharedPlaywright:
    """Stands in for ``sync_playwright()``: every fixture that enters it gets the same running Playwright."""

    def __init__(self) -> None:
        self._users = 0
        self._manager: PlaywrightContextManager | None = None
        self._playwright: Playwright | None = None

    def __call__(self) -> SharedPlaywright:
        return self

    def __enter__(self) -> Playwright:
        if self._playwright is None:
            self._manager = sync_playwright()
            self._playwright = self._manager.__enter__()
        self._users += 1
        return self._playwright

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._users -= 1
        if self._users == 0 and self._manager is not None:
            manager, self._manager, self._playwright = self._manager, None, None
            manager.__exit__(kind, error, traceback)


# Every test session fixture named chromium (the core folder's and this one) now shares the driver.
vars(core_browser)["sync_playwright"] = SharedPlaywright()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The count of page states axe-core checked, once: the core conftest prints it when it is loaded too."""
    if not terminalreporter.config.pluginmanager.is_registered(core_browser):
        core_browser.pytest_terminal_summary(terminalreporter)
