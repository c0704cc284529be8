"""AND-search over term partitions: the right photos, newest first, explained, with reads bounded by the matches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photovault.ids import new_photo_id
from photovault.library.cursor import InvalidCursor
from photovault.ports import TermPosting
from photovault.search.query import intersect
from tests.support.fakes import InMemoryPhotoRepository, make_photo, make_world

BASE_MS = 1_710_000_000_000


def _library_with(labels_per_photo: list[list[str]], owner: str = "alice") -> tuple[InMemoryPhotoRepository, list[str]]:
    repo = InMemoryPhotoRepository()
    ids = []
    for index, labels in enumerate(labels_per_photo):
        photo = make_photo(owner, labels=[(name, 90.0) for name in labels], caption="", now_ms=BASE_MS + index * 1000)
        repo.add(photo)
        ids.append(photo.photo_id)
    return repo, ids


def test_a_two_word_query_returns_only_photos_with_both_newest_first_and_says_why() -> None:
    # Given photos with a dog, a beach, and both
    world = make_world()
    both_old = world.repo.add(make_photo("alice", labels=[("Dog", 95.0), ("Beach", 80.0)], caption="", now_ms=BASE_MS))
    world.repo.add(make_photo("alice", labels=[("Dog", 95.0)], caption="", now_ms=BASE_MS + 1000))
    world.repo.add(make_photo("alice", labels=[("Beach", 95.0)], caption="", now_ms=BASE_MS + 2000))
    both_new = world.repo.add(
        make_photo("alice", labels=[("Beach", 99.0)], caption="my dogs at the sea", now_ms=BASE_MS + 3000)
    )
    # When alice searches "Dogs BEACH"
    result = world.library.search("alice", query="Dogs BEACH", limit=10, cursor=None)
    # Then the query is normalised like the index, both-matching photos come newest first, each explained
    assert result.terms == ["dog", "beach"]
    assert [hit.shown.photo.photo_id for hit in result.items] == [both_new.photo_id, both_old.photo_id]
    reasons = {(m.term, m.match.field) for m in result.items[0].matches}
    assert reasons == {("dog", "caption"), ("beach", "label")}
    assert result.cursor is None


def test_another_users_terms_are_never_searched() -> None:
    world = make_world()
    world.repo.add(make_photo("bob", labels=[("Dog", 99.0)]))
    assert world.library.search("alice", query="dog", limit=10, cursor=None).items == []


def test_a_query_of_only_stop_words_finds_nothing_without_reading() -> None:
    world = make_world()
    world.repo.add(make_photo("alice"))
    result = world.library.search("alice", query="the of and", limit=10, cursor=None)
    assert result.items == [] and result.terms == []
    assert world.repo.items_read == 0


def test_rare_and_common_terms_read_the_rare_postings_plus_one_chunk_of_the_common_term() -> None:
    # Given 300 dog photos, 3 of which also show a giraffe
    repo, ids = _library_with([["Dog", "Giraffe"] if i % 100 == 7 else ["Dog"] for i in range(300)])
    # When searching "dog giraffe"
    page = intersect(repo, "alice", ["dog", "giraffe"], limit=20, before=None)
    # Then the three come back newest first, and the reads are far below the library's size
    assert [next(iter(r.values())).photo_id for r in page.rows] == [ids[207], ids[107], ids[7]]
    assert repo.items_read <= 3 + 20 + 3


@settings(max_examples=60, deadline=None)
@given(
    memberships=st.lists(st.sets(st.sampled_from(["Cat", "Tree", "Sky"]), min_size=0, max_size=3), max_size=60),
    query=st.lists(st.sampled_from(["cat", "tree", "sky"]), min_size=1, max_size=3, unique=True),
    limit=st.integers(min_value=1, max_value=12),
)
def test_paging_through_any_intersection_yields_exactly_the_brute_force_answer(
    memberships: list[set[str]], query: list[str], limit: int
) -> None:
    # Given any library and any AND query
    repo, ids = _library_with([sorted(m) for m in memberships])
    expected = [pid for pid, labels in zip(ids, memberships, strict=True) if all(t.title() in labels for t in query)][
        ::-1
    ]
    # When paging through the results with the cursor position
    seen: list[str] = []
    before = None
    for _ in range(100):
        page = intersect(repo, "alice", query, limit=limit, before=before)
        assert len(page.rows) <= limit
        seen += [next(iter(r.values())).photo_id for r in page.rows]
        if page.before is None:
            break
        before = page.before
    # Then every matching photo appears exactly once, newest first
    assert seen == expected


def test_search_pages_with_a_signed_cursor_bound_to_the_query() -> None:
    world = make_world()
    for i in range(5):
        world.repo.add(make_photo("alice", labels=[("Dog", 90.0)], caption="", now_ms=BASE_MS + i))
    first = world.library.search("alice", query="dog", limit=2, cursor=None)
    assert first.cursor is not None
    second = world.library.search("alice", query="dog", limit=2, cursor=first.cursor)
    assert {h.shown.photo.photo_id for h in first.items}.isdisjoint({h.shown.photo.photo_id for h in second.items})
    # The cursor of "dog" is not valid for another query
    with pytest.raises(InvalidCursor):
        world.library.search("alice", query="cat", limit=2, cursor=first.cursor)


def test_labels_are_counted_per_owner_sorted_by_count_and_empty_ones_hidden() -> None:
    world = make_world()
    for labels in (["Dog", "Beach"], ["Dog"], ["Cat"]):
        world.repo.add(make_photo("alice", labels=[(n, 90.0) for n in labels], photo_id=new_photo_id()))
    world.repo.add(make_photo("bob", labels=[("Giraffe", 90.0)]))
    world.repo.facets[("alice", "Unicorn")] = 0
    facets = world.library.labels("alice")
    assert [(f.label, f.count) for f in facets] == [("Dog", 2), ("Beach", 1), ("Cat", 1)]


def _found(world: object, query: str, label: str | None = None) -> list[str]:
    page = world.library.search("alice", query=query, label=label, limit=50, cursor=None)  # type: ignore[attr-defined]
    return [hit.shown.photo.photo_id for hit in page.items]


def test_search_finds_by_the_year_and_month_taken_by_file_name_and_by_camera() -> None:
    # Given photos taken in July 2023 and in 2022, one named after a trip, one shot on a Fujifilm
    world = make_world()
    july = world.repo.add(make_photo("alice", taken_at="2023-07-14T18:00:00+02:00", filename="Lisbon_Trip-012.JPG"))
    world.repo.add(make_photo("alice", taken_at="2023-08-01T10:00:00", camera=("FUJIFILM", "X-T30")))
    old = world.repo.add(make_photo("alice", taken_at="2022-07-01T10:00:00", camera=("FUJIFILM", "X100V")))
    # Then "july 2023" finds the July 2023 photo only, "2022" the old one, the file name and camera their photos
    assert _found(world, "july 2023") == [july.photo_id]
    assert _found(world, "2022") == [old.photo_id]
    assert _found(world, "lisbon trip") == [july.photo_id]
    assert _found(world, "fujifilm x100v") == [old.photo_id]
    hit = world.library.search("alice", query="July 2023", limit=5, cursor=None).items[0]
    assert {(m.term, m.match.field, m.match.source) for m in hit.matches} == {
        ("july", "date", "July 2023"),
        ("2023", "date", "July 2023"),
    }


def test_a_label_facet_narrows_the_query() -> None:
    world = make_world()
    both = world.repo.add(make_photo("alice", labels=[("Golden Retriever", 95.0)], caption="a dog on the beach"))
    world.repo.add(make_photo("alice", labels=[("Cat", 95.0)], caption="a cat on the beach"))
    assert set(_found(world, "beach")) == {both.photo_id, *(_found(world, "cat"))}
    assert _found(world, "beach", label="Golden Retriever") == [both.photo_id]
    assert _found(world, "", label="Golden Retriever") == [both.photo_id]  # the chip alone
    assert _found(world, "cat", label="Golden Retriever") == []  # no partial match may drop the chip


def test_when_no_photo_matches_every_word_the_best_partial_matches_come_back_marked() -> None:
    # Given a dog on a beach, a dog in snow, and a cat
    world = make_world()
    beach_dog = world.repo.add(make_photo("alice", labels=[("Dog", 95.0), ("Beach", 90.0)], caption="", now_ms=1))
    snow_dog = world.repo.add(make_photo("alice", labels=[("Dog", 95.0), ("Snow", 90.0)], caption="", now_ms=2))
    world.repo.add(make_photo("alice", labels=[("Cat", 95.0)], caption="", now_ms=3))
    # When searching "dog beach giraffe" (no giraffe anywhere)
    page = world.library.search("alice", query="dog beach giraffe", limit=10, cursor=None)
    # Then the photos matching the most words come first, it says so, and each hit says which words matched
    assert page.partial and page.cursor is None
    assert [hit.shown.photo.photo_id for hit in page.items] == [beach_dog.photo_id, snow_dog.photo_id]
    assert {m.term for m in page.items[0].matches} == {"dog", "beach"}
    assert {m.term for m in page.items[1].matches} == {"dog"}
    # And a full match is never marked partial
    assert not world.library.search("alice", query="dog beach", limit=10, cursor=None).partial


def test_a_label_just_below_the_threshold_is_neither_shown_nor_found() -> None:
    # Given a photo with a label at 70 % (the threshold) and one at 69.9 %
    world = make_world()
    photo = world.repo.add(make_photo("alice", labels=[("Kayak", 70.0), ("Paddle", 69.9)], caption=""))
    # Then the page shows exactly the labels search finds it by
    detail = world.library.get_photo("alice", photo.photo_id).shown.photo
    from photovault.search.index import findable_labels

    assert [label.name for label in findable_labels(detail)] == ["Kayak"]
    assert _found(world, "kayak") == [photo.photo_id] and _found(world, "paddle") == []
    assert [f.label for f in world.library.labels("alice")] == ["Kayak"]


def test_a_trashed_photo_is_not_found_even_if_a_term_was_left_behind() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice", labels=[("Dog", 95.0)], caption=""))
    world.library.trash("alice", photo.photo_id)
    world.repo.postings[("alice", "dog")] = {photo.photo_id: TermPosting("dog", photo.photo_id)}  # an interrupted trash
    assert _found(world, "dog") == []


@pytest.mark.parametrize(
    ("query", "label"), [("kitten", "Cat"), ("espresso", "Coffee"), ("navy officer", "Military Uniform")]
)
def test_the_words_people_use_find_the_label_the_model_picked_and_say_which(query: str, label: str) -> None:
    # Given a photo labelled only with the model's name for it
    world = make_world()
    photo = world.repo.add(make_photo("alice", labels=[(label, 90.0)], caption=""))
    world.repo.add(make_photo("alice", labels=[("Beach", 90.0)], caption=""))
    # When alice types the everyday word
    result = world.library.search("alice", query=query, limit=10, cursor=None)
    # Then that photo is found, matched by label, the reason naming the label it came from
    assert [hit.shown.photo.photo_id for hit in result.items] == [photo.photo_id]
    assert {(m.match.field, m.match.source) for m in result.items[0].matches} == {("label", label)}
