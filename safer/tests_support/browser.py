"""A page object for real-browser tests: Playwright drives Debian's Chromium; axe-core checks every page state.

Every helper that changes what is on the screen (``goto``, ``click_button``, ``click_link``, ``submit``,
``open_details``) waits until the page has settled (loaded, and GOV.UK Frontend's JavaScript has
initialised every component) and then runs axe-core on it, so no page state escapes an accessibility scan.

It also fails the test on anything a person would not see but that means the page is broken: a console
error, an uncaught exception, a Content Security Policy violation, a missing CSS, JavaScript or image
file, or an HTML page sent without the CSP header.

The pages are not given ``bypass_csp``: axe-core is injected through the DevTools protocol
(``page.evaluate``), which the page's CSP does not apply to, so the CSP is tested as it is served.
"""

from __future__ import annotations

import hashlib
import re
import time
from base64 import b32decode
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote_plus, urljoin, urlsplit

from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    expect,
)

if TYPE_CHECKING:  # importing the model needs Django set up; this module does not
    from django_otp.plugins.otp_totp.models import TOTPDevice

CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_PATH = Path(__file__).with_name("axe.min.js")
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
SETTLE_TIMEOUT_MS = 5_000
ACTION_TIMEOUT_MS = 10_000

Name = str | re.Pattern[str]


class ChromiumMissingError(RuntimeError):
    """Debian's Chromium is not installed, so the browser tests cannot run."""


def launch_chromium(playwright: Playwright) -> Browser:
    """Start Debian's Chromium (never a browser downloaded by ``playwright install``)."""
    if not CHROMIUM_PATH.exists():
        raise ChromiumMissingError(
            f"{CHROMIUM_PATH} is missing, so the browser and accessibility tests cannot run. "
            "Install it with: scripts/system-packages test"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS)


@dataclass(frozen=True)
class ScannedState:
    """One page state checked with axe-core; ``same_as`` names an identical state already scanned."""

    owner: str
    state: str
    url: str
    same_as: str = ""


# Every page state checked in this process, for the summary at the end of the run.
SCANNED_STATES: list[ScannedState] = []
# Fingerprints of the documents axe-core has passed: the same DOM with the same CSS gives the same result,
# so a state met again (the sign-in page in every test) is not scanned twice.
_PASSED_DOCUMENTS: dict[str, str] = {}


@cache
def axe_source() -> str:
    """axe-core's script, read once per process (500 kB)."""
    return AXE_PATH.read_text(encoding="utf-8")


# True once the page has loaded and GOV.UK Frontend has initialised every component it knows of
# (each initialised root element gets a data-<module>-init attribute).
SETTLED_JS = """() => {
  if (document.readyState !== "complete" || !document.body) return false;
  if (!document.body.classList.contains("govuk-frontend-supported")) return false;
  for (const el of document.querySelectorAll("[data-module]")) {
    for (const name of el.getAttribute("data-module").split(/\\s+/)) {
      if (name.startsWith("govuk-") && !el.hasAttribute(`data-${name}-init`)) return false;
    }
  }
  return true;
}"""

SETTLE_PROBLEM_JS = """() => {
  const missing = [];
  if (!document.body || !document.body.classList.contains("govuk-frontend-supported")) {
    missing.push("body.govuk-frontend-supported");
  }
  for (const el of document.querySelectorAll("[data-module]")) {
    for (const name of el.getAttribute("data-module").split(/\\s+/)) {
      if (name.startsWith("govuk-") && !el.hasAttribute(`data-${name}-init`)) missing.push(name);
    }
  }
  return `readyState=${document.readyState}; not initialised: ${missing.join(", ") || "none"}`;
}"""

AXE_RUN_JS = """async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact || "unknown",
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : String(t))).join(" "),
      summary: n.failureSummary || "",
      html: n.html,
    })),
  }));
}"""

# The document as axe-core sees it, without the values that change on every response.
FINGERPRINT_JS = """() => `${window.innerWidth}x${window.innerHeight}\n` + document.documentElement.outerHTML
  .replace(/nonce="[^"]*"/g, "nonce")
  .replace(/(name="csrfmiddlewaretoken" value=")[^"]*"/g, "$1")"""

