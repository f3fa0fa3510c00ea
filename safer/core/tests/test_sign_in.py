"""Password, then a TOTP code; lockout; session limits; every attempt in the access log."""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safer.core.middleware import LOGIN_TIME_KEY
from safer.core.models import AccessAction, AccessEvent
from safer.core.tests.factories import TEST_PASSWORD, confirmed_device


def password_step(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post(reverse("core:sign-in"), {"username": email, "password": password})


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_every_page_needs_sign_in(client, db):
    response = client.get(reverse("core:people"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:sign-in") + "?next=%2Fpeople%2F"


def test_password_then_code_reaches_the_page_asked_for(client, caseworker_a):
    device = confirmed_device(caseworker_a)
    response = client.post(
        reverse("core:sign-in") + "?next=/jobs/", {"username": caseworker_a.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:two-factor-verify"))
    # With the password alone, pages still ask for the code.
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("core:two-factor-verify"))
    wrong = client.post(response["Location"], {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert "Enter the current security code" in wrong.text
    # django-otp makes the next try wait (1 s after one failure); a person takes longer than that to retype.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    right = client.post(response["Location"], {"token": code_for(device)})
    assert right.status_code == 302 and right["Location"] == "/jobs/"
    assert client.get(reverse("core:home")).status_code == 200


def test_first_sign_in_enrols_an_authenticator(client, caseworker_a):
    response = password_step(client, caseworker_a.email)
    assert response["Location"].startswith(reverse("core:two-factor-setup"))
    page = client.get(response["Location"])
    assert "Set up two-factor authentication" in page.text
    assert 'src="data:image/svg+xml' in page.text  # the QR code is drawn here, not fetched from anywhere
    device = TOTPDevice.objects.get(user=caseworker_a, confirmed=False)
    done = client.post(response["Location"], {"token": code_for(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AccessEvent.objects.filter(actor=caseworker_a, action=AccessAction.MFA_ENROLLED).exists()
    assert client.get(reverse("core:home")).status_code == 200


def test_wrong_password_is_logged_without_the_name_typed(client, caseworker_a):
    response = password_step(client, caseworker_a.email, "wrong password")
    assert "Enter a correct email address and password" in response.text
    event = AccessEvent.objects.get(action=AccessAction.SIGN_IN_FAILED)
    assert event.actor is None and event.object_id == str(caseworker_a.pk)
    assert caseworker_a.email not in str(vars(event))


def test_lockout_after_five_failures_by_account_and_address(client, caseworker_a, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert password_step(client, caseworker_a.email, "nope").status_code == 200
    locked = password_step(client, caseworker_a.email, "nope")
    assert locked.status_code == 429
    assert "You cannot sign in for 30 minutes" in locked.text
    assert password_step(client, caseworker_a.email).status_code == 429  # even the right password
    # The same account from another address is not locked: nobody can lock someone else out from afar.
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        elsewhere.post(reverse("core:sign-in"), {"username": caseworker_a.email, "password": TEST_PASSWORD}).status_code
        == 302
    )
    assert AccessEvent.objects.filter(action=AccessAction.LOCKED_OUT).exists()


def test_absolute_session_limit_signs_people_out(client, sign_in, caseworker_a, settings):
    sign_in(client, caseworker_a)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session[LOGIN_TIME_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert "reason=expired" in response["Location"]
    page = client.get(response["Location"])
    assert "You were signed out because your session ended" in page.text


def test_inactivity_timeout_is_renewed_while_active_but_not_written_on_every_page(
    client, sign_in, caseworker_a, settings
):
    from django.contrib.sessions.models import Session

    from safer.core.middleware import RENEWED_KEY

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    sign_in(client, caseworker_a)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(reverse("core:home"))
    first = Session.objects.get(session_key=key).expire_date
    client.get(reverse("core:home"))
    assert Session.objects.get(session_key=key).expire_date == first  # renewed less than a minute ago: no write
    session = client.session
    session[RENEWED_KEY] = time.time() - settings.SESSION_RENEW_SECONDS - 1
    session.save()
    saved = Session.objects.get(session_key=key).expire_date
    client.get(reverse("core:home"))
    assert Session.objects.get(session_key=key).expire_date > saved  # a minute on: the idle limit starts again


def test_sign_out_needs_post_and_is_logged(client, sign_in, caseworker_a):
    sign_in(client, caseworker_a)
    assert client.get(reverse("core:sign-out")).status_code == 405
    response = client.post(reverse("core:sign-out"))
    assert response["Location"] == reverse("core:sign-in") + "?reason=signed-out"
    assert AccessEvent.objects.filter(actor=caseworker_a, action=AccessAction.SIGN_OUT).exists()
    assert client.get(reverse("core:home")).status_code == 302


def test_sign_in_refuses_to_redirect_off_site(client, caseworker_a):
    confirmed_device(caseworker_a)
    response = client.post(
        reverse("core:sign-in") + "?next=https://evil.example/",
        {"username": caseworker_a.email, "password": TEST_PASSWORD},
    )
    assert "evil.example" not in response["Location"]


def test_demo_mode_without_two_factor_shows_a_banner(client, caseworker_a, settings):
    settings.MFA_DISABLED = True
    response = password_step(client, caseworker_a.email)
    assert response["Location"] == reverse("core:home")
    page = client.get(reverse("core:home"))
    assert page.status_code == 200
    assert "two-factor authentication is switched off" in page.text


def test_passwords_are_hashed_with_argon2_outside_tests():
    assert make_password("anything", hasher="argon2").startswith("argon2$argon2id$")
    from django.conf import settings as live

    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in live.PASSWORD_HASHERS[:2]
