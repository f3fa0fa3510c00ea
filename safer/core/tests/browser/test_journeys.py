"""Journeys through the service in a real browser, as the people who use it would take them.

Every page state the tests open is checked with axe-core (WCAG 2.2 A and AA) by the page object, and
any console error, CSP violation or missing file fails the test. Two-factor authentication is on.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.conf import settings as django_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from safer.core.models import Job, JobStatus, User
from safer.core.tests.factories import TEST_PASSWORD, confirmed_device
from safer.tests_support.browser import (
    device_code,
    totp_code,
    totp_key_from_secret,
    wait_out_throttle,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "granite-lantern-orchard-42"


def enter_password(tab, email, password=TEST_PASSWORD, *, status=200):
    tab.fill("Email address", email)
    tab.fill("Password", password)
    return tab.submit("Continue", status=status)


def enrol_authenticator(tab, user, *, wrong_code_first=False):
    """On the "Set up two-factor authentication" page: read the setup key, enter the code it gives."""
    tab.expect_heading("Set up two-factor authentication")
    expect(tab.page.get_by_role("img", name="QR code to add this service to your authenticator app")).to_be_visible()
    details = tab.open_details("I cannot scan the QR code")
    secret = details.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret), secret
    key = totp_key_from_secret(secret)

    if wrong_code_first:
        tab.fill("Security code", f"{(int(totp_code(key)) + 500_000) % 1_000_000:06d}")
        tab.submit("Continue", state="Set up two-factor authentication: wrong code")
        assert tab.error_messages() == ["Enter the code your app shows now: the one you entered does not match"]
        # django-otp refuses every code for a second after a wrong one; a person takes that long to retype.
        wait_out_throttle(TOTPDevice.objects.get(user=user, confirmed=False))
    tab.fill("Security code", totp_code(key))
    tab.submit("Continue")
    tab.expect_heading(f"Welcome, {user.full_name}")


def test_public_pages_and_static_files(tab):
    response = tab.goto("/accessibility")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    tab.expect_heading("Accessibility statement for Safer Communities")
    tab.click_link("Privacy notice")
    tab.expect_heading("Privacy notice")
    for path, kind in [("/static/app/app.css", "text/css"), ("/static/app/app.js", "text/javascript")]:
        asset = tab.page.request.get(path)
        assert asset.status == 200, path
        assert asset.headers["content-type"].startswith(kind), path


def test_first_sign_in_sets_up_the_authenticator(tab, caseworker_a):
    tab.goto("/")
    tab.expect_heading("Sign in")
    enter_password(tab, caseworker_a.email)
    enrol_authenticator(tab, caseworker_a, wrong_code_first=True)
    tab.expect_text("Oadby and Wigston Borough Council")
    assert TOTPDevice.objects.filter(user=caseworker_a, confirmed=True).count() == 1


def test_sign_in_with_an_authenticator(tab, caseworker_b):
    device = confirmed_device(caseworker_b)
    tab.goto("/sign-in")
    tab.submit("Continue", state="Sign in: nothing entered")
    assert tab.error_messages() == ["Enter your email address", "Enter your password"]
    expect(tab.page).to_have_title("Error: Sign in \N{EN DASH} Safer Communities")

    enter_password(tab, caseworker_b.email)
    tab.expect_heading("Enter your security code")
    tab.submit("Continue", state="Security code: nothing entered")
    assert tab.error_messages() == ["Enter the 6-digit security code from your authenticator app"]

    tab.fill("Enter your security code", device_code(device))
    tab.submit("Continue")
    tab.expect_heading("Welcome, Pat Police")
    tab.expect_text("Leicestershire Police")
    expect(tab.page.get_by_role("navigation", name="Menu")).to_contain_text("Your account")


def test_five_wrong_passwords_lock_the_account(tab, analyst):
    confirmed_device(analyst)
    tab.goto("/sign-in")
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        enter_password(tab, analyst.email, "not-the-password")
        assert tab.error_messages() == ["Enter a correct email address and password"]
    enter_password(tab, analyst.email, "still-not-the-password", status=429)
    tab.expect_heading("You cannot sign in for 30 minutes")

    tab.click_link("try again")
    enter_password(tab, analyst.email, TEST_PASSWORD, status=429)
    tab.expect_heading("You cannot sign in for 30 minutes")


def test_invite_someone_who_then_creates_their_account(
    open_tab, sign_in_browser, admin, police, mailoutbox, live_server
):
    admin_tab = open_tab("admin")
    sign_in_browser(admin_tab, admin)
    admin_tab.click_link("People")
    admin_tab.click_button("Invite someone")
    admin_tab.expect_heading("Invite someone")
    admin_tab.submit("Send invitation", state="Invite someone: nothing entered")
    assert admin_tab.error_messages() == [
        "Enter the person's full name",
        "Enter the person's work email address",
        "Select the agency the person works for",
        "Select at least one role",
    ]
    admin_tab.fill("Full name", "Robin Newcomer")
    admin_tab.fill("Email address", "robin@police.example")
    admin_tab.select("Agency", "Leicestershire Police")
    admin_tab.check("Caseworker")
    admin_tab.submit("Send invitation")
    admin_tab.expect_heading("People")
    assert "Invitation sent to robin@police.example" in admin_tab.notification()
    expect(admin_tab.main.get_by_role("table").nth(1)).to_contain_text("Robin Newcomer")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["robin@police.example"]
    link = re.search(re.escape(django_settings.SITE_URL) + r"(/invitations/\S+)", message.body)
    assert link, message.body

    robin = open_tab("invitee")
    robin.goto(link.group(1))
    robin.expect_heading("Create your account")
    robin.expect_text("You will sign in with robin@police.example")
    robin.fill("Create a password", "short")
    robin.fill("Confirm your password", "short")
    robin.submit("Create account", state="Create your account: password too short")
    assert "Enter a password that is at least 12 characters long" in robin.error_messages()
    robin.fill("Create a password", NEW_PASSWORD)
    robin.fill("Confirm your password", NEW_PASSWORD)
    robin.submit("Create account")

    enrol_authenticator(robin, User.objects.get(email="robin@police.example"))
    summary = robin.main.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Leicestershire Police")
    expect(summary).to_contain_text("Caseworker")

    robin.goto(link.group(1), status=404)
    robin.expect_heading("This invitation link is not valid")

    admin_tab.reload()
    row = admin_tab.main.get_by_role("row").filter(has_text="Robin Newcomer")
    expect(row).to_contain_text("Leicestershire Police")
    expect(row).to_contain_text("Active")
    admin_tab.expect_text("No invitations are waiting.")


def test_disabling_someone_signs_them_out_at_once(open_tab, sign_in_browser, sign_in_by_cookie, admin, caseworker_a):
    casey = open_tab("caseworker")
    sign_in_browser(casey, caseworker_a)
    admin_tab = open_tab("admin")
    sign_in_by_cookie(admin_tab, admin)

    admin_tab.goto("/people/")
    admin_tab.click_link("Casey Council")
    admin_tab.expect_heading("Casey Council")
    admin_tab.click_button("Disable account", confirm=True)
    assert admin_tab.dialogs == ["Disable Casey Council? They will be signed out at once."]
    assert "Casey Council has been disabled and signed out" in admin_tab.notification()
    expect(admin_tab.main.locator(".govuk-summary-list")).to_contain_text("Disabled")
    expect(admin_tab.button("Enable account")).to_be_visible()

    casey.reload()
    casey.expect_heading("Sign in")
    enter_password(casey, caseworker_a.email)
    assert casey.error_messages() == ["Enter a correct email address and password"]


def test_sign_out(tab, sign_in_by_cookie, caseworker_a):
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto("/account/")
    tab.click_button("Sign out")
    tab.expect_heading("Sign in")
    tab.expect_text("You have signed out.")
    tab.goto("/")
    tab.expect_heading("Sign in")
    assert tab.path.startswith("/sign-in")


def test_pages_outside_your_roles_and_unknown_pages(tab, sign_in_by_cookie, analyst):
    sign_in_by_cookie(tab, analyst)
    tab.goto("/")
    expect(tab.page.get_by_role("navigation", name="Menu").get_by_role("link", name="People")).to_have_count(0)
    tab.goto("/people/", status=403)
    tab.expect_heading("You do not have access to this page")
    tab.goto("/no-such-page", status=404)
    tab.expect_heading("Page not found")


def test_access_log_filter_and_csv_export(tab, sign_in_by_cookie, dpo):
    sign_in_by_cookie(tab, dpo)
    tab.goto("/")
    tab.click_link("Access log", state="Access log: never checked for tampering")
    tab.expect_heading("Access log")
    check = tab.main.get_by_test_id("access-log-check")
    expect(check).to_contain_text("The log has never been checked.")
    tab.click_button("Check the log now")
    tab.expect_heading("Access log check")
    expect(tab.main.locator(".govuk-summary-list")).to_contain_text("Finished")
    tab.expect_text("The access log is intact:")
    tab.click_link("Access log", state="Access log: checked, intact")
    expect(check).to_contain_text("(by Dee Protection): intact.")
    expect(check).not_to_contain_text("never been checked")

    tab.fill("From", "2026-05-10")
    tab.fill("To", "2026-05-01")
    tab.click_button("Apply filters", state="Access log: end date before start date")
    assert tab.error_messages() == ["Enter an end date that is the same as or after the start date"]

    tab.click_link("Access log")
    tab.click_button("Export as CSV")
    tab.expect_heading("Access log export (CSV)")
    expect(tab.page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "100")
    expect(tab.main.locator(".govuk-summary-list")).to_contain_text("Finished")
    name, content = tab.download(re.compile(r"^Download access-log-.*\.csv$"))
    assert name.startswith("access-log-")
    assert name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert rows[0][:2] == ["when_utc", "action"]
    assert len(rows) >= 2
    assert any("dee@oadby.example" in row for row in rows[1:])

    tab.click_link("All background jobs")
    tab.expect_heading("Background jobs")
    expect(tab.main.get_by_role("row").filter(has_text="Access log export (CSV)")).to_contain_text("Finished")


def test_create_and_revoke_an_api_token(tab, sign_in_by_cookie, caseworker_a):
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto("/")
    tab.click_link("Your account")
    tab.expect_text("You have no API tokens.")
    tab.click_button("Create an API token")
    tab.submit("Create token", state="Create an API token: nothing entered")
    assert tab.error_messages() == ["Enter a name for the token"]
    tab.fill("Create an API token", "Monthly data load script")
    tab.submit("Create token")
    tab.expect_heading("API token created")
    secret = tab.field("Your token").input_value()
    assert secret.startswith("sc_")

    me = tab.page.request.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200
    assert me.json()["email"] == caseworker_a.email

    tab.click_link("Back to your account")
    row = tab.main.get_by_role("row").filter(has_text="Monthly data load script")
    expect(row).to_contain_text(secret[:10])
    tab.click_button("Revoke token Monthly data load script")
    assert "Token 'Monthly data load script' revoked: it no longer works" in tab.notification()
    tab.expect_text("You have no API tokens.")
    assert tab.page.request.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status == 401


def test_demo_banner_when_two_factor_is_switched_off(tab, settings, caseworker_a):
    settings.MFA_DISABLED = True
    tab.goto("/sign-in")
    banner = tab.page.get_by_role("region", name="Demonstration mode")
    expect(banner).to_contain_text("two-factor authentication is switched off")
    enter_password(tab, caseworker_a.email)
    tab.expect_heading("Welcome, Casey Council")
    expect(banner).to_be_visible()


def test_home_and_statements_for_each_persona(
    tab, sign_in_by_cookie, admin, caseworker_a, caseworker_b, analyst, dpo, outsider
):
    expected = [
        (admin, "Oadby and Wigston CSP", "Partnership admin"),
        (caseworker_a, "Oadby and Wigston CSP", "Caseworker"),
        (caseworker_b, "Oadby and Wigston CSP", "Caseworker"),
        (analyst, "Oadby and Wigston CSP", "Analyst"),
        (dpo, "Oadby and Wigston CSP", "Data protection officer"),
        (outsider, "North West Leicestershire CSP", "Analyst, Caseworker, Data protection officer, Partnership admin"),
    ]
    for user, partnership, roles in expected:
        sign_in_by_cookie(tab, user)
        tab.goto("/", state=f"Home of {user.full_name}")
        tab.expect_heading(f"Welcome, {user.full_name}")
        tab.expect_text(partnership)
        expect(tab.main.locator(".govuk-summary-list")).to_contain_text(roles)

    tab.click_link("Accessibility statement")
    tab.expect_heading("Accessibility statement for North West Leicestershire CSP")
    tab.click_link("Privacy notice")
    tab.expect_heading("Privacy notice")
    tab.expect_text("how North West Leicestershire CSP uses personal data")


def test_job_page_of_a_job_whose_total_is_not_known_yet(tab, sign_in_by_cookie, dpo):
    """The page once read "0 of rows" as soon as it polled a job with no total."""
    job = Job.objects.create(
        partnership=dpo.memberships.first().agency.partnership,
        created_by=dpo,
        kind="access_log_export",
        title="Access log export (CSV)",
        status=JobStatus.RUNNING,
        rows_done=0,
        rows_total=None,
    )
    sign_in_by_cookie(tab, dpo)
    tab.page.clock.install()
    with tab.page.expect_response(re.compile(r"/status$")):
        tab.goto(f"/jobs/{job.pk}", state="Job page: running, total not known")
    expect(tab.main).to_contain_text("0 rows so far (the total is not known yet)")
    Job.objects.filter(pk=job.pk).update(rows_done=1_500)
    tab.page.clock.run_for(1_600)
    expect(tab.main).to_contain_text("1,500 rows so far (the total is not known yet)")
    expect(tab.main).not_to_contain_text("of rows")


def test_job_page_follows_a_job_while_it_runs(tab, sign_in_by_cookie, dpo):
    job = Job.objects.create(
        partnership=dpo.memberships.first().agency.partnership,
        created_by=dpo,
        kind="access_log_export",
        title="Access log export (CSV)",
        status=JobStatus.RUNNING,
        rows_done=40_000,
        rows_total=100_000,
    )
    sign_in_by_cookie(tab, dpo)
    tab.page.clock.install()  # the page polls every 1.5 s: move its clock on instead of waiting
    with tab.page.expect_response(re.compile(r"/status$")):  # its first poll, at once
        tab.goto(f"/jobs/{job.pk}", state="Job page: running")
    progress = tab.page.get_by_role("progressbar", name="Progress")
    expect(progress).to_have_attribute("value", "40")
    expect(tab.main).to_contain_text("40%: 40,000 of 100,000 rows")
    expect(tab.main).to_contain_text("Running")
    expect(tab.button("Cancel")).to_be_visible()

    Job.objects.filter(pk=job.pk).update(rows_done=70_000)
    tab.page.clock.run_for(1_600)
    expect(tab.main).to_contain_text("70%: 70,000 of 100,000 rows")  # counts written as the page writes them
    expect(progress).to_have_js_property("value", 70)
    tab.check_a11y("Job page: progress updated by polling")

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, rows_done=100_000, message="100,000 access events exported"
    )
    tab.navigate_by(lambda: tab.page.clock.run_for(1_600), state="Job page: finished, reloaded by itself")
    expect(progress).to_have_attribute("value", "100")
    expect(tab.main).to_contain_text("Finished")
    expect(tab.main).to_contain_text("100,000 access events exported")
    expect(tab.button("Cancel")).to_have_count(0)


def test_server_error_page(tab, sign_in_by_cookie, caseworker_a, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("safer.core.selectors.jobs_of", broken)
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto("/", status=500)
    tab.expect_heading("Sorry, there is a problem with the service")
