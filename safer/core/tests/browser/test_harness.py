"""The browser checks themselves: a page with a fault must fail, or the journeys would prove nothing."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_checks_fail_a_broken_page(tab):
    tab.goto("/sign-in")
    # GOV.UK Frontend ran (under the CSP): the password input got its "Show" button.
    assert tab.page.get_by_role("button", name="Show password").is_visible()

    tab.page.evaluate(
        """() => {
          const img = document.createElement("img");
          img.src = "/static/app/favicon.svg";
          document.querySelector("main").append(img);
        }"""
    )
    with pytest.raises(AssertionError, match=r"(?s)image-alt \[critical\]: Images must have alternative text.*at img"):
        tab.check_a11y("Sign in with an image that has no alternative text")

    tab.page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )
    assert tab.page.evaluate("() => window.injected") is None  # the CSP blocked it
    with pytest.raises(AssertionError, match=r"CSP violation: script-src-elem blocked inline"):
        tab.assert_no_problems()

    tab.page.evaluate("""async () => { await fetch("/static/app/missing.css"); console.error("broken"); }""")
    with pytest.raises(AssertionError, match=r"(?s)missing\.css answered 404.*Console error: broken"):
        tab.assert_no_problems()
