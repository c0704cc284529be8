"""Library use cases on in-memory ports: uploads, the timeline and its views, detail, favourites, trash, restore,
delete forever and the purge that follows."""

from __future__ import annotations

import pytest

from photovault import keys
from photovault.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from photovault.images.formats import ACCEPTED_MIME_TYPES
from photovault.library.service import BeingProcessed, NotInLibrary, NotInTrash
from photovault.model import Photo, PhotoStatus, PipelineError, Retry, SourceObject
from photovault.ports import Collection, LibraryView
from tests.support.fakes import World, make_photo, make_world

TIMELINE = LibraryView(Collection.TIMELINE)

MB = 1024 * 1024


def test_an_upload_creates_a_pending_photo_and_a_post_for_exactly_its_key() -> None:
    # Given alice
    world = make_world()
    # When she asks to upload "C:\\pics\\beach.JPG" as image/JPEG
    ticket = world.library.request_upload("alice", filename="C:\\pics\\beach.JPG", content_type="image/JPEG", size=MB)
    # Then a PENDING photo exists with the cleaned filename, and the POST targets uploads/alice/<id>, takes at most
    # the bytes she declared and expires within ten minutes
    photo = world.repo.get("alice", ticket.photo.photo_id)
    assert photo is not None and photo.status is PhotoStatus.PENDING and photo == ticket.photo
    assert photo.filename == "beach.JPG" and photo.content_type == "image/jpeg"
    key = keys.originals_key("alice", photo.photo_id)
    assert ticket.post.fields["key"] == key
    assert world.presigner.posts == [{"key": key, "content_type": "image/jpeg", "max_bytes": MB, "expires_in": 600}]
    assert ticket.max_bytes == MB


@pytest.mark.parametrize("content_type", ["application/pdf", "image/svg+xml", "text/html", "image/jpeg; x=1"])
def test_a_type_outside_the_allow_list_is_415_and_creates_nothing(content_type: str) -> None:
    world = make_world()
    with pytest.raises(UnsupportedMediaType) as info:
        world.library.request_upload("alice", filename="a", content_type=content_type, size=10)
    assert world.repo.photos == {}
    # The refusal names exactly the formats the worker accepts (the one list), and the types to send
    assert info.value.message.endswith("PhotoVault accepts JPEG, PNG, WebP, GIF, HEIC and AVIF photos.")
    assert info.value.details["allowed"] == list(ACCEPTED_MIME_TYPES)


@pytest.mark.parametrize("content_type", ACCEPTED_MIME_TYPES)
def test_every_accepted_format_can_be_uploaded_avif_included(content_type: str) -> None:
    world = make_world()
    ticket = world.library.request_upload("alice", filename="a", content_type=content_type, size=10)
    assert world.presigner.posts[0]["content_type"] == content_type == ticket.photo.content_type


def test_an_upload_whose_file_never_arrives_expires_and_disappears_at_once() -> None:
    # Given alice asked to upload a photo (a form valid for 10 minutes) and another one she did upload
    world = make_world()
    ticket = world.library.request_upload("alice", filename="lost.jpg", content_type="image/jpeg", size=MB)
    kept = world.repo.add(make_photo("alice", now_ms=1_000))
    # Then the PENDING photo carries its expiry: the form's, plus the ingest queue's retry span (5 × 720 s)
    assert ticket.photo.expires_at == int(world.clock.now) + 600 + 5 * 720
    attention = LibraryView(Collection.ATTENTION)
    assert [i.photo.photo_id for i in world.library.list_photos("alice", attention, limit=10, cursor=None).items] == [
        ticket.photo.photo_id
    ]
    # When that time has passed without its file
    world.clock.now = ticket.photo.expires_at
    # Then it is gone from her upload panel and its page, before DynamoDB's TTL deletes the item; the rest stays
    assert world.library.list_photos("alice", attention, limit=10, cursor=None).items == []
    listing = world.library.list_photos("alice", TIMELINE, limit=10, cursor=None)
    assert [i.photo.photo_id for i in listing.items] == [kept.photo_id]
    with pytest.raises(NotFound):
        world.library.get_photo("alice", ticket.photo.photo_id)
    assert (("alice", ticket.photo.photo_id)) in world.repo.photos


