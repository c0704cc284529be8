"""Accounts in a real browser (issue 17, issue 13): sign up, sign in with the e-mail in capitals, reset a forgotten
password with the code from the local outbox, change it from the account page, and sign out everywhere — after which
a token captured before is refused by the API itself, not only forgotten by the browser; enrol TOTP and sign in with
a code computed here from the shared secret. Then leaving: download everything, delete the account, and find it
can no longer sign in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.local_stack.stack import LocalStack, StackOptions
from tests.e2e.browser import ConsoleWatch, fresh_folder, new_context
from tests.e2e.real_photos import real_photo

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("e2e-accounts")]

FIRST, SECOND, THIRD = "First-password-1!", "Second-password-2?", "Third-password-3#"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    local = LocalStack(StackOptions(seed=False, poll_wait_seconds=1, failure_visibility_timeout=2))
    local.start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    return fresh_folder("e2e-accounts")


@pytest.fixture
def page(browser: Browser, stack: LocalStack, console: ConsoleWatch) -> Iterator[Page]:
    context = new_context(browser, stack, console, "tab")
    yield context.new_page()
    context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/signin")
    page.get_by_test_id("auth-email").fill(email)
    page.get_by_test_id("auth-password").fill(password)
    page.get_by_test_id("auth-submit").click()


def session_token(page: Page) -> str:
    return str(json.loads(page.evaluate("localStorage.getItem('photovault.session')"))["idToken"])


def api_status(page: Page, token: str) -> int:
    return page.request.get("/api/photos", headers={"Authorization": f"Bearer {token}"}).status


def test_sign_up_reset_change_and_sign_out_everywhere(
    page: Page, console: ConsoleWatch, stack: LocalStack, artifacts: Path
) -> None:
    tab = page
    email = f"ana-{uuid.uuid4().hex[:6]}@example.com"

    # Sign up, sign out, sign in with the e-mail in capitals (a phone capitalises it)
    tab.goto("/signup")
    tab.get_by_test_id("auth-email").fill(email)
    tab.get_by_test_id("auth-password").fill(FIRST)
    tab.get_by_test_id("auth-submit").click()
    expect(tab.get_by_test_id("current-user")).to_have_text(email)
    tab.get_by_test_id("sign-out").click()
    sign_in(tab, email.upper(), FIRST)
    expect(tab.get_by_test_id("current-user")).to_have_text(re.compile(email, re.IGNORECASE))
    before_reset = session_token(tab)
    tab.get_by_test_id("sign-out").click()

    # Forgot password: the code arrives in the local outbox, never in the page
    expect(tab.get_by_test_id("signin-form")).to_be_visible()
    tab.get_by_test_id("auth-email").fill(email)
    tab.get_by_test_id("goto-forgot").click()
    expect(tab.get_by_test_id("forgot-email")).to_have_value(email)
    tab.screenshot(path=str(artifacts / "01-forgot.png"))
    tab.get_by_test_id("forgot-submit").click()
    expect(tab.get_by_test_id("reset-sent")).to_contain_text("we sent a code")
    messages = tab.request.get("/_local/outbox").json()["messages"]
    (code,) = [m["code"] for m in messages if m["to"] == email and m["code"]]
    assert code not in tab.content()
    tab.get_by_test_id("reset-code").fill(code)
    tab.get_by_test_id("reset-password").fill(SECOND)
    tab.screenshot(path=str(artifacts / "02-reset.png"))
    tab.get_by_test_id("reset-submit").click()
    expect(tab.get_by_test_id("current-user")).to_have_text(email)
    assert api_status(tab, before_reset) == 401  # the reset ended the sessions started before it

    # The old password fails
    tab.get_by_test_id("sign-out").click()
    console.allow_failed_resource(r"/cognito/")
    sign_in(tab, email, FIRST)
    expect(tab.get_by_test_id("auth-error")).to_have_text("Incorrect email or password.")
    sign_in(tab, email, SECOND)
    expect(tab.get_by_test_id("current-user")).to_have_text(email)

    # Change the password from the account page
    tab.get_by_test_id("current-user").click()
    expect(tab.get_by_test_id("account-email")).to_have_text(email)
    tab.get_by_test_id("current-password").fill(SECOND)
    tab.get_by_test_id("new-password").fill(THIRD)
    tab.get_by_test_id("change-password-submit").click()
    expect(tab.get_by_test_id("toast").last).to_have_text("Password changed. Other devices are signed out.")
    tab.screenshot(path=str(artifacts / "03-account.png"))

    # Sign out everywhere: a token captured before it is refused by the API
    captured = session_token(tab)
    assert api_status(tab, captured) == 200
    tab.get_by_test_id("sign-out-everywhere").click()
    expect(tab.get_by_test_id("signin-form")).to_be_visible()
    assert api_status(tab, captured) == 401
    tab.screenshot(path=str(artifacts / "04-signed-out.png"))
    # A token minted in the very second of the sign-out is refused too (`iat` has whole seconds; the API errs on the
    # safe side): a person takes longer than that to sign in again, this test waits for the next second.
    time.sleep(1.05 - time.time() % 1)
    sign_in(tab, email, THIRD)
    expect(tab.get_by_test_id("current-user")).to_have_text(email)


def authenticator_code(secret: str, at: float) -> str:
    """What an authenticator app shows (RFC 6238: HMAC-SHA1 of the 30-second step, dynamic truncation, 6 digits) —
    written here again, not imported from the local stack that checks it."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, int(at // 30).to_bytes(8, "big"), "sha1").digest()
    offset = digest[19] & 15
    return f"{int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF:010d}"[-6:]


