"""The offline embedder (``make run``'s Titan stand-in): MiniLM from PyPI wheels, tokenized exactly as the model
was trained, no network, and meaning that lines up with what a person types."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from photovault.model import Analysis, Caption, Label, TextLine
from scripts.local_stack.offline import minilm
from scripts.local_stack.offline.embedder import OfflineEmbedder, document

pytestmark = pytest.mark.xdist_group("offline-embedder")
GOLDEN = Path(__file__).parent / "data" / "minilm_token_ids.json"


def test_wordpiece_gives_the_ids_huggingface_tokenizers_gives() -> None:
    # Golden ids from ``tokenizers`` 0.23 with the model's own tokenizer.json (accents, punctuation, CJK, long words).
    for text, ids in json.loads(GOLDEN.read_text(encoding="utf-8")).items():
        assert minilm.token_ids(text) == ids, text


def test_it_embeds_with_the_network_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network disabled for this test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    vectors = minilm.embed(["a cup of coffee", "espresso"])
    assert vectors.shape == (2, minilm.DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_photo_of_coffee_is_nearest_to_a_cup_of_coffee() -> None:
    embedder = OfflineEmbedder()
    photos = {
        "coffee": Analysis(
            labels=(Label("Coffee", 45.0, parents=("Beverage",)),), classes=(("Espresso", 0.6), ("Cup", 0.2))
        ),
        "cat": Analysis(
            labels=(Label("Cat", 80.0, parents=("Feline",)),), classes=(("Tabby Cat", 0.5), ("Egyptian Mau", 0.3))
        ),
        "rocket": Analysis(labels=(Label("Spacecraft", 40.0),), classes=(("Missile", 0.4), ("Space Shuttle", 0.3))),
        "page": Analysis(text=(TextLine("The quick brown fox", 98.0),), classes=(("Book Jacket", 0.3),)),
    }
    vectors = {
        name: np.array(embedder.embed_photo(b"", analysis=a, caption=Caption("", "local", "1", False)).vector)
        for name, a in photos.items()
    }
    for query, expected in (
        ("a cup of coffee", "coffee"),
        ("kitten", "cat"),
        ("rocket launch", "rocket"),
        ("text on a page", "page"),
    ):
        q = np.array(embedder.embed_text(query).vector)
        best = max(vectors, key=lambda name: float(vectors[name] @ q))
        assert best == expected, (query, {n: round(float(v @ q), 3) for n, v in vectors.items()})


def test_the_document_leaves_out_colour_only_captions_and_keeps_weak_labels_and_text() -> None:
    analysis = Analysis(
        labels=(Label("Clock", 35.0, parents=("Object",)), Label("Noise", 5.0)), text=(TextLine("ROLEX", 90.0),)
    )
    assert document(analysis, Caption("A photo in gray tones.", "local", "1", False)) == "Clock, Object. text: ROLEX"
    assert document(None, Caption("A tabby cat.", "local", "1", False)) == "A tabby cat"
