"""Text normalisation shared by indexing and querying: lowercase, accents folded, stop words dropped, plurals folded."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "there",
        "this",
        "to",
        "was",
        "were",
        "with",
        "without",
        "over",
        "under",
        "near",
        "next",
        "up",
        "down",
        "out",
        "off",
        "very",
        "some",
        "any",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "one",
        "photo",
        "image",
        "picture",
        "shows",
        "showing",
        "shown",
    ]
)

_WORD = re.compile(r"[a-z0-9]+")
MAX_TERM_LENGTH = 40
# Words that end in "s" but are not plurals (or whose folding would collide with another word).
_KEEP_S = frozenset(
    {
        "glass",
        "grass",
        "bus",
        "gas",
        "dress",
        "chess",
        "moss",
        "boss",
        "class",
        "cross",
        "bonus",
        "cactus",
        "octopus",
        "lotus",
        "canvas",
        "lens",
        "jeans",
        "pants",
        "shorts",
        "news",
        "ios",
        "process",
        "business",
        "mattress",
        "compass",
        "iris",
        "tennis",
        "species",
        "series",
        "texas",
    }
)
_IRREGULAR = {
    "people": "person",
    "men": "man",
    "women": "woman",
    "children": "child",
    "mice": "mouse",
    "geese": "goose",
    "teeth": "tooth",
    "feet": "foot",
    "leaves": "leaf",
    "knives": "knife",
    "wolves": "wolf",
    "shelves": "shelf",
    "loaves": "loaf",
}


def fold(text: str) -> str:
    """Lowercase and strip accents (café → cafe)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def singular(word: str) -> str:  # noqa: PLR0911 — one return per rule reads best
    """Simple English plural folding: dogs → dog, puppies → puppy, boxes → box, buses → bus."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or word in _KEEP_S or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2] in _KEEP_S:
        return word[:-2]
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Normalised search terms of ``text``, in order, stop words dropped, duplicates kept."""
    out: list[str] = []
    for raw in _WORD.findall(fold(text)):
        if raw in STOP_WORDS or len(raw) > MAX_TERM_LENGTH:
            continue
        if len(raw) == 1 and not raw.isdigit():
            continue
        out.append(singular(raw))
    return out


def unique_terms(texts: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        for term in tokens(text):
            seen.setdefault(term, None)
    return list(seen)


def label_term(name: str) -> str:
    """A whole label as one term ("Golden Retriever" → "golden retriever") plus its words via ``tokens``."""
    return " ".join(tokens(name))