# Reports Content Security Policy violations to Python, from every document the context opens.
CSP_LISTENER_JS = """document.addEventListener("securitypolicyviolation", (event) => {
  window.__saferCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"} ` +
    `in ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});"""


def format_violations(state: str, url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f'axe-core found {len(violations)} accessibility violation(s) on "{state}" ({url}):']
    for violation in violations:
        lines.append(f"  - {violation['id']} [{violation['impact']}]: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"      at {node['target']}")
            lines.append(f"         {node['html'][:200]}")
            for detail in str(node["summary"]).splitlines():
                lines.append(f"         {detail}")
        if len(violation["nodes"]) > 5:
            lines.append(f"      … and {len(violation['nodes']) - 5} more element(s)")
    return "\n".join(lines)


@dataclass
class BrowserPage:
    """One browser tab (in its own context: its own cookies) on the live server."""

    page: Page
    base_url: str
    owner: str = ""
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)  # every URL the tab asked for: pages, redirects, files
    _console_errors: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.page.set_default_timeout(ACTION_TIMEOUT_MS)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"Uncaught exception: {error}"))
        self.page.on("response", self._on_response)
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("request", lambda request: self.requested.append(request.url))

    # Opening ---------------------------------------------------------------------------------------

    @classmethod
    def open(cls, browser: Browser, base_url: str, owner: str = "") -> BrowserPage:
        """A new context (no cookies) with one tab, reporting CSP violations."""
        context = browser.new_context(
            base_url=base_url, locale="en-GB", timezone_id="Europe/London", accept_downloads=True
        )
        page = context.new_page()
        opened = cls(page=page, base_url=base_url, owner=owner)
        context.expose_function("__saferCspViolation", lambda text: opened.problems.append(f"CSP violation: {text}"))
        context.add_init_script(script=CSP_LISTENER_JS)
        return opened

    @property
    def context(self) -> BrowserContext:
        return self.page.context

    def close(self) -> None:
        self.context.close()

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path)

    @property
    def path(self) -> str:
        """The path (and query) of the page now open."""
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # Listeners -------------------------------------------------------------------------------------

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self._console_errors.append((message.text, str(message.location.get("url", ""))))

    def _on_response(self, response: Response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.problems.append(f"{response.request.resource_type} {response.url} answered {response.status}")

    def _on_request_failed(self, request: Request) -> None:
        failure = request.failure or ""
        # A navigation (or a download) cancels requests still in flight: that is not a fault.
        if "ERR_ABORTED" not in failure:
            self.problems.append(f"{request.resource_type} {request.url} failed: {failure}")

    def urls_carrying(self, *words: str) -> list[str]:
        """The URLs this tab asked for that carry any of ``words`` (case ignored, percent and plus encoding undone):
        a URL is written to every web server's and proxy's access log."""
        lowered = [w.lower() for w in words]
        return [url for url in self.requested if any(w in unquote_plus(url).lower() for w in lowered)]

    # Problems --------------------------------------------------------------------------------------

    def _take_console_errors(self, document: Response | None = None, status: int = 200) -> None:
        """Move console errors into problems; Chromium's note about an expected error status is not one."""
        expected = f"the server responded with a status of {status}"
        for text, url in self._console_errors:
            if document is not None and status >= 400 and expected in text and url == document.url:
                continue
            self.problems.append(f"Console error: {text} ({url})")
        self._console_errors.clear()

    def assert_no_problems(self, when: str = "") -> None:
        self._take_console_errors()
        if self.problems:
            found, self.problems = self.problems, []
            raise AssertionError(
                f"The browser reported problems{f' on {when!r}' if when else ''} ({self.page.url}):\n  "
                + "\n  ".join(found)
            )

    # Settling and scanning -------------------------------------------------------------------------

    def _arrived(self, response: Response | None, status: int, state: str | None) -> Response:
        """A navigation finished: check its status and headers, wait for the JavaScript, scan."""
        assert response is not None, f"No response for {self.page.url}"
        assert response.status == status, (
            f"{response.request.method} {response.url} answered {response.status}, expected {status}"
        )
        if "text/html" in response.headers.get("content-type", ""):
            csp = response.headers.get("content-security-policy", "")
            if "script-src 'self' 'nonce-" not in csp:
                self.problems.append(f"{response.url} was sent without a script nonce in its CSP (got {csp!r})")
        self.settle(response, status)
        self.check_a11y(state or self.default_state())
        return response

    def settle(self, document: Response | None = None, status: int = 200) -> None:
        """Wait until the page has loaded and GOV.UK Frontend has initialised its components."""
        try:
            # GOV.UK's inline script marks the body at once; without the mark it was blocked: fail now.
            self.page.wait_for_load_state("load")
            if not self.page.evaluate("() => document.body.classList.contains('js-enabled')"):
                raise AssertionError("the inline script that marks body.js-enabled did not run")
            self.page.wait_for_function(SETTLED_JS, timeout=SETTLE_TIMEOUT_MS)
        except Exception as exc:
            detail = self.page.evaluate(SETTLE_PROBLEM_JS)
            self._take_console_errors(document, status)
            found, self.problems = self.problems, []
            raise AssertionError(
                f"{self.page.url} did not settle: {detail}.\nThe browser reported:\n  "
                + ("\n  ".join(found) or "nothing")
            ) from exc
        self._take_console_errors(document, status)

    def default_state(self) -> str:
        headings = self.page.locator("h1").all_inner_texts()
        return f"{headings[0].strip() if headings else self.page.title()} ({self.path})"

    def check_a11y(self, state: str) -> None:
        """Run axe-core (WCAG 2.0-2.2 A and AA) on what is on the screen now; any violation fails."""
        self.assert_no_problems(state)
        fingerprint = hashlib.sha256(str(self.page.evaluate(FINGERPRINT_JS)).encode()).hexdigest()
        self.scanned.append(state)
        if fingerprint in _PASSED_DOCUMENTS:
            SCANNED_STATES.append(
                ScannedState(self.owner, state, self.page.url, same_as=_PASSED_DOCUMENTS[fingerprint])
            )
            return
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(axe_source())
        violations = cast(list[dict[str, Any]], self.page.evaluate(AXE_RUN_JS, list(AXE_TAGS)))
        SCANNED_STATES.append(ScannedState(self.owner, state, self.page.url))
        if violations:
            raise AssertionError(format_violations(state, self.page.url, violations))
        self.assert_no_problems(state)
        _PASSED_DOCUMENTS[fingerprint] = state

    # Navigation ------------------------------------------------------------------------------------

    def goto(self, path: str, *, state: str | None = None, status: int = 200) -> Response:
        return self._arrived(self.page.goto(self.url(path)), status, state)

    def reload(self, *, state: str | None = None, status: int = 200) -> Response:
        return self._arrived(self.page.reload(), status, state)

    def go_back(self, *, state: str | None = None, status: int = 200) -> Response:
        return self._arrived(self.page.go_back(), status, state)

    def navigate_by(self, action: Callable[[], object], *, state: str | None = None, status: int = 200) -> Response:
        """Do something that loads a new page (click, submit), then settle and scan it."""
        with self.page.expect_navigation() as navigation:
            action()
        return self._arrived(navigation.value, status, state)

    def button(self, name: Name) -> Locator:
        """A button, or a link that looks like one (GOV.UK start and secondary buttons are links)."""
        return self.page.get_by_role("button", name=name, exact=True)

    def link(self, name: Name) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True)

    def click_button(
        self, name: Name, *, state: str | None = None, status: int = 200, confirm: bool = False
    ) -> Response:
        """Press a button that loads a page. ``confirm`` accepts the "Are you sure?" dialog it opens."""
        if confirm:

            def accept(dialog: Dialog) -> None:
                self.dialogs.append(dialog.message)
                dialog.accept()

            self.page.once("dialog", accept)
        return self.navigate_by(self.button(name).click, state=state, status=status)

    def submit(self, name: Name = "Continue", *, state: str | None = None, status: int = 200) -> Response:
        return self.click_button(name, state=state, status=status)

    def click_link(self, name: Name, *, state: str | None = None, status: int = 200) -> Response:
        return self.navigate_by(self.link(name).click, state=state, status=status)

    def open_details(self, summary: str, *, state: str | None = None) -> Locator:
        """Open a "details" (reveal) component; the revealed state is scanned too."""
        details = self.page.locator("details", has=self.page.get_by_text(summary, exact=True))
        details.get_by_text(summary, exact=True).click()
        expect(details).to_have_attribute("open", "")
        self.check_a11y(state or f"{self.default_state()} with '{summary}' open")
        return details

    def download(self, name: Name) -> tuple[str, bytes]:
        """Press a button or link that downloads a file; returns its name and content."""
        with self.page.expect_download() as info:
            self.page.get_by_role("button", name=name).or_(self.page.get_by_role("link", name=name)).click()
        download = info.value
        return download.suggested_filename, Path(download.path()).read_bytes()

    # Forms -----------------------------------------------------------------------------------------

    def field(self, label: Name) -> Locator:
        """A form control by its accessible label (exactly, so "Password" is not "Show password")."""
        return self.page.get_by_label(label, exact=True)

    def fill(self, label: Name, value: str) -> None:
        self.field(label).fill(value)

    def check(self, label: Name) -> None:
        self.field(label).check()

    def select(self, label: Name, option: str) -> None:
        self.field(label).select_option(label=option)

    # What a person sees ----------------------------------------------------------------------------

    @property
    def main(self) -> Locator:
        return self.page.locator("main")

    def heading(self) -> str:
        return self.page.get_by_role("heading", level=1).inner_text().strip()

    def expect_heading(self, text: Name) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)

    def expect_text(self, text: Name) -> None:
        """Text a person can read in the main part of the page."""
        expect(self.main).to_contain_text(text)

    def error_messages(self) -> list[str]:
        """The messages in the "There is a problem" summary (empty when there is none)."""
        summary = self.page.locator(".govuk-error-summary")
        if summary.count() == 0:
            return []
        expect(summary).to_contain_text("There is a problem")
        expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to it, for screen reader users
        return [text.strip() for text in summary.locator("li").all_inner_texts()]

    def notification(self) -> str:
        """The text of the success or important banner at the top of the page."""
        banner = self.page.locator(".govuk-notification-banner")
        expect(banner).to_be_visible()
        return " ".join(banner.inner_text().split())


