"""Hybrid search on in-memory ports: photos found by their words and by what they look like, fused, explained,
paged, never another user's, and still answered by words when the model is down."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from photovault.errors import InvalidInput, TransientDependencyError
from photovault.library.cursor import CursorCodec
from photovault.library.service import Library, LibraryConfig
from photovault.model import Photo
from photovault.ports import TermMatch, TermPosting, VectorHit
from photovault.purge.service import PurgePhoto, cleanup_steps
from photovault.search.hybrid import Floors, fuse
from tests.support.fake_meaning import ConceptEmbedder, InMemoryVectorIndex
from tests.support.fakes import World, make_photo, make_world

BASE_MS = 1_710_000_000_000


@dataclass
class MeaningWorld:
    world: World
    embedder: ConceptEmbedder
    vectors: InMemoryVectorIndex
    library: Library

    def add(self, owner: str, *, labels: list[tuple[str, float]], caption: str, at: int = 0) -> Photo:
        photo = self.world.repo.add(make_photo(owner, labels=labels, caption=caption, now_ms=BASE_MS + at * 1000))
        self.vectors.put(
            owner, photo.photo_id, self.embedder.embed_photo(b"", analysis=photo.analysis, caption=photo.caption)
        )
        return photo


def meaning_world(floors: Floors | None = None, vectors: InMemoryVectorIndex | None = None) -> MeaningWorld:
    world = make_world()
    embedder, vectors = ConceptEmbedder(), vectors or InMemoryVectorIndex()
    library = Library(
        repo=world.repo,
        index=world.repo,
        albums=world.album_repo,
        presigner=world.presigner,
        media=world.library._media,
        cursors=CursorCodec(b"unit-test-cursor-secret-0123456789"),
        config=LibraryConfig(),
        clock=world.clock,
        embedder=embedder,
        vectors=vectors,
        floors=floors or Floors(floor=0.2, show_floor=0.3),
    )
    return MeaningWorld(world, embedder, vectors, library)


def test_a_description_finds_the_photo_that_looks_like_it_although_no_word_matches() -> None:
    # Given an espresso photo, a cat and a beach, none labelled or captioned "coffee"
    m = meaning_world()
    espresso = m.add("alice", labels=[("Espresso", 80.0)], caption="an espresso on a saucer")
    m.add("alice", labels=[("Cat", 90.0)], caption="a tabby kitten")
    m.add("alice", labels=[("Beach", 90.0)], caption="sand and sea")
    # When alice types "a cup of coffee"
    page = m.library.search("alice", query="a cup of coffee", limit=10, cursor=None)
    # Then the espresso comes back, said to look like what she described, and the unrelated photos stay out
    assert [hit.shown.photo.photo_id for hit in page.items] == [espresso.photo_id]
    (hit,) = page.items
    assert hit.similarity is not None and hit.similarity >= 0.3
    # No photo has both words; "coffee" alone is one of the espresso label's synonyms, and the hit says so
    assert [(match.term, match.match.source) for match in hit.matches] == [("coffee", "Espresso")]
    assert page.embedding_tokens == 4  # the query's embedding is billed and reported


def test_word_matches_and_lookalikes_are_fused_and_each_says_why() -> None:
    # Given a photo captioned with the query's words and one that only looks like it
    m = meaning_world()
    worded = m.add("alice", labels=[("Rocket", 90.0)], caption="rocket launch at dawn", at=1)
    lookalike = m.add("alice", labels=[("Vehicle", 70.0)], caption="spaceship lifting off", at=2)
    # When searching "rocket launch"
    page = m.library.search("alice", query="rocket launch", limit=10, cursor=None)
    # Then the word match ranks first (both lists agree on it) and carries its words and its similarity
    assert [h.shown.photo.photo_id for h in page.items] == [worded.photo_id, lookalike.photo_id]
    first, second = page.items
    assert {(m.term, m.match.field) for m in first.matches} >= {("rocket", "label"), ("launch", "caption")}
    assert first.similarity is not None
    assert second.matches == [] and second.similarity is not None


def test_another_users_identical_photo_never_appears() -> None:
    # Given identical coffee photos in alice's and bob's libraries
    m = meaning_world()
    mine = m.add("alice", labels=[("Coffee", 90.0)], caption="coffee")
    m.add("bob", labels=[("Coffee", 90.0)], caption="coffee")
    # When alice searches by meaning and by words
    page = m.library.search("alice", query="espresso latte", limit=10, cursor=None)
    # Then only her photo is there, and the index was only ever asked about her vectors
    assert [h.shown.photo.photo_id for h in page.items] == [mine.photo_id]
    assert {owner for owner, _ in m.vectors.queries} == {"alice"}


class LeakyVectorIndex(InMemoryVectorIndex):
    """An index whose owner filter is broken: it answers with every user's vectors."""

    def query(self, owner: str, vector: Sequence[float], *, top_k: int) -> list[VectorHit]:
        hits = [VectorHit(photo_id=pid, similarity=1.0) for (_who, pid) in self.vectors]
        return hits[:top_k]