def test_totp_enrolment_then_sign_in_asks_for_the_code_and_refuses_a_wrong_one(
    page: Page, console: ConsoleWatch, stack: LocalStack, artifacts: Path
) -> None:
    tab = page
    email = f"tom-{uuid.uuid4().hex[:6]}@example.com"
    tab.goto("/signup")
    tab.get_by_test_id("auth-email").fill(email)
    tab.get_by_test_id("auth-password").fill(FIRST)
    tab.get_by_test_id("auth-submit").click()
    expect(tab.get_by_test_id("current-user")).to_have_text(email)

    # Enrol: the page shows the secret and its otpauth:// link; a wrong code is refused, the app's code accepted
    tab.get_by_test_id("current-user").click()
    expect(tab.get_by_test_id("totp-status")).to_contain_text("Off")
    tab.get_by_test_id("totp-enable").click()
    secret = tab.get_by_test_id("totp-secret").get_attribute("data-secret") or ""
    assert len(secret) == 32
    expect(tab.get_by_test_id("totp-uri")).to_have_text(re.compile(rf"^otpauth://totp/PhotoVault%3A.*secret={secret}"))
    tab.screenshot(path=str(artifacts / "05-totp-setup.png"))
    console.allow_failed_resource(r"/cognito/")
    tab.get_by_test_id("totp-code").fill(authenticator_code(secret, time.time() + 600))
    tab.get_by_test_id("totp-submit").click()
    expect(tab.get_by_test_id("totp-error")).to_contain_text("That code is not right")
    tab.get_by_test_id("totp-code").fill(authenticator_code(secret, time.time()))
    tab.get_by_test_id("totp-submit").click()
    expect(tab.get_by_test_id("totp-status")).to_contain_text("On")

    # The e-mail digest, opted in on the same page: an SNS e-mail subscription to this address
    expect(tab.get_by_test_id("notify-status")).to_have_text("Off: nothing is e-mailed.")
    tab.get_by_test_id("notify-email").check()
    expect(tab.get_by_test_id("notify-status")).to_contain_text(f"to {email}")
    sns = stack.client("sns")
    topic = stack.resources.events_topic_arn
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == [email]
    tab.screenshot(path=str(artifacts / "07-account-mfa-notifications.png"))

    # Sign in again: the password alone is not enough; a wrong code is refused with a clear message
    tab.get_by_test_id("sign-out").click()
    expect(tab.get_by_test_id("signin-form")).to_be_visible()
    expect(tab.get_by_test_id("social-sign-in")).to_have_count(0)  # no identity provider is configured locally
    sign_in(tab, email.upper(), FIRST)
    expect(tab.get_by_test_id("mfa-form")).to_be_visible()
    tab.get_by_test_id("mfa-code").fill(authenticator_code(secret, time.time() - 600))
    tab.get_by_test_id("mfa-submit").click()
    expect(tab.get_by_test_id("auth-error")).to_have_text(
        "That code is not right. Enter the newest 6-digit code from your authenticator app."
    )
    tab.screenshot(path=str(artifacts / "06-totp-wrong.png"))
    tab.get_by_test_id("mfa-code").fill(authenticator_code(secret, time.time()))
    tab.get_by_test_id("mfa-submit").click()
    expect(tab.get_by_test_id("current-user")).to_have_text(re.compile(email, re.IGNORECASE))

    # Turn it off: the password alone signs in again
    tab.get_by_test_id("current-user").click()
    tab.get_by_test_id("totp-disable").click()
    expect(tab.get_by_test_id("totp-status")).to_contain_text("Off")
    tab.get_by_test_id("sign-out").click()
    sign_in(tab, email, FIRST)
    expect(tab.get_by_test_id("current-user")).to_have_text(email)