# Two-factor codes, as a person's authenticator app shows them -------------------------------------


def totp_key_from_secret(secret: str) -> bytes:
    """The key behind the setup key the page shows ("ABCD EFGH …", base32 in groups of four)."""
    compact = "".join(secret.split()).upper()
    return b32decode(compact + "=" * (-len(compact) % 8))


def totp_code(key: bytes, *, after_t: int = -1) -> str:
    """The 6-digit code an app shows now; the next one when this one was used already (``after_t``)."""
    totp = TOTP(key)
    totp.time = time.time()
    if int(totp.t()) <= after_t:
        totp.time = totp.time + totp.step
    return f"{int(totp.token()):06d}"


def device_code(device: TOTPDevice) -> str:
    """The code for a confirmed device that the service has not accepted before."""
    device.refresh_from_db()
    return totp_code(bytes(device.bin_key), after_t=int(device.last_t))


def wait_out_throttle(device: TOTPDevice) -> None:
    """After a wrong code django-otp refuses every code for 1 s (then 2, 4, …): wait, as a person would."""
    device.refresh_from_db()
    failures = int(device.throttling_failure_count or 0)
    if failures and device.throttling_failure_timestamp is not None:
        passed = (timezone.now() - device.throttling_failure_timestamp).total_seconds()
        remaining = 2 ** (failures - 1) - passed
        if remaining > 0:
            time.sleep(remaining + 0.05)
