"""Places and the map in a real browser (issue 16): real photographs with EXIF GPS written into them are named at ingest
by the offline geocoder; "zurich" finds the one taken in Zürich; the map draws the owner's photos over Natural Earth's
countries (served by the app itself) with the Zürich photo in the cluster over Switzerland, and opens it from there —
with no failed request and no request outside the app's origin; a share of it shows no place to anyone."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Response, expect

from scripts.local_stack.config import VENDOR_ROOT
from scripts.local_stack.stack import LocalStack
from tests.e2e.browser import (
    LAPTOP,
    PHONE,
    SHORTEST_MEDIA_URL_LIFETIME_S,
    ConsoleWatch,
    all_loaded,
    demo_signed_in,
    expiry_of,
    fresh_folder,
    new_context,
    unseeded_stack,
)
from tests.e2e.real_photos import SOURCES
from tests.support.geo import geotagged_jpeg

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("e2e-map")]

SETTLE_TIMEOUT_MS = 180_000
# Real photographs (scikit-image's, inside its wheel) and where the test says they were taken.
# Their names say nothing of the place: only the GPS in their EXIF does.
PLACES = {
    "cat.jpg": ("chelsea", (47.3769, 8.5417)),  # Zürich's old town
    "espresso.jpg": ("coffee", (47.3779, 8.5403)),  # Zürich main station: the same cluster at country zoom
    "rocket.jpg": ("rocket", (35.6895, 139.6917)),  # Tokyo
    "astronaut.jpg": ("astronaut", (29.5593, -95.0900)),  # Houston
}
NO_GPS = "motorcycle.jpg"
SWITZERLAND = {"lat": (45.8, 47.9), "lon": (5.9, 10.6)}
# Natural Earth 1:50m, as the map loads it
ATLAS = json.loads((VENDOR_ROOT / "world-atlas" / "countries-50m.json").read_text(encoding="utf-8"))


@dataclass
class Traffic:
    """Every request a page made, and what went wrong with any of them."""

    origin: str
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("request", self._request)
        page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url} {request.failure}"))
        page.on("response", self._response)

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)
        if not (request.url.startswith(self.origin + "/") or request.url.startswith("data:")):
            self.problems.append(f"outside the app's origin: {request.url}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # Short-lived media URLs: the map's markers must outlive them
    with unseeded_stack(media_url_lifetime_s=SHORTEST_MEDIA_URL_LIFETIME_S) as local:
        yield local


@pytest.fixture(scope="module")
def artifacts() -> Path:
    return fresh_folder("e2e-map")


@pytest.fixture(scope="module")
def owner(browser: Browser, stack: LocalStack, console: ConsoleWatch) -> Iterator[BrowserContext]:
    with demo_signed_in(browser, stack, console, "owner") as context:
        yield context


@pytest.fixture(scope="module")
def photos(owner: BrowserContext, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The photographs uploaded through the page, each READY: file name → photo id."""
    folder = tmp_path_factory.mktemp("places")
    files = []
    for name, (source, (lat, lon)) in PLACES.items():
        (folder / name).write_bytes(geotagged_jpeg(SOURCES[source](), lat, lon))
        files.append(folder / name)
    plain = io.BytesIO()
    SOURCES["motorcycle"]().save(plain, "JPEG", quality=88)
    (folder / NO_GPS).write_bytes(plain.getvalue())
    files.append(folder / NO_GPS)
    page = owner.new_page()
    page.goto("/")
    page.get_by_test_id("file-input").set_input_files([str(file) for file in files])
    ids: dict[str, str] = {}
    for file in files:
        item = page.locator(f'[data-testid=upload-item][data-name="{file.name}"]')
        expect(item).to_have_attribute("data-state", "READY", timeout=SETTLE_TIMEOUT_MS)
        ids[file.name] = str(item.get_attribute("data-photo-id"))
    page.close()
    return ids


