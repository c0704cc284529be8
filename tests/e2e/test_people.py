"""People in headless Chromium against `make run`'s stack, with the real offline face index (dlib).

Three real portraits are uploaded through the page — the astronaut, the astronaut mirrored (a second photo of her)
and Grace Hopper — and then a person does what the people page is for: sees two people with their face crops, names
one, merges the other into her by mistake, takes the wrong face out again, and finds her photos by her name and by
the person chip in search. Screenshots go to ``test-artifacts/e2e-people/``; any console error fails the test.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageOps
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from scripts.local_stack.stack import LocalStack
from tests.e2e.browser import PHONE, ConsoleWatch, demo_signed_in, fresh_folder, unseeded_stack
from tests.e2e.real_photos import jpeg_with_exif, real_photo

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("e2e-browser")]

SETTLE_TIMEOUT_MS = 240_000
CROPS_LOADED = "() => [...document.querySelectorAll('.person-face')].every(i => i.complete && i.naturalWidth > 0)"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with unseeded_stack() as local:
        yield local


@pytest.fixture(scope="module")
def artifacts() -> Path:
    return fresh_folder("e2e-people")


@pytest.fixture(scope="module")
def owner(browser: Browser, stack: LocalStack, console: ConsoleWatch) -> Iterator[BrowserContext]:
    with demo_signed_in(browser, stack, console, "people-owner") as context:
        yield context


@pytest.fixture(scope="module")
def uploaded(owner: BrowserContext, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("portraits")
    astronaut = real_photo("astronaut", "2023:07:14 18:30:00")
    mirrored = ImageOps.mirror(Image.open(io.BytesIO(astronaut.data)))
    files = {
        "astronaut.jpg": astronaut.data,
        "astronaut-again.jpg": jpeg_with_exif(mirrored, "2023:07:15 09:00:00"),
        "grace-hopper.jpg": real_photo("grace-hopper", "2021:03:10 15:00:00").data,
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    page = owner.new_page()
    page.goto("/")
    page.get_by_test_id("file-input").set_input_files([str(folder / name) for name in files])
    for name in files:
        item = page.locator(f'[data-testid=upload-item][data-name="{name}"]')
        expect(item).to_have_attribute("data-state", "READY", timeout=SETTLE_TIMEOUT_MS)
    page.close()


def person_card(page: Page, photos: str) -> Locator:
    return page.get_by_test_id("person-card").filter(has=page.get_by_test_id("person-count").get_by_text(photos))


def test_people_page_rename_merge_take_a_face_out_and_search_by_name(
    owner: BrowserContext, uploaded: None, artifacts: Path
) -> None:
    page = owner.new_page()
    page.goto("/")
    page.locator('[data-nav="people"]').click()
    expect(page).to_have_url(re.compile(r"/people$"))
    expect(page.get_by_test_id("person-card")).to_have_count(2)
    page.wait_for_function(CROPS_LOADED)
    expect(person_card(page, "2 photos")).to_have_count(1)  # both photos of the astronaut are one person
    page.screenshot(path=artifacts / "01-people.png")

    # Name her
    person_card(page, "2 photos").get_by_role("link").click()
    expect(page.get_by_test_id("face")).to_have_count(2)
    page.get_by_test_id("rename-person").click()
    page.get_by_test_id("prompt-input").fill("Eileen Collins")
    page.get_by_test_id("prompt-ok").click()
    expect(page.get_by_test_id("person-title")).to_have_text("Eileen Collins")
    page.screenshot(path=artifacts / "02-person-named.png")

    # Merge the other person into her (a mistake a person makes), then take the wrong face out again
    hers = set(page.get_by_test_id("face").evaluate_all("els => els.map(e => e.dataset.faceId)"))
    page.get_by_test_id("merge-person").click()
    expect(page.get_by_test_id("merge-choice")).to_have_count(1)
    page.screenshot(path=artifacts / "03-merge-choice.png")
    page.get_by_test_id("merge-choice").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("person-face-count")).to_have_text("3 photos")
    expect(page.get_by_test_id("face")).to_have_count(3)
    page.wait_for_function(CROPS_LOADED)
    page.screenshot(path=artifacts / "04-merged.png")
    (grace,) = set(page.get_by_test_id("face").evaluate_all("els => els.map(e => e.dataset.faceId)")) - hers
    page.locator(f'[data-testid=face][data-face-id="{grace}"]').get_by_test_id("remove-face").click()
    expect(page.get_by_test_id("person-face-count")).to_have_text("2 photos")
    expect(page.get_by_test_id("face")).to_have_count(2)

    page.goto("/people")
    expect(page.get_by_test_id("person-card")).to_have_count(2)
    expect(page.get_by_test_id("person-name").first).to_have_text("Eileen Collins")  # named people first

    # Her name finds her photos, and the person chip narrows a search to her
    page.get_by_test_id("search-input").fill("eileen")
    page.get_by_test_id("search-input").press("Enter")
    expect(page.get_by_test_id("photo-card")).to_have_count(2)
    expect(page.get_by_test_id("person-facet")).to_have_count(1)
    page.screenshot(path=artifacts / "05-search-by-name.png")
    page.get_by_test_id("person-facet").click()
    expect(page).to_have_url(re.compile(r"/search\?q=eileen&person="))
    expect(page.get_by_test_id("photo-card")).to_have_count(2)

    # The phone layout
    page.set_viewport_size(PHONE)
    page.goto("/people")
    expect(page.get_by_test_id("person-card")).to_have_count(2)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal overflow at 390 px: {width}"
    page.screenshot(path=artifacts / "06-people-phone.png")
    page.close()