def test_even_an_index_that_leaks_other_users_vectors_shows_only_the_callers_photos() -> None:
    # Given identical coffee photos in alice's and bob's libraries, behind an index that ignores the owner filter
    m = meaning_world(vectors=LeakyVectorIndex())
    mine = m.add("alice", labels=[("Coffee", 90.0)], caption="coffee")
    m.add("bob", labels=[("Coffee", 90.0)], caption="coffee", at=1)
    # When alice searches by meaning only
    page = m.library.search("alice", query="espresso latte", limit=10, cursor=None)
    # Then bob's photo, although the index returned it, is never shown: photos are read in the caller's library
    assert [h.shown.photo.photo_id for h in page.items] == [mine.photo_id]


def test_below_the_floor_a_lookalike_counts_for_nothing_and_a_weak_one_is_not_shown_alone() -> None:
    # Given floors that keep weak similarities out
    photos = ["p1", "p2", "p3"]
    rows = [{"cat": TermPosting(term="cat", photo_id="p1")}]
    hits = [VectorHit("p1", 0.1), VectorHit("p2", 0.25), VectorHit("p3", 0.5)]
    # When fusing
    fused = fuse(rows, hits, Floors(floor=0.2, show_floor=0.3))
    # Then the word match stays without a similarity (0.1 < floor), p2 (0.25) is not shown, p3 is
    assert [f.photo_id for f in fused] == ["p1", "p3"] or [f.photo_id for f in fused] == ["p3", "p1"]
    by_id = {f.photo_id: f for f in fused}
    assert by_id["p1"].similarity is None and by_id["p3"].similarity == 0.5
    assert set(by_id) < set(photos)


def test_beside_photos_that_carry_the_words_only_clear_lookalikes_are_shown() -> None:
    # Given "hello photovault" written on one photo and other photos as close to the words as the offline model
    # put them in the browser test (0.41, 0.39, 0.31), and one that clearly looks like what was typed
    rows = [{"hello": TermPosting(term="hello", photo_id="text")}]
    hits = [VectorHit("text", 0.41), VectorHit("portrait", 0.39), VectorHit("ball", 0.31), VectorHit("sign", 0.7)]
    # When fusing
    fused = fuse(rows, hits, Floors(floor=0.2, show_floor=0.3, beside_words=0.45))
    # Then only the photo with the words and the clear lookalike are shown
    assert {f.photo_id for f in fused} == {"text", "sign"}
    # And without a word match the show floor alone decides
    everything = {"text", "portrait", "ball", "sign"}
    assert {f.photo_id for f in fuse([], hits, Floors(floor=0.2, show_floor=0.3))} == everything


def test_rrf_puts_a_photo_both_lists_agree_on_first() -> None:
    def row(photo_id: str, confidence: float) -> dict[str, TermPosting]:
        return {"dog": TermPosting("dog", photo_id, (TermMatch("label", confidence),))}

    rows = [row("p9", 99.0), row("p5", 60.0)]  # p9 is the stronger word match
    hits = [VectorHit("p5", 0.9), VectorHit("p7", 0.8), VectorHit("p9", 0.21)]
    fused = fuse(rows, hits, Floors(floor=0.2, show_floor=0.3))
    # p9: 1/61 + 1/63; p5: 1/62 + 1/61; p7: 1/62 — p5 wins on both lists' ranks, p7 found by meaning alone
    assert [f.photo_id for f in fused] == ["p5", "p9", "p7"]


def test_paging_walks_the_fused_ranking_then_the_older_word_matches_without_repeats() -> None:
    # Given 130 photos labelled "cat" (more than one fused ranking holds) and a lookalike without the word
    m = meaning_world()
    cats = [m.add("alice", labels=[("Cat", 90.0)], caption="a cat on the beach", at=i).photo_id for i in range(130)]
    kitten = m.add("alice", labels=[("Feline", 60.0)], caption="tabby kitten", at=200).photo_id
    # When paging through "cat" 40 at a time
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = m.library.search("alice", query="cat", limit=40, cursor=cursor)
        seen += [h.shown.photo.photo_id for h in page.items]
        cursor = page.cursor
        if cursor is None:
            break
    # Then every cat and the kitten come exactly once
    assert sorted(seen) == sorted([*cats, kitten])
    assert len(seen) == len(set(seen))


def test_when_the_model_is_unavailable_the_words_still_answer() -> None:
    m = meaning_world()
    cat = m.add("alice", labels=[("Cat", 90.0)], caption="a cat")
    m.embedder.fail_with = TransientDependencyError("Bedrock is unavailable")
    page = m.library.search("alice", query="cat", limit=10, cursor=None)
    assert [h.shown.photo.photo_id for h in page.items] == [cat.photo_id]
    assert page.items[0].similarity is None and page.embedding_tokens == 0


