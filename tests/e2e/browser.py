"""What every browser test module shares: Debian's Chromium, the viewports, the console watch, a context per person."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from scripts.local_stack.stack import LocalStack, StackOptions

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The shortest lifetime of signed media URLs the API accepts (settings: MEDIA_URL_EXPIRY_SECONDS ≥ 30)
SHORTEST_MEDIA_URL_LIFETIME_S = 30
UI_TIMEOUT_MS = 20_000
expect.set_options(timeout=UI_TIMEOUT_MS)  # a shared 2-core machine: Playwright's 5 s is too tight for the pipeline


@dataclass
class ConsoleWatch:
    """Console errors and uncaught errors of every page of the contexts it watches; each test takes its share."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def attach(self, context: BrowserContext, name: str) -> None:
        context.on("page", lambda page: self.watch(page, name))
        for page in context.pages:
            self.watch(page, name)

    def watch(self, page: Page, name: str) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type != "error":
                return
            where = (message.location or {}).get("url", "")
            # The browser itself logs "Failed to load resource" for a 4xx it fetched; only the designed ones pass.
            if message.text.startswith("Failed to load resource") and any(p.search(where) for p in self.allowed):
                return
            self.errors.append(f"[{name}] console error: {message.text} ({where or page.url})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"[{name}] uncaught: {error}"))

    def allow_failed_resource(self, url_pattern: str) -> None:
        self.allowed.append(re.compile(url_pattern))

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        self.allowed = []
        return errors


def new_context(
    browser: Browser, stack: LocalStack, console: ConsoleWatch, name: str, **options: Any
) -> BrowserContext:
    context = browser.new_context(base_url=stack.url, viewport=options.pop("viewport", LAPTOP), **options)
    context.set_default_timeout(UI_TIMEOUT_MS)
    console.attach(context, name)
    return context


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/")
    expect(page.get_by_test_id("signin-form")).to_be_visible()
    page.get_by_test_id("auth-email").fill(username)
    page.get_by_test_id("auth-password").fill(password)
    page.get_by_test_id("auth-password").press("Enter")
    expect(page.get_by_test_id("current-user")).to_have_text(username)


@contextmanager
def demo_signed_in(browser: Browser, stack: LocalStack, console: ConsoleWatch, name: str) -> Iterator[BrowserContext]:
    """A browser context signed in as the stack's demo user (its session kept in the context), closed afterwards."""
    context = new_context(browser, stack, console, name)
    page = context.new_page()
    sign_in(page, stack.resources.demo_username, stack.resources.demo_password)
    page.close()
    try:
        yield context
    finally:
        context.close()


@contextmanager
def unseeded_stack(*, media_url_lifetime_s: int | None = None) -> Iterator[LocalStack]:
    """A local stack of its own for a browser module: no demo photos, quick polling and retries; signed media URLs
    that live `media_url_lifetime_s` when given (a test can outlive them)."""
    extra = {"MEDIA_URL_EXPIRY_SECONDS": str(media_url_lifetime_s)} if media_url_lifetime_s else {}
    local = LocalStack(
        StackOptions(seed=False, poll_wait_seconds=1, failure_visibility_timeout=2, extra_environment=extra)
    )
    local.start()
    try:
        yield local
    finally:
        local.stop()


def fresh_folder(name: str) -> Path:
    """``test-artifacts/<name>``, emptied: where a module's screenshots go."""
    folder = REPO_ROOT / "test-artifacts" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def all_loaded(selector: str) -> str:
    """A page function: every image matching `selector` has loaded (a broken one has no natural width)."""
    return f"() => [...document.querySelectorAll({json.dumps(selector)})].every(i => i.complete && i.naturalWidth > 0)"


def expiry_of(url: str) -> int:
    """The epoch second a signed media URL stops working."""
    found = re.search(r"[?&]Expires=(\d+)", url)
    assert found, url
    return int(found.group(1))