def test_zurich_finds_the_photo_taken_in_zurich_and_its_place_is_a_facet(
    owner: BrowserContext, photos: dict[str, str], artifacts: Path
) -> None:
    page = owner.new_page()
    page.goto("/")
    page.get_by_test_id("search-input").fill("zurich")
    page.get_by_test_id("search-input").press("Enter")
    results = page.get_by_test_id("search-results").get_by_test_id("photo-card")
    expect(results).to_have_count(2)
    found = {str(card.get_attribute("data-photo-id")) for card in results.all()}
    assert found == {photos["cat.jpg"], photos["espresso.jpg"]}
    # Each says why: where it was taken (its EXIF GPS, named at ingest), and nothing else
    for card in results.all():
        expect(card).to_contain_text("matched place")
        expect(card).not_to_contain_text("matched filename")
    chips = page.get_by_test_id("place-facet")
    expect(page.locator('[data-testid=place-facet][data-place="Switzerland"]')).to_contain_text("2")
    expect(page.locator('[data-testid=place-facet][data-place="Japan"]')).to_contain_text("1")
    assert chips.count() >= 5  # the cities, regions and countries of three places
    page.screenshot(path=artifacts / "01-search-zurich.png", full_page=True)
    # The photo's own page names the place, for its owner
    page.goto(f"/photos/{photos['cat.jpg']}")
    expect(page.get_by_test_id("fact-place")).to_have_text("Zürich, Switzerland")
    page.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_map_shows_the_zurich_photo_over_switzerland_with_no_request_leaving_the_app(
    owner: BrowserContext, stack: LocalStack, photos: dict[str, str], artifacts: Path, viewport: dict[str, int]
) -> None:
    page = owner.new_page()
    page.set_viewport_size(viewport)
    traffic = Traffic(origin=stack.url)
    traffic.watch(page)
    page.goto("/map")
    frame = page.get_by_test_id("map")
    expect(frame).to_have_attribute("aria-busy", "false")
    expect(frame).to_have_attribute("data-points", str(len(PLACES)))
    expect(page.locator("path.map-country")).to_have_count(len(ATLAS["objects"]["countries"]["geometries"]))
    expect(page.get_by_test_id("map-summary")).to_contain_text("4 photos with a location")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.map-marker-img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    name = "laptop" if viewport == LAPTOP else "phone"
    page.screenshot(path=artifacts / f"02-map-{name}.png", full_page=True)

    # Zoomed out to show the world's photos, the two Zürich photos are one cluster, over Switzerland
    zurich = {photos["cat.jpg"], photos["espresso.jpg"]}
    clusters = [marker_of(element) for element in page.get_by_test_id("map-cluster").all()]
    over = [c for c in clusters if zurich <= set(c["ids"])]
    assert len(over) == 1, clusters
    cluster = over[0]
    assert SWITZERLAND["lat"][0] < cluster["lat"] < SWITZERLAND["lat"][1], cluster
    assert SWITZERLAND["lon"][0] < cluster["lon"] < SWITZERLAND["lon"][1], cluster
    assert photos[NO_GPS] not in {i for c in clusters for i in c["ids"]}  # no position, not on the map
    # …and drawn where Switzerland is drawn: the marker's centre is on the Swiss shape
    marker = page.locator(f'[data-testid=map-cluster][data-photo-ids~="{photos["cat.jpg"]}"]')
    box = marker.bounding_box()
    assert box is not None
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    under = page.evaluate(
        """([x, y]) => {
            const markers = document.querySelector('[data-testid=map-markers]');
            markers.style.visibility = 'hidden';
            const found = document.elementFromPoint(x, y);
            markers.style.visibility = '';
            return found && found.dataset ? found.dataset.country : null;
        }""",
        list(centre),
    )
    assert under == "Switzerland", f"the Zürich cluster is drawn over {under!r}"

    # A click on the cluster opens its photos; a photo there opens the viewer
    marker.click()
    grid = page.get_by_test_id("map-photos").get_by_test_id("photo-card")
    expect(grid).to_have_count(2)
    assert {str(card.get_attribute("data-photo-id")) for card in grid.all()} == zurich
    page.screenshot(path=artifacts / f"03-map-cluster-{name}.png", full_page=True)
    page.get_by_test_id("map-photos").locator(f'[data-photo-id="{photos["cat.jpg"]}"] a').click()
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-photo-id", photos["cat.jpg"])
    expect(page.get_by_test_id("photo-preview")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("viewer")).to_have_count(0)
    expect(page).to_have_url(f"{stack.url}/map")

    # Zoom and pan: the buttons and the keyboard move the view, and the markers follow
    before = marker.bounding_box()
    page.get_by_test_id("map-zoom-in").click()
    after = page.locator(f'[data-testid=map-cluster][data-photo-ids~="{photos["cat.jpg"]}"]').bounding_box()
    assert before is not None and after is not None and (before["x"], before["y"]) != (after["x"], after["y"])
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal overflow at {viewport}"

    # Every request the map made was the app's own, and none failed: the base layer ships with the app
    assert not traffic.problems, "\n".join(traffic.problems)
    assert any("/vendor/world-atlas/countries-50m.json" in url for url in traffic.requests)
    assert any("/vendor/topojson-client/src/index.js" in url for url in traffic.requests)
    page.close()