def test_an_upload_whose_file_arrived_never_expires() -> None:
    # Given the worker claimed the upload (its bytes arrived): the claim removes the expiry
    world = make_world()
    ticket = world.library.request_upload("alice", filename="slow.jpg", content_type="image/jpeg", size=MB)
    source = SourceObject(
        "originals", keys.originals_key("alice", ticket.photo.photo_id), "alice", ticket.photo.photo_id, "v1", None
    )
    world.repo.claim(
        source, now="2024-03-10T16:00:00.000Z", lease_until=int(world.clock.now) + 150, now_epoch=int(world.clock.now)
    )
    # When the photo's processing outlasts the upload's expiry, it stays shown
    world.clock.now += 10 * 24 * 3600
    assert world.library.get_photo("alice", ticket.photo.photo_id).shown.photo.status is PhotoStatus.PROCESSING


def test_a_photo_between_attempts_is_shown_retrying_not_just_processing() -> None:
    # Given an upload whose first attempt failed and gave its claim back
    world = make_world()
    ticket = world.library.request_upload("alice", filename="a.jpg", content_type="image/jpeg", size=MB)
    source = SourceObject(
        "originals", keys.originals_key("alice", ticket.photo.photo_id), "alice", ticket.photo.photo_id, "v1", None
    )
    claim = world.repo.claim(
        source, now="2024-03-10T16:00:00.000Z", lease_until=int(world.clock.now) + 150, now_epoch=int(world.clock.now)
    )
    assert world.library.get_photo("alice", ticket.photo.photo_id).shown.retry is None  # processing, nothing to say
    failure = PipelineError("throttled", "Throttled: DetectLabels", "2024-03-10T16:00:09.000Z")
    world.repo.release(source, claim.token, now="2024-03-10T16:00:09.000Z", error=failure)
    # Then its page and the gallery say it is retrying, since when, after how many attempts
    shown = world.library.get_photo("alice", ticket.photo.photo_id).shown
    assert shown.photo.status is PhotoStatus.PROCESSING
    assert shown.retry == Retry(attempts=1, cause="error", since="2024-03-10T16:00:09.000Z")
    attention = world.library.list_photos("alice", LibraryView(Collection.ATTENTION), limit=10, cursor=None)
    assert attention.items[0].retry == shown.retry


def test_a_declared_size_over_the_limit_is_413() -> None:
    world = make_world(max_upload_bytes=5 * MB)
    with pytest.raises(PayloadTooLarge) as info:
        world.library.request_upload("alice", filename="a.jpg", content_type="image/jpeg", size=5 * MB + 1)
    assert info.value.details == {"field": "size", "max_bytes": 5 * MB}


def test_the_gallery_lists_only_the_owners_photos_newest_first_with_thumbnails() -> None:
    world = make_world()
    old = world.repo.add(make_photo("alice", now_ms=1_000))
    new = world.repo.add(make_photo("alice", now_ms=2_000))
    world.repo.add(make_photo("bob", now_ms=3_000))
    listing = world.library.list_photos("alice", TIMELINE, limit=10, cursor=None)
    assert [item.photo.photo_id for item in listing.items] == [new.photo_id, old.photo_id]
    assert listing.items[0].links.thumb == f"https://cdn.example/media/{new.media_id}/thumb.webp?Expires=1710000600"
    assert listing.items[0].links.original is None  # a gallery never links the originals


def test_another_users_photo_is_not_found_and_a_malformed_id_too() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice"))
    for owner, photo_id in (("bob", photo.photo_id), ("alice", "../../etc"), ("alice", "")):
        with pytest.raises(NotFound) as info:
            world.library.get_photo(owner, photo_id)
        assert photo.photo_id not in str(info.value.details)


def test_the_detail_is_the_photo_with_short_lived_urls_and_only_a_ready_one_links_its_original() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice", filename="x.jpg"))
    pending = world.repo.add(make_photo("alice", status=PhotoStatus.PENDING))
    detail = world.library.get_photo("alice", photo.photo_id).shown
    assert detail.photo == photo
    assert detail.links.expires_at == 1_710_000_600
    assert detail.links.thumb and detail.links.preview and detail.links.original
    unfinished = world.library.get_photo("alice", pending.photo_id).shown.links
    assert (unfinished.thumb, unfinished.preview, unfinished.original) == (None, None, None)


def _ids(world: World, view: LibraryView = TIMELINE, owner: str = "alice") -> list[str]:
    return [item.photo.photo_id for item in world.library.list_photos(owner, view, limit=100, cursor=None).items]


def _search(world: World, query: str) -> list[str]:
    return [hit.shown.photo.photo_id for hit in world.library.search("alice", query=query, limit=50, cursor=None).items]


