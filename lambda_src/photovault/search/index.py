"""What a photo is findable by: the search terms and label facets derived from its analysis and caption."""

from __future__ import annotations

from dataclasses import replace

from photovault.model import Analysis, Caption, Photo, PhotoStatus
from photovault.ports import TermHit
from photovault.search.terms import label_term, tokens

MAX_TERMS = 200  # bounds the writes per photo; a page of dense text must not explode the index
MAX_FACET_LABELS = 40  # one DynamoDB transaction holds 100 items: the photo, facets up and facets down


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


def index_terms(analysis: Analysis | None, caption: Caption | None, min_confidence: float) -> list[TermHit]:
    """Every (term, field) this photo matches; a term reached through several fields keeps one hit per field."""
    best: dict[tuple[str, str], TermHit] = {}

    def add(term: str, field: str, confidence: float, source: str) -> None:
        if not term:
            return
        key = (term, field)
        current = best.get(key)
        if current is None or confidence > current.confidence:
            best[key] = TermHit(term=term, field=field, confidence=round(confidence, 2), source=source)

    if analysis is not None:
        confidence_of = {label.name: label.confidence for label in analysis.labels}
        for name in indexed_labels(analysis, min_confidence):
            confidence = confidence_of.get(name) or max(
                (lab.confidence for lab in analysis.labels if name in lab.parents), default=min_confidence
            )
            add(label_term(name), "label", confidence, name)
            for word in tokens(name):
                add(word, "label", confidence, name)
        for line in analysis.text:
            for word in tokens(line.text):
                add(word, "text", line.confidence, line.text)
    if caption is not None and caption.text:
        for word in tokens(caption.text):
            add(word, "caption", 100.0 if not caption.fallback else 90.0, caption.text)

    hits = sorted(best.values(), key=lambda hit: (-_field_rank(hit.field), -hit.confidence, hit.term))
    terms_kept: dict[str, None] = {}
    kept: list[TermHit] = []
    for hit in hits:
        if hit.term not in terms_kept and len(terms_kept) >= MAX_TERMS:
            continue
        terms_kept.setdefault(hit.term, None)
        kept.append(hit)
    return kept


def _field_rank(field: str) -> int:
    return {"label": 3, "caption": 2, "text": 1}.get(field, 0)


def stamp_index(photo: Photo, min_confidence: float) -> tuple[Photo, list[TermHit]]:
    """The photo stamped with exactly what it adds to its owner's index, and the term hits to write.

    Only READY photos are findable: a quarantined photo keeps its analysis for its owner but adds nothing."""
    if photo.status is not PhotoStatus.READY:
        return replace(photo, indexed_terms=(), indexed_labels=()), []
    hits = index_terms(photo.analysis, photo.caption, min_confidence)
    stamped = replace(
        photo,
        indexed_terms=tuple(dict.fromkeys(hit.term for hit in hits)),
        indexed_labels=tuple(facet_labels(photo.analysis, min_confidence)),
    )
    return stamped, hits
