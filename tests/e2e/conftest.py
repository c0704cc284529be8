"""Fixtures of every browser test module: one Chromium per module, its console watched, the module kept together."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, ConsoleWatch


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
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture(autouse=True)
def clean_console(console: ConsoleWatch) -> Iterator[None]:
    console.take()
    yield
    errors = console.take()
    assert not errors, "console errors:\n" + "\n".join(errors)


@pytest.fixture(autouse=True)
def one_worker_runs_them_all(request: pytest.FixtureRequest) -> None:
    """A module's tests build on each other over one stack: under pytest-xdist they must stay the one group their
    ``xdist_group`` mark names (``--dist loadgroup``). pytest 9.2 with pytest-xdist 3.8 dropped the group without a
    word, and the album made on one worker was missing from the trash test on the other; this says so at once."""
    mark = request.node.get_closest_marker("xdist_group")
    if mark is None:
        pytest.fail(f"{request.node.nodeid}: a browser test module needs an xdist_group mark")
    if os.environ.get("PYTEST_XDIST_WORKER") and not request.node.nodeid.endswith(f"@{mark.args[0]}"):
        pytest.fail(f"pytest-xdist did not group {request.node.nodeid!r}: run with --dist loadgroup")