def marker_of(element: Any) -> dict[str, Any]:
    return {
        "ids": str(element.get_attribute("data-photo-ids")).split(),
        "lat": float(str(element.get_attribute("data-lat"))),
        "lon": float(str(element.get_attribute("data-lon"))),
    }


def test_a_share_of_the_zurich_photo_shows_no_place_and_no_position(
    owner: BrowserContext, browser: Browser, stack: LocalStack, console: ConsoleWatch, photos: dict[str, str]
) -> None:
    page = owner.new_page()
    page.goto(f"/photos/{photos['cat.jpg']}")
    page.get_by_test_id("share-button").click()
    dialog = page.get_by_test_id("share-dialog")
    dialog.get_by_test_id("create-share").click()
    link = str(dialog.get_by_test_id("share-url").input_value())
    page.close()

    guest = new_context(browser, stack, console, "guest")
    public = guest.new_page()
    # The body is read after the page shows the share: a "response" listener reading it raced the assertion
    with public.expect_response(lambda response: "/api/public/shares/" in response.url) as share_answer:
        public.goto(link)
    expect(public.get_by_test_id("public-share")).to_be_visible()
    answers = [share_answer.value.text()]
    assert set(json.loads(answers[0])) == {"caption", "preview", "expires_at"}  # no place, no location field
    shown = public.get_by_test_id("public-share").inner_text()
    for private in ("Zürich", "Zurich", "Switzerland", "47.37", "8.54"):
        assert private not in answers[0], f"{private!r} in the public share response: {answers[0][:400]}"
        assert private not in shown, f"{private!r} on the public share page"
    guest.close()


def test_markers_drawn_after_their_first_urls_ran_out_still_show_their_photos(
    owner: BrowserContext, photos: dict[str, str], artifacts: Path
) -> None:
    page = owner.new_page()
    page.goto("/map")
    images = page.locator("[data-testid=map-cluster] img")
    expect(images.first).to_be_visible()
    page.wait_for_function(all_loaded("[data-testid=map-cluster] img"))
    first = images.evaluate_all("els => els.map(e => e.getAttribute('src'))")
    expired_at = max(expiry_of(url) for url in first)
    page.wait_for_timeout(max(0.0, expired_at + 1 - time.time()) * 1000)
    assert page.request.get(first[0]).status == 403, "the first URLs should have expired"

    # The page, left open, kept its markers' URLs fresh: markers drawn again (zoom, pan) load, with newer URLs
    for control in ("map-zoom-in", "map-zoom-out", "map-fit"):
        page.get_by_test_id(control).click()
        expect(images.first).to_be_visible()
        page.wait_for_function(all_loaded("[data-testid=map-cluster] img"))
        shown = images.evaluate_all("els => els.map(e => e.getAttribute('src'))")
        assert shown and all(expiry_of(url) > expired_at for url in shown), (control, shown)
    expect(page.locator("[data-testid=map-cluster] img.img-broken")).to_have_count(0)
    page.screenshot(path=artifacts / "05-map-past-url-lifetime.png")
    page.close()
