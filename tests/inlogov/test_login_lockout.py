"""Staff sign-in resists password guessing (acceptance point 2 of the hardening issue).

django-axes locks an account for the address it is being guessed from after AXES_FAILURE_LIMIT
failures; the lock holds even against the correct password; other accounts are unaffected.
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

LOGIN_URL = "/admin/login/?next=/admin/"
GOOD_PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Each attempt hashes a password; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    users = get_user_model()
    editor = users.objects.create_user("editor", "editor@example.org", GOOD_PASSWORD, is_staff=True)
    other = users.objects.create_user("colleague", "colleague@example.org", GOOD_PASSWORD, is_staff=True)
    return editor, other


def _login(client, username, password, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}, **extra)


def _assert_locked_page(response, username="editor"):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in temporarily locked" in html
    assert f"Too many failed sign-in attempts for the account “{username}” from this address" in html
    assert "even with the correct password" in html
    assert f"locked for {settings.AXES_COOLOFF_TIME * 60:.0f} minutes" in html
    assert "_auth_user_id" not in response.client.session


def test_failed_sign_ins_below_the_limit_show_the_usual_error(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "editor", "wrong guess")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
        assert "Sign-in temporarily locked" not in response.content.decode()
    # Still below the limit: the right password works.
    response = _login(client, "editor", GOOD_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_account_is_locked_after_the_failure_limit_with_a_clear_message(client, staff):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "editor", "wrong guess")
    _assert_locked_page(_login(client, "editor", "wrong guess"))


def test_correct_password_is_refused_while_locked(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "editor", "wrong guess")
    _assert_locked_page(_login(client, "editor", GOOD_PASSWORD))
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_spoofed_forwarded_for_header_does_not_escape_the_lock(client, staff):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "editor", "wrong guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    _assert_locked_page(_login(client, "editor", GOOD_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7"))


def test_another_account_from_the_same_address_is_unaffected(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "editor", "wrong guess")
    response = _login(client, "colleague", GOOD_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_lockout_ends_after_the_cool_off_period(client, staff, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "editor", "wrong guess")
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(seconds=1))
    response = _login(client, "editor", GOOD_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Sh0rt!pass", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("804512937164", "This password is entirely numeric."),
        ("editor.example.org", "The password is too similar to the email address."),
    ],
)
def test_weak_passwords_are_rejected(staff, password, message):
    editor, _other = staff
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password, user=editor)
    assert message in excinfo.value.messages


def test_long_passphrase_is_accepted(staff):
    editor, _other = staff
    assert validate_password("plum orchard lantern 1987 quietly", user=editor) is None
