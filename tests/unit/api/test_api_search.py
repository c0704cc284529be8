"""AND-search over term partitions: the right photos, newest first, explained, with reads bounded by the matches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photovault.ids import new_photo_id
from photovault.library.cursor import InvalidCursor
from photovault.library.search import intersect
from tests.unit.api.fakes import FakeLibraryRepository, make_photo, make_world

BASE_MS = 1_710_000_000_000


def _library_with(labels_per_photo: list[list[str]], owner: str = "alice") -> tuple[FakeLibraryRepository, list[str]]:
    repo = FakeLibraryRepository()
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
    assert [hit.photo.photo_id for hit in result.items] == [both_new.photo_id, both_old.photo_id]
    reasons = {(m.term, m.field) for m in result.items[0].matches}
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
    assert {h.photo.photo_id for h in first.items}.isdisjoint({h.photo.photo_id for h in second.items})
    # The cursor of "dog" is not valid for another query
    with pytest.raises(InvalidCursor):
        world.library.search("alice", query="cat", limit=2, cursor=first.cursor)


def test_labels_are_counted_per_owner_sorted_by_count_and_empty_ones_hidden() -> None:
    world = make_world()
    for labels in (["Dog", "Beach"], ["Dog"], ["Cat"]):
        world.repo.add(make_photo("alice", labels=[(n, 90.0) for n in labels], photo_id=new_photo_id()))
    world.repo.add(make_photo("bob", labels=[("Giraffe", 90.0)]))
    world.repo.facets[("alice", "Unicorn")] = 0
    facets = world.library.labels("alice").items
    assert [(f.label, f.count) for f in facets] == [("Dog", 2), ("Beach", 1), ("Cat", 1)]