def test_the_timeline_is_by_date_taken_in_the_cameras_time_and_falls_back_to_the_upload_time() -> None:
    # Given photos uploaded in one order but taken in another; one has no EXIF date (uploaded 2024-03-10 16:00 UTC)
    world = make_world()
    summer = world.repo.add(make_photo("alice", taken_at="2023-07-04T10:00:00+02:00", now_ms=1_000))
    winter = world.repo.add(make_photo("alice", taken_at="2022-12-24T18:30:00", now_ms=2_000))
    no_exif = world.repo.add(make_photo("alice", now_ms=3_000))
    late_night = world.repo.add(make_photo("alice", taken_at="2023-07-04T23:59:59-07:00", now_ms=4_000))
    # When alice opens the timeline, newest first and oldest first
    newest = _ids(world)
    oldest = _ids(world, LibraryView(Collection.TIMELINE, newest_first=False))
    # Then it is ordered by the time taken as the camera wrote it (no shift to UTC), uploads without a date by upload
    assert newest == [no_exif.photo_id, late_night.photo_id, summer.photo_id, winter.photo_id]
    assert oldest == list(reversed(newest))
    # And a day range is the camera's days: 23:59 at UTC-7 is still July 4th
    july4 = LibraryView(Collection.TIMELINE, since="2023-07-04", until="2023-07-04")
    assert _ids(world, july4) == [late_night.photo_id, summer.photo_id]
    assert _ids(world, LibraryView(Collection.TIMELINE, until="2023-01-01")) == [winter.photo_id]
    assert _ids(world, LibraryView(Collection.TIMELINE, since="2024-01-01")) == [no_exif.photo_id]


def test_the_timeline_holds_ready_photos_only_and_the_rest_needs_attention() -> None:
    # Given a READY photo and one of every other status
    world = make_world()
    ready = world.repo.add(make_photo("alice"))
    others = {
        status: world.repo.add(make_photo("alice", status=status))
        for status in PhotoStatus
        if status is not PhotoStatus.READY
    }
    # Then the timeline shows the READY one, and every other lands in needs-attention, newest change first
    assert _ids(world) == [ready.photo_id]
    assert set(_ids(world, LibraryView(Collection.ATTENTION))) == {p.photo_id for p in others.values()}


def test_pages_follow_one_another_and_a_cursor_is_bound_to_its_listing() -> None:
    world = make_world()
    photos = [world.repo.add(make_photo("alice", taken_at=f"2023-01-{day:02d}T12:00:00")) for day in range(1, 8)]
    first = world.library.list_photos("alice", TIMELINE, limit=3, cursor=None)
    assert first.cursor is not None
    second = world.library.list_photos("alice", TIMELINE, limit=3, cursor=first.cursor)
    third = world.library.list_photos("alice", TIMELINE, limit=3, cursor=second.cursor)
    seen = [item.photo.photo_id for page in (first, second, third) for item in page.items]
    assert seen == [p.photo_id for p in reversed(photos)] and third.cursor is None
    for other in (LibraryView(Collection.FAVORITES), LibraryView(Collection.TIMELINE, newest_first=False)):
        with pytest.raises(InvalidInput):
            world.library.list_photos("alice", other, limit=3, cursor=first.cursor)
    with pytest.raises(InvalidInput):
        world.library.list_photos("bob", TIMELINE, limit=3, cursor=first.cursor)


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [("2023-13-01", None, "query.from"), (None, "yesterday", "query.to"), ("2023-07-02", "2023-07-01", "query.from")],
)
def test_a_bad_date_range_is_a_400_naming_the_parameter(since: str | None, until: str | None, field: str) -> None:
    world = make_world()
    with pytest.raises(InvalidInput) as info:
        world.library.list_photos(
            "alice", LibraryView(Collection.TIMELINE, since=since, until=until), limit=5, cursor=None
        )
    assert info.value.details == {"field": field}


def test_the_months_count_timeline_photos_and_follow_trash_and_restore() -> None:
    world = make_world()
    july = [world.repo.add(make_photo("alice", taken_at=f"2023-07-0{d}T09:00:00")) for d in (1, 2, 3)]
    world.repo.add(make_photo("alice", taken_at="2021-02-01T09:00:00"))
    world.repo.add(make_photo("alice", taken_at="2021-02-01T09:00:00", status=PhotoStatus.REJECTED))
    world.repo.add(make_photo("bob", taken_at="2023-07-01T09:00:00"))
    assert [(m.month, m.count) for m in world.library.months("alice")] == [("2023-07", 3), ("2021-02", 1)]
    world.library.trash("alice", july[0].photo_id)
    assert [(m.month, m.count) for m in world.library.months("alice")] == [("2023-07", 2), ("2021-02", 1)]
    world.library.restore("alice", july[0].photo_id)
    assert [(m.month, m.count) for m in world.library.months("alice")] == [("2023-07", 3), ("2021-02", 1)]


