"""Hybrid ranking: the photos whose words match (``search.query``) and the photos that look like what was described
(the vector index), fused with reciprocal rank fusion.

- Words: every query term must match (AND); ranked by how confident the matches are, then newest first.
- Meaning: the owner's nearest photos by cosine similarity. A photo below ``floor`` does not count at all; one
  found by meaning alone is shown only from ``show_floor`` on, so unrelated photos stay out. When some photos match
  every word, a lookalike is shown only from ``beside_words`` on: a person who typed words a photo carries wants
  that photo and what clearly looks like it ("rocket launch": the spaceship lifting off), not every picture that
  shares a mood with the words. (Measured in the browser test with the offline model: the photo reading "HELLO
  PHOTOVAULT" scored 0.41 for "hello photovault", a portrait 0.39 and a ball 0.31: similarity alone cannot tell
  them apart, the words can.)
- Some words: when no photo matches every word, the photos matching some of them (most words first) take the words'
  place in the fusion, so "cells under a microscope" still shows the photo labelled cells beside the lookalikes
  instead of only lookalikes. They are weaker evidence than a full match, so they do not raise the lookalikes' bar.
- RRF (Cormack et al. 2009): score = Σ 1 / (k + rank) over the lists a photo is in, k = 60. It needs no score
  calibration between lists, which a confidence percentage and a cosine similarity do not share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from photovault.ports import TermPosting, VectorHit

RRF_K = 60


@dataclass(frozen=True, slots=True)
class Floors:
    floor: float = 0.20  # a vector hit below this does not count
    show_floor: float = 0.30  # a photo found by meaning alone is shown from here on
    beside_words: float = 0.45  # ... and from here on when other photos match every word of the query


@dataclass(frozen=True, slots=True)
class Fused:
    photo_id: str
    score: float
    postings: dict[str, TermPosting] | None  # term -> posting when every word matched
    similarity: float | None  # cosine similarity when it counted in the ranking


def term_strength(row: dict[str, TermPosting]) -> float:
    """Mean over the query's terms of the best confidence each matched with."""
    best = [max((m.confidence for m in posting.matches), default=0.0) for posting in row.values()]
    return sum(best) / len(best) if best else 0.0


def fuse(
    term_rows: Sequence[dict[str, TermPosting]],
    vector_hits: Sequence[VectorHit],
    floors: Floors,
    *,
    k: int = RRF_K,
    partial_rows: Sequence[dict[str, TermPosting]] = (),
) -> list[Fused]:
    """Every word match, plus meaning-only hits from ``show_floor``, best first (ties: newest first). Without any
    photo matching every word, ``partial_rows`` (photos matching some words, best first) stand in for the words."""
    full = bool(term_rows)
    rows = {next(iter(row.values())).photo_id: row for row in (term_rows if full else partial_rows)}
    # ``term_rows`` come newest first; a stable sort keeps that order among equally strong matches. Partial rows
    # come ranked already: most words first, newest first among equals (``best_partial``).
    by_terms = sorted(rows, key=lambda photo_id: -term_strength(rows[photo_id])) if full else list(rows)
    counted = [hit for hit in sorted(vector_hits, key=lambda hit: -hit.similarity) if hit.similarity >= floors.floor]
    similarity = {hit.photo_id: hit.similarity for hit in counted}
    lookalike_bar = max(floors.show_floor, floors.beside_words) if full else floors.show_floor

    score: dict[str, float] = {}
    for rank, photo_id in enumerate(by_terms, start=1):
        score[photo_id] = score.get(photo_id, 0.0) + 1.0 / (k + rank)
    for rank, hit in enumerate(counted, start=1):
        if hit.photo_id in rows or hit.similarity >= lookalike_bar:
            score[hit.photo_id] = score.get(hit.photo_id, 0.0) + 1.0 / (k + rank)
    ordered = sorted(score, key=lambda photo_id: (-score[photo_id], _newest_first(photo_id)))
    return [Fused(photo_id=p, score=score[p], postings=rows.get(p), similarity=similarity.get(p)) for p in ordered]


def _newest_first(photo_id: str) -> tuple[int, ...]:
    # Photo ids are time-ordered strings: invert each character so larger (newer) ids sort first.
    return tuple(-ord(char) for char in photo_id)
