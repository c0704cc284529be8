"""Accounts in a real browser (issue 17, issue 13): sign up, sign in with the e-mail in capitals, reset a forgotten
password with the code from the local outbox, change it from the account page, and sign out everywhere — after which
a token captured before is refused by the API itself, not only forgotten by the browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright

from scripts.local_stack.stack import LocalStack, StackOptions

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("e2e-accounts")]

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e-accounts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LAPTOP = {"width": 1280, "height": 800}
UI_TIMEOUT_MS = 20_000
expect.set_options(timeout=UI_TIMEOUT_MS)
FIRST, SECOND, THIRD = "First-password-1!", "Second-password-2?", "Third-password-3#"


@dataclass
class ConsoleWatch:
    """Console errors and uncaught errors of the page; a refused sign-in (a designed 400 of /cognito/) may pass."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type != "error":
                return
            where = (message.location or {}).get("url", "")
            if message.text.startswith("Failed to load resource") and any(p.search(where) for p in self.allowed):
                return
            self.errors.append(f"console error: {message.text} ({where or page.url})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    local = LocalStack(StackOptions(seed=False, poll_wait_seconds=1, failure_visibility_timeout=2))
    local.start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required at /usr/bin/chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def one_worker_runs_them_all(request: pytest.FixtureRequest) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER") and not request.node.nodeid.endswith("@e2e-accounts"):
        pytest.fail(f"pytest-xdist did not group {request.node.nodeid!r}: run with --dist loadgroup")


@pytest.fixture
def page(browser: Browser, stack: LocalStack) -> Iterator[tuple[Page, ConsoleWatch]]:
    context: BrowserContext = browser.new_context(base_url=stack.url, viewport=LAPTOP)
    context.set_default_timeout(UI_TIMEOUT_MS)
    watch = ConsoleWatch()
    opened = context.new_page()
    watch.watch(opened)
    yield opened, watch
    context.close()
    assert not watch.errors, "console errors:\n" + "\n".join(watch.errors)


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
    page: tuple[Page, ConsoleWatch], stack: LocalStack, artifacts: Path
) -> None:
    tab, watch = page
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
    watch.allowed.append(re.compile(r"/cognito/"))
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
