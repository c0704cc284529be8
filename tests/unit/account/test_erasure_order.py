"""Account deletion's erasers run in an order that leaves nothing behind: what is found only through the photo items
is erased before them, the quota item before any purge could give bytes back to it, the user last."""

from __future__ import annotations

from typing import Any

from photovault.account.erasure import Stores, erasers

UNUSED: Any = None  # building the list touches no store


def names(*, vectors: Any, email: Any = None) -> list[str]:
    stores = Stores(
        catalog=UNUSED,
        items=UNUSED,
        leftovers=UNUSED,
        originals=UNUSED,
        derivatives=UNUSED,
        exports=UNUSED,
        users=UNUSED,
        vectors=vectors,
        monotonic=lambda: 0.0,
        email=email,
    )
    return [eraser.name for eraser in erasers(stores)]


def test_stores_found_through_the_photo_items_are_erased_before_the_photo_items() -> None:
    order = names(vectors=object())
    for through_photos in ("vectors", "derivatives", "index"):
        assert order.index(through_photos) < order.index("library"), order
    assert order.index("quota") < order.index("index") < order.index("library")  # no purge can free bytes later
    assert order[0] == "shares" and order[-1] == "user", order
    assert len(set(order)) == len(order)


def test_without_search_by_meaning_there_is_no_vector_eraser() -> None:
    assert "vectors" not in names(vectors=None)


def test_faces_and_the_email_subscription_go_before_the_owners_partition_and_the_user_last() -> None:
    order = names(vectors=object(), email=object())
    # the face index is found through the owner alone; the unsubscribe needs the opt-in item in the owner's partition
    assert order.index("faces") < order.index("library") and order.index("email") < order.index("library"), order
    assert order[-1] == "user", order


def test_without_an_events_topic_there_is_no_email_eraser() -> None:
    assert "email" not in names(vectors=None)
