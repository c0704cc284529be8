"""Search writes: what a photo is findable by — the term postings and label facets derived from its analysis and
caption, the terms of what the file says (the day it was taken, its name, the camera) and the terms and facets of
where it was taken (its place). The reads of the same items are ``photovault.search.query``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from photovault import keys
from photovault.model import Analysis, Caption, Label, Photo
from photovault.ports import MatchField, TermMatch, TermPosting
from photovault.search.synonyms import synonyms_of
from photovault.search.terms import label_term, tokens

MAX_TERMS = 200  # bounds the writes per photo; a page of dense text must not explode the index
MAX_FACET_LABELS = 40  # one DynamoDB transaction holds 100 items: the photo, facets up and facets down
MAX_FILE_TERMS = 8  # per source (file name, camera): a file name is no place for a novel
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def indexed_labels(analysis: Analysis | None, min_confidence: float) -> list[str]:
    """Label names (and their parents) confident enough to index, strongest first, without repeats."""
    if analysis is None:
        return []
    names: dict[str, None] = {}
    for label in sorted(analysis.labels, key=lambda item: -item.confidence):
        if label.confidence < min_confidence:
            continue
        names.setdefault(label.name, None)
        for parent in label.parents:
            names.setdefault(parent, None)
    return list(names)


def facet_labels(analysis: Analysis | None, min_confidence: float) -> list[str]:
    """The labels counted in the owner's facets (``GET /labels``), strongest first, at most ``MAX_FACET_LABELS``."""
    return indexed_labels(analysis, min_confidence)[:MAX_FACET_LABELS]


def index_terms(
    analysis: Analysis | None, caption: Caption | None, min_confidence: float
) -> dict[str, list[TermMatch]]:
    """Every term this content matches, with one match per field it was found through (the best one), labels
    first. At most ``MAX_TERMS`` terms, the strongest kept."""
    best: dict[tuple[str, MatchField], tuple[str, TermMatch]] = {}

    def add(term: str, field: MatchField, confidence: float, source: str) -> None:
        if not term:
            return
        current = best.get((term, field))
        if current is None or confidence > current[1].confidence:
            best[(term, field)] = (term, TermMatch(field=field, confidence=round(confidence, 2), source=source))

    if analysis is not None:
        confidence_of = {label.name: label.confidence for label in analysis.labels}
        for name in indexed_labels(analysis, min_confidence):
            confidence = confidence_of.get(name) or _parent_confidence(analysis, name, min_confidence)
            add(label_term(name), "label", confidence, name)
            for word in tokens(name):
                add(word, "label", confidence, name)
            for synonym in synonyms_of(name):  # the words people use for it; the reason names the label
                add(label_term(synonym), "label", confidence, name)
                for word in tokens(synonym):
                    add(word, "label", confidence, name)
        for line in analysis.text:
            for word in tokens(line.text):
                add(word, "text", line.confidence, line.text)
    if caption is not None and caption.text:
        for word in tokens(caption.text):
            add(word, "caption", 100.0 if not caption.fallback else 90.0, caption.text)

    ranked = sorted(best.values(), key=lambda hit: (-_field_rank(hit[1].field), -hit[1].confidence, hit[0]))
    kept: dict[str, list[TermMatch]] = {}
    for term, match in ranked:
        if term not in kept and len(kept) >= MAX_TERMS:
            continue
        kept.setdefault(term, []).append(match)
    return kept


def file_terms(photo: Photo) -> Iterator[tuple[str, TermMatch]]:
    """Terms of what the file says: the year and month it was taken ("2023", "july" — the timeline's date, so
    "july 2023" finds the photos under the July 2023 header), the words of its file name and of its camera."""
    year, month = photo.local_time[:4], photo.local_time[5:7]
    if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        shown = f"{MONTHS[int(month) - 1].title()} {year}"
        yield year, TermMatch(field="date", confidence=100.0, source=shown)
        yield MONTHS[int(month) - 1], TermMatch(field="date", confidence=100.0, source=shown)
    stem = _EXTENSION.sub("", photo.filename)
    for word in list(dict.fromkeys(tokens(stem)))[:MAX_FILE_TERMS]:
        yield word, TermMatch(field="filename", confidence=100.0, source=photo.filename)
    if photo.facts is not None:
        camera = " ".join(part for part in (photo.facts.camera_make, photo.facts.camera_model) if part)
        for word in list(dict.fromkeys(tokens(camera)))[:MAX_FILE_TERMS]:
            yield word, TermMatch(field="camera", confidence=100.0, source=camera)


def place_terms(photo: Photo) -> Iterator[tuple[str, TermMatch]]:
    """Terms of where it was taken: each of its city, region and country whole ("new york") and word by word, accents
    folded ("zurich" finds Zürich). Private like the place itself: only its owner's searches read these."""
    for name in photo.place.names if photo.place else ():
        match = TermMatch(field="place", confidence=100.0, source=name)
        for term in dict.fromkeys((label_term(name), *tokens(name))):
            if term:
                yield term, match


def findable_labels(photo: Photo) -> list[Label]:
    """The labels search finds this photo by and ``GET /labels`` counts it under — its ``indexed_labels`` as the
    pipeline wrote them — with their confidence and parents from the analysis."""
    if photo.analysis is None:
        return []
    by_name = {label.name: label for label in photo.analysis.labels}
    found: list[Label] = []
    for name in photo.indexed_labels:
        label = by_name.get(name)
        if label is None:  # a parent the analyzer did not list itself: as confident as its strongest child
            label = Label(name=name, confidence=_parent_confidence(photo.analysis, name, 0.0))
        found.append(label)
    return found


def _parent_confidence(analysis: Analysis, name: str, default: float) -> float:
    return max((label.confidence for label in analysis.labels if name in label.parents), default=default)


def _field_rank(field: str) -> int:
    return {"label": 3, "caption": 2, "text": 1}.get(field, 0)


def stamp_index(photo: Photo, min_confidence: float) -> tuple[Photo, list[TermPosting]]:
    """The photo stamped with exactly what it adds to its owner's index — terms, label and place facets, its month —
    and the term postings to write.

    Only timeline photos (READY, not trashed) are findable and counted: a quarantined photo keeps its analysis for
    its owner but adds nothing, and a trashed one adds nothing until it is restored (then it is stamped again)."""
    if not photo.in_timeline:
        return replace(photo, indexed_terms=(), indexed_labels=(), indexed_month=None, indexed_places=()), []
    terms = index_terms(photo.analysis, photo.caption, min_confidence)
    for term, match in (*file_terms(photo), *place_terms(photo)):
        matches = terms.setdefault(term, [])
        if all(existing.field != match.field for existing in matches):
            matches.append(match)
    postings = [
        TermPosting(term=term, photo_id=photo.photo_id, matches=tuple(matches)) for term, matches in terms.items()
    ]
    stamped = replace(
        photo,
        indexed_terms=tuple(posting.term for posting in postings),
        indexed_labels=tuple(facet_labels(photo.analysis, min_confidence)),
        indexed_month=keys.month_of(keys.taken_sort(photo)),
        indexed_places=photo.place.names if photo.place else (),
    )
    return stamped, postings