def test_the_detail_has_its_neighbours_in_timeline_order_and_its_albums() -> None:
    world = make_world()
    a, b, c = (world.repo.add(make_photo("alice", taken_at=f"2023-05-0{d}T10:00:00")) for d in (1, 2, 3))
    album = world.albums.create("alice", name="May").album
    world.library.act("alice", _action("add_to_album"), [b.photo_id], album.album_id)
    middle = world.library.get_photo("alice", b.photo_id)
    assert middle.previous is not None and middle.previous.photo.photo_id == c.photo_id  # newer: shown before it
    assert middle.next is not None and middle.next.photo.photo_id == a.photo_id
    assert [x.name for x in middle.albums] == ["May"]
    newest = world.library.get_photo("alice", c.photo_id)
    assert newest.previous is None and newest.next is not None
    # A photo outside the timeline has no neighbours
    world.library.trash("alice", a.photo_id)
    trashed = world.library.get_photo("alice", a.photo_id)
    assert trashed.previous is None and trashed.next is None and trashed.shown.photo.trashed_at


def _action(name: str) -> object:
    from photovault.library.service import Action

    return Action(name)


def test_favourites_are_a_filter_of_the_timeline() -> None:
    world = make_world()
    liked = world.repo.add(make_photo("alice", taken_at="2023-01-01T10:00:00"))
    world.repo.add(make_photo("alice", taken_at="2023-01-02T10:00:00"))
    rejected = world.repo.add(make_photo("alice", status=PhotoStatus.REJECTED))
    world.library.favorite("alice", liked.photo_id, on=True)
    world.library.favorite("alice", liked.photo_id, on=True)  # idempotent
    assert _ids(world, LibraryView(Collection.FAVORITES)) == [liked.photo_id]
    assert _ids(world, LibraryView(Collection.FAVORITES, since="2023-01-02")) == []
    with pytest.raises(NotInLibrary):
        world.library.favorite("alice", rejected.photo_id, on=True)
    with pytest.raises(NotFound):
        world.library.favorite("bob", liked.photo_id, on=True)
    world.library.favorite("alice", liked.photo_id, on=False)
    assert _ids(world, LibraryView(Collection.FAVORITES)) == []


def _everywhere(world: World, photo: Photo, token: str, album_token: str, album_id: str) -> dict[str, bool]:
    """Where alice's photo can be seen: each place a trashed photo must leave and a restored one come back to."""
    from photovault.errors import PhotoVaultError

    def shared() -> bool:
        try:
            world.sharing.view(token)
        except PhotoVaultError:
            return False
        return True

    album_page = world.sharing.view_album(album_token, cursor=None)
    return {
        "timeline": photo.photo_id in _ids(world),
        "favourites": photo.photo_id in _ids(world, LibraryView(Collection.FAVORITES)),
        "search": photo.photo_id in _search(world, "lighthouse"),
        "facet": any(f.label == "Lighthouse" for f in world.library.labels("alice")),
        "album": photo.photo_id
        in [
            i.photo.photo_id
            for i in world.albums.photos("alice", album_id, newest_first=False, limit=50, cursor=None).items
        ],
        "album count": world.albums.get("alice", album_id).album.photo_count == 1,
        "photo share": shared(),
        "album share": [i.photo.photo_id for i in album_page.items] == [photo.photo_id],
    }


def test_trash_takes_a_photo_out_of_everything_at_once_and_restore_brings_every_place_back() -> None:
    # Given a favourite photo in an album, shared alone and through the album, findable and counted
    world = make_world()
    photo = world.repo.add(make_photo("alice", labels=[("Lighthouse", 96.0)], caption="a lighthouse at dusk"))
    world.library.favorite("alice", photo.photo_id, on=True)
    album_id = world.albums.create("alice", name="Coast").album.album_id
    world.library.act("alice", _action("add_to_album"), [photo.photo_id], album_id)
    token = world.sharing.create("alice", photo.photo_id, expires_in=3600, max_views=None).share.token
    album_token = world.sharing.create_for_album("alice", album_id, expires_in=3600, max_views=None).share.token
    assert set(_everywhere(world, photo, token, album_token, album_id).values()) == {True}

    # When alice moves it to the trash
    world.library.trash("alice", photo.photo_id)
    # Then it is gone from every one of them at once, and in the trash with its purge date
    assert set(_everywhere(world, photo, token, album_token, album_id).values()) == {False}
    assert world.repo.terms_of("alice", photo.photo_id) == set()
    trashed = world.library.list_photos("alice", LibraryView(Collection.TRASH), limit=10, cursor=None).items
    assert [t.photo.photo_id for t in trashed] == [photo.photo_id]
    assert trashed[0].photo.purge_at == int(world.clock.now) + 30 * 86400
    # And trashing it again changes nothing
    world.library.trash("alice", photo.photo_id)
    assert world.albums.get("alice", album_id).album.photo_count == 0

    # When she restores it
    world.library.restore("alice", photo.photo_id)
    # Then every place has it back: favourite, album, both links, search and facet
    assert set(_everywhere(world, photo, token, album_token, album_id).values()) == {True}
    assert _ids(world, LibraryView(Collection.TRASH)) == []
    world.library.restore("alice", photo.photo_id)  # idempotent
    assert world.albums.get("alice", album_id).album.photo_count == 1
    assert world.repo.facets[("alice", "Lighthouse")] == 1