def test_download_everything_then_delete_the_account_which_can_no_longer_sign_in(
    page: Page, console: ConsoleWatch, stack: LocalStack, artifacts: Path, tmp_path: Path
) -> None:
    tab = page
    email = f"leaving-{uuid.uuid4().hex[:6]}@example.com"
    tab.goto("/signup")
    tab.get_by_test_id("auth-email").fill(email)
    tab.get_by_test_id("auth-password").fill(FIRST)
    tab.get_by_test_id("auth-submit").click()
    expect(tab.get_by_test_id("current-user")).to_have_text(email)

    # One photo, through the page and the pipeline
    photo = real_photo("coffee", "2021:06:01 09:30:00", "coffee.jpg")
    (tmp_path / photo.name).write_bytes(photo.data)
    tab.get_by_test_id("file-input").set_input_files([str(tmp_path / photo.name)])
    expect(tab.locator('[data-testid=upload-item][data-name="coffee.jpg"]')).to_have_attribute(
        "data-state", "READY", timeout=120_000
    )

    # The account page counts it, and "Download everything" gives its original byte for byte, with its metadata
    tab.get_by_test_id("current-user").click()
    expect(tab.get_by_test_id("usage")).to_contain_text("1 photo ·")
    tab.get_by_test_id("export-everything").click()
    dialog = tab.get_by_test_id("download-dialog")
    expect(dialog.get_by_test_id("download-status")).to_have_text(
        "Ready. Each link works for a limited time.", timeout=60_000
    )
    with tab.expect_download() as started:
        dialog.get_by_test_id("download-file").click()
    with zipfile.ZipFile(started.value.path()) as archive:
        assert archive.read("coffee.jpg") == photo.data
        metadata = json.loads(archive.read("metadata.json"))
    (exported,) = metadata["photos"]
    assert exported["file"] == "coffee.jpg" and exported["sha256"] == hashlib.sha256(photo.data).hexdigest()
    tab.screenshot(path=str(artifacts / "05-export.png"))
    tab.keyboard.press("Escape")

    # Delete my account: only the typed word arms the button; the page follows the deletion, then signs out
    captured = session_token(tab)
    console.allow_failed_resource(r"/api/jobs/")  # the deletion job answers 404 once the account is gone: the end
    delete = tab.get_by_test_id("delete-account")
    expect(delete).to_be_disabled()
    tab.get_by_test_id("delete-confirm").fill("delete")
    expect(delete).to_be_disabled()
    tab.get_by_test_id("delete-confirm").fill("DELETE")
    delete.click()
    expect(tab.get_by_test_id("delete-status")).to_be_visible()
    tab.screenshot(path=str(artifacts / "06-deleting.png"))
    expect(tab.get_by_test_id("signin-form")).to_be_visible(timeout=60_000)
    expect(tab.get_by_test_id("toast").last).to_have_text("Your account has been deleted.")
    assert api_status(tab, captured) == 401  # a token from before is refused, though it has not expired

    # And the account can no longer sign in
    console.allow_failed_resource(r"/cognito/")
    sign_in(tab, email, FIRST)
    expect(tab.get_by_test_id("auth-error")).to_have_text("Incorrect email or password.")
    tab.screenshot(path=str(artifacts / "07-deleted.png"))
