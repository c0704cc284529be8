"""Domain → contract: what each response says about a photo or a share, and nothing else."""

from __future__ import annotations

import dataclasses

from photovault.api import mappers
from photovault.library.views import MediaLinks, PhotoView, ShownPhoto
from photovault.model import Caption, Label, PhotoStatus, Retry
from photovault.pipeline.caption import FALLBACK_MODEL, LOCAL_COMPOSER
from photovault.search.index import stamp_index
from photovault.sharing.views import SharedAlbum, SharedAlbumPhoto, SharedPhoto
from tests.support.fakes import make_photo

LINKS = MediaLinks(expires_at=1_795_600_800, thumb="https://cdn/t", preview="https://cdn/p", original="https://s3/o")


def test_the_detail_shows_the_labels_the_index_holds_with_their_parents() -> None:
    # Given a READY photo indexed at 70 %: a confident child with a parent the analyzer did not list, and a weak label
    photo = make_photo("alice", labels=[("Golden Retriever", 93.0), ("Shadow", 41.0)])
    analysis = dataclasses.replace(
        photo.analysis, labels=(Label("Golden Retriever", 93.0, parents=("Dog",)), Label("Shadow", 41.0))
    )
    indexed, _ = stamp_index(dataclasses.replace(photo, analysis=analysis), 70.0)
    # When it is shown
    detail = mappers.photo_detail(PhotoView(ShownPhoto(indexed, LINKS), albums=[]))
    # Then its labels are exactly the indexed ones, the parent as confident as its child
    assert [(label.name, label.confidence, label.parents) for label in detail.labels] == [
        ("Golden Retriever", 93.0, ["Dog"]),
        ("Dog", 93.0, []),
    ]


def test_a_failed_photo_explains_itself_like_a_rejected_one_and_links_nothing() -> None:
    photo = dataclasses.replace(
        make_photo("alice", status=PhotoStatus.FAILED),
        reason_code="processing_failed",
        reason="We could not process this upload after several attempts.",
    )
    summary = mappers.photo_summary(ShownPhoto(photo, MediaLinks(expires_at=1)))
    assert summary.status is PhotoStatus.FAILED
    assert summary.reason is not None and summary.reason.code == "processing_failed"
    assert (summary.urls.thumb, summary.urls.preview, summary.urls.original) == (None, None, None)
    assert mappers.photo_summary(ShownPhoto(make_photo("alice"), LINKS)).reason is None  # READY: no reason


def test_a_retrying_photo_says_so_and_any_other_says_nothing() -> None:
    photo = make_photo("alice", status=PhotoStatus.PROCESSING)
    retry = Retry(attempts=2, cause="interrupted", since="2026-11-25T10:02:30.000Z")
    summary = mappers.photo_summary(ShownPhoto(photo, MediaLinks(expires_at=1), retry=retry))
    assert summary.status is PhotoStatus.PROCESSING
    assert summary.retry is not None and summary.retry.model_dump() == {
        "attempts": 2,
        "cause": "interrupted",
        "since": "2026-11-25T10:02:30.000Z",
    }
    assert mappers.photo_detail(PhotoView(ShownPhoto(photo, LINKS, retry=retry), albums=[])).retry == summary.retry
    assert mappers.photo_summary(ShownPhoto(make_photo("alice"), LINKS)).retry is None


def test_a_caption_says_whether_a_model_wrote_it() -> None:
    def source(model_id: str, fallback: bool) -> str | None:
        caption = Caption(text="a dog", model_id=model_id, prompt_version="v", fallback=fallback)
        shown = ShownPhoto(dataclasses.replace(make_photo("a"), caption=caption), LINKS)
        return mappers.photo_detail(PhotoView(shown, albums=[])).caption_source

    assert source("anthropic.claude-3-haiku", fallback=False) == "model"
    assert source(FALLBACK_MODEL, fallback=True) == "composed"  # the model failed
    assert source(LOCAL_COMPOSER, fallback=False) == "composed"  # no model configured (the local stack)


def test_a_public_share_carries_the_caption_and_a_preview_only() -> None:
    photo = make_photo("alice", caption="sunset over the bay", filename="secret-name.jpg")
    shared = mappers.public_share(SharedPhoto(photo, "https://cdn/p?sig", 1_000, 5_000))
    assert shared.model_dump() == {
        "caption": "sunset over the bay",
        "preview": {"url": "https://cdn/p?sig", "width": 1600, "height": 1200, "expires_at": 1_000},
        "expires_at": 5_000,
    }


def test_a_public_album_carries_its_title_and_each_photos_caption_and_images_only() -> None:
    # Given a shared album's page: a photo with GPS-free but otherwise full facts, a file name and a date
    photo = make_photo("alice", caption="the harbour", filename="IMG_0042-secret.jpg", taken_at="2023-07-04T10:00:00")
    shared = SharedAlbum(
        title="Summer",
        items=[SharedAlbumPhoto(photo, "https://cdn/t?sig", "https://cdn/p?sig")],
        urls_expire_at=1_000,
        link_expires_at=5_000,
        cursor=None,
    )
    # Then the body is its title and per photo the caption and the two images: no id, date, name or camera
    assert mappers.public_album(shared).model_dump() == {
        "title": "Summer",
        "items": [
            {
                "caption": "the harbour",
                "thumb": {"url": "https://cdn/t?sig", "width": 320, "height": 240, "expires_at": 1_000},
                "preview": {"url": "https://cdn/p?sig", "width": 1600, "height": 1200, "expires_at": 1_000},
            }
        ],
        "cursor": None,
        "expires_at": 5_000,
    }


def test_a_summary_says_the_day_it_is_filed_under_and_its_library_state() -> None:
    with_exif = make_photo("alice", taken_at="2023-07-04T23:59:59-07:00")
    without = make_photo("alice")  # uploaded 2024-03-10T16:00:00.000Z
    assert mappers.photo_summary(ShownPhoto(with_exif, LINKS)).day == "2023-07-04"
    summary = mappers.photo_summary(ShownPhoto(dataclasses.replace(without, favorite=True), LINKS))
    assert (summary.day, summary.favorite, summary.trashed_at) == ("2024-03-10", True, None)


def test_a_search_hit_says_which_words_matched_or_how_much_it_looks_like_the_query() -> None:
    from photovault.library.views import Match, SearchHit, SearchPage
    from photovault.ports import TermMatch

    photo = make_photo("alice", labels=[("Espresso", 80.0)], caption="")
    shown = ShownPhoto(photo=photo, links=LINKS)
    page = SearchPage(
        query="a cup of coffee",
        terms=["cup", "coffee"],
        items=[
            SearchHit(shown=shown, matches=[Match(term="coffee", match=TermMatch("label", 97.0))], similarity=None),
            SearchHit(shown=shown, matches=[], similarity=0.4321987),
        ],
    )
    worded, lookalike = mappers.search_results(page).items
    assert [(m.term, m.field, m.confidence) for m in worded.matches] == [("coffee", "label", 97.0)]
    assert worded.similarity is None
    assert lookalike.matches == [] and lookalike.similarity == 0.4322