def test_a_trashed_photo_is_not_found_by_meaning_and_is_again_once_restored() -> None:
    # Given a coffee photo found by what it looks like
    m = meaning_world()
    photo = m.add("alice", labels=[("Coffee", 90.0)], caption="coffee")

    def found() -> list[str]:
        return [
            h.shown.photo.photo_id for h in m.library.search("alice", query="espresso", limit=10, cursor=None).items
        ]

    assert found() == [photo.photo_id]
    # When it is trashed, search by meaning no longer shows it (its vector stays for a restore)
    m.library.trash("alice", photo.photo_id)
    assert found() == []
    # And a restore brings it back without re-embedding it
    m.library.restore("alice", photo.photo_id)
    assert found() == [photo.photo_id]


def test_purging_a_photo_removes_its_vector() -> None:
    m = meaning_world()
    photo = m.add("alice", labels=[("Coffee", 90.0)], caption="coffee")
    purge = PurgePhoto(
        cleanup_steps(
            shares=m.world.shares,
            albums=m.world.album_repo,
            leftovers=m.world.repo,
            originals=m.world.objects,
            derivatives=m.world.objects,
            vectors=m.vectors,
        )
    )
    outcome = purge(photo)
    assert outcome.removed["vectors"] == 1
    assert ("alice", photo.photo_id) not in m.vectors.vectors
    purge(photo)  # a repeated REMOVE finds nothing to delete and succeeds


def test_a_query_without_words_asks_no_model() -> None:
    m = meaning_world()
    page = m.library.search("alice", query="the of and", limit=10, cursor=None)
    assert page.items == [] and m.embedder.text_calls == 0
    with pytest.raises(InvalidInput):  # nothing at all (no words, no label) is a clear 400
        m.library.search("alice", query="", limit=10, cursor=None)
    assert m.embedder.text_calls == 0


def test_when_no_photo_has_every_word_the_photos_with_some_words_are_fused_with_the_lookalikes() -> None:
    # Given a photo labelled "cells" (no photo carries "microscope") and a lookalike of the description's mood
    m = meaning_world()
    cells = m.add("alice", labels=[("Cells", 90.0)], caption="a photo in gray tones", at=1)
    lookalike = m.add("alice", labels=[("Espresso", 80.0)], caption="an espresso on a saucer", at=2)
    m.add("alice", labels=[("Beach", 90.0)], caption="sand and sea", at=3)
    # When alice types a phrase with "cells" in it that her lookalike also answers
    page = m.library.search("alice", query="cells beside a cup of coffee", limit=10, cursor=None)
    # Then the photo with the word is shown (it was left out whenever meaning found anything), saying which word,
    # beside the lookalike; the unrelated photo stays out
    shown = [hit.shown.photo.photo_id for hit in page.items]
    assert set(shown) == {cells.photo_id, lookalike.photo_id}
    by_id = {hit.shown.photo.photo_id: hit for hit in page.items}
    assert {match.term for match in by_id[cells.photo_id].matches} == {"cell"}  # the word as indexed (singular)
    assert by_id[lookalike.photo_id].similarity is not None


def test_some_words_do_not_raise_the_bar_for_lookalikes_as_every_word_does() -> None:
    rows = [{"cells": TermPosting(term="cells", photo_id="cells")}]
    hits = [VectorHit("moon", 0.40), VectorHit("clock", 0.32)]
    floors = Floors(floor=0.2, show_floor=0.3, beside_words=0.45)
    # Every word matched: only clear lookalikes (≥ 0.45) join the photo with the words
    assert [f.photo_id for f in fuse(rows, hits, floors)] == ["cells"]
    # Some words matched: the show floor decides, and the partial match ranks first among equals in RRF
    fused = fuse([], hits, floors, partial_rows=rows)
    assert {f.photo_id for f in fused} == {"cells", "moon", "clock"}
    assert fused[-1].photo_id == "clock"


def test_a_page_led_by_photos_with_some_of_the_words_is_marked_partial_and_a_full_match_is_not() -> None:
    m = meaning_world()
    m.add("alice", labels=[("Cells", 90.0)], caption="a photo in gray tones", at=1)
    m.add("alice", labels=[("Espresso", 80.0)], caption="an espresso on a saucer", at=2)
    # No photo has "cells" and "saucer" together: the page says so, whatever meaning adds
    assert m.library.search("alice", query="cells saucer", limit=10, cursor=None).partial
    # Every word on one photo: not partial
    assert not m.library.search("alice", query="espresso saucer", limit=10, cursor=None).partial
    # Meaning alone, no word anywhere: not partial either (nothing stood in for the words)
    page = m.library.search("alice", query="a cup of tea", limit=10, cursor=None)
    assert not page.partial