def test_a_photo_being_processed_cannot_be_changed() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice", status=PhotoStatus.PROCESSING))
    for change in (
        lambda: world.library.trash("alice", photo.photo_id),
        lambda: world.library.restore("alice", photo.photo_id),
    ):
        with pytest.raises(BeingProcessed):
            change()


def test_delete_forever_takes_only_a_trashed_photo_and_the_purge_leaves_nothing_behind() -> None:
    # Given a READY photo with terms, facets, a hash record, objects, an album and a share
    world = make_world()
    photo = world.repo.add(make_photo("alice", labels=[("Dog", 95.0), ("Beach", 90.0)]))
    world.repo.add(make_photo("alice", labels=[("Dog", 95.0)]))
    world.objects.add_photo(photo)
    album_id = world.albums.create("alice", name="Dogs").album.album_id
    world.library.act("alice", _action("add_to_album"), [photo.photo_id], album_id)
    share = world.sharing.create("alice", photo.photo_id, expires_in=3600, max_views=None)
    # When alice deletes it for good before trashing it: refused
    with pytest.raises(NotInTrash):
        world.library.delete_forever("alice", photo.photo_id)
    # When she trashes it, and bob tries to delete it for good: not found, nothing changes
    world.library.trash("alice", photo.photo_id)
    with pytest.raises(NotFound):
        world.library.delete_forever("bob", photo.photo_id)
    # When she deletes it for good, and the purge runs on the removed item (as the table's stream delivers it, twice)
    removed = world.repo.get("alice", photo.photo_id)
    assert removed is not None
    world.library.delete_forever("alice", photo.photo_id)
    world.purge(removed)
    world.purge(removed)
    # Then nothing of it is left, and the counters went down exactly once
    assert world.repo.get("alice", photo.photo_id) is None
    assert world.repo.terms_of("alice", photo.photo_id) == set()
    assert photo.facts is not None and ("alice", photo.facts.sha256) not in world.repo.hashes
    assert world.objects.originals == {} and world.objects.derivatives == set()
    assert world.shares.get(share.share.token) is None
    assert world.repo.facets[("alice", "Dog")] == 1 and world.repo.facets[("alice", "Beach")] == 0
    assert world.album_repo.members[("alice", album_id)] == {}
    assert world.albums.get("alice", album_id).album.photo_count == 0
    assert [(m.month, m.count) for m in world.library.months("alice")] == [("2024-03", 1)]
    # And deleting again is 404
    with pytest.raises(NotFound):
        world.library.delete_forever("alice", photo.photo_id)


def test_too_many_query_words_is_a_400_on_q() -> None:
    world = make_world()
    with pytest.raises(InvalidInput) as info:
        world.library.search("alice", query=" ".join(f"word{i}" for i in range(9)), limit=5, cursor=None)
    assert info.value.details == {"field": "q"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("photo\u202egpj.exe", "photogpj.exe"),  # right-to-left override: would display as "photoexe.jpg"
        ("\ufeffbeach\u200b.jpg", "beach.jpg"),  # BOM and zero-width space
        ("a\u2028b\u2029c\x85.jpg", "abc.jpg"),  # line/paragraph separators and a C1 control
        ("e\u0301te\u0301.jpg", "\u00e9t\u00e9.jpg"),  # one spelling of a name (NFC)
        ("\u202e\u200d", "upload"),
    ],
)
def test_file_names_lose_characters_that_change_how_they_look(typed: str, stored: str) -> None:
    world = make_world()
    ticket = world.library.request_upload("alice", filename=typed, content_type="image/jpeg", size=MB)
    assert ticket.photo.filename == stored
