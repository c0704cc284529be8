"""Captions: the Bedrock prompt (versioned by hash), post-processing to ≤ 20 words, and the deterministic fallback."""

from __future__ import annotations

import hashlib
import re

from photovault.model import Analysis, Caption, Label
from photovault.ports import TextGenerator

MAX_WORDS = 20
LOCAL_COMPOSER = "local-composer"
FALLBACK_MODEL = "fallback-template"

SYSTEM_PROMPT = (
    "You write short, factual alt-text captions for a private photo library. "
    "Describe only what is visible. No speculation about identity, no hashtags, no quotes, no emojis."
)
PROMPT_TEMPLATE = (
    "Write one caption of at most {max_words} words for this photo.\n"
    "Labels detected (with confidence): {labels}.\n"
    "{extra}"
    "Reply with the caption only."
)
PROMPT_VERSION = hashlib.sha256((SYSTEM_PROMPT + "\n" + PROMPT_TEMPLATE).encode()).hexdigest()[:12]


def build_prompt(analysis: Analysis, min_confidence: float) -> str:
    labels = _top_labels(analysis.labels, min_confidence, limit=10)
    label_text = ", ".join(f"{lab.name} ({lab.confidence:.0f}%)" for lab in labels) or "none"
    extra = ""
    if analysis.faces:
        extra += f"Faces visible: {len(analysis.faces)}.\n"
    if analysis.text:
        words = " ".join(line.text for line in analysis.text)[:200]
        extra += f"Text visible in the image: {words}\n"
    return PROMPT_TEMPLATE.format(max_words=MAX_WORDS, labels=label_text, extra=extra)


_QUOTES = "\"'“”‘’`"


def clean_caption(text: str) -> str:
    """One line, no wrapping quotes or label prefixes, at most ``MAX_WORDS`` words, ending with a full stop."""
    line = " ".join(text.split())
    line = re.sub(r"^(caption|alt[- ]?text)\s*:\s*", "", line, flags=re.IGNORECASE).strip()
    while len(line) >= 2 and line[0] in _QUOTES and line[-1] in _QUOTES:  # only quotes that wrap the whole answer
        line = line[1:-1].strip()
    words = line.split()
    if not words:
        return ""
    trimmed = " ".join(words[:MAX_WORDS]).rstrip(",;:-")
    if trimmed[-1] not in ".!?":
        trimmed += "."
    return trimmed[0].upper() + trimmed[1:]


def _top_labels(labels: tuple[Label, ...], min_confidence: float, *, limit: int) -> list[Label]:
    """The most specific confident labels: a parent ("Animal") is left out when its child ("Dog") is there."""
    confident = [lab for lab in labels if lab.confidence >= min_confidence]
    parents = {p for lab in confident for p in lab.parents}
    leaves = sorted((lab for lab in confident if lab.name not in parents), key=lambda lab: -lab.confidence)
    return leaves[:limit]


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# How a person names what a label stands for, when "a <label>" is not it.
_PHRASES = {
    "Coffee": "a cup of coffee",
    "Espresso": "a cup of espresso",
    "Beverage": "a drink",
    "Water": "water",
    "Grass": "grass",
    "Gravel": "gravel",
    "Text": "text",
    "Document": "a document",
    "Food": "food",
    "Clothing": "clothing",
    "Person": "a person",
    "Face": "a face",
}
_VOWELS = "aeiou"


def _phrase(label: Label, confidence_of: dict[str, float]) -> str:
    """ "a tabby cat" for a class whose name carries its group's noun ("Tabby Cat" under "Cat"), "a cat" for a breed
    a person would not name ("Egyptian Mau" under a more certain "Cat"), "a horse" for a plain label."""
    name = label.name
    if name in _PHRASES:
        return _PHRASES[name]
    group = label.parents[0] if label.parents else ""
    # Only when the group is clearly surer than the class: Rekognition gives a "Dog" and its "Animal" parent the
    # same confidence, and "a dog" is what a person says.
    surer = confidence_of.get(group, 0.0) > label.confidence + 5
    if group and surer and group.lower().split()[-1] not in name.lower():
        name = group
    if name in _PHRASES:
        return _PHRASES[name]
    words = name.lower()
    return f"{'an' if words[:1] in _VOWELS else 'a'} {words}"


def compose_caption(analysis: Analysis, min_confidence: float) -> str:
    """A deterministic caption from the analysis alone (used when no model is available), written the way a person
    would: "A tabby cat.", "A cup of coffee and a spoon with one person.", "A page showing the text "…"."."""
    confidence_of = {lab.name: lab.confidence for lab in analysis.labels}
    leaves = _top_labels(analysis.labels, min_confidence, limit=3)
    phrases = list(dict.fromkeys(_phrase(lab, confidence_of) for lab in leaves))
    faces = len(analysis.faces)
    people = [p for p in phrases if p not in ("a person", "a face")]
    colours = list(
        dict.fromkeys(c.simplified for c in (analysis.properties.dominant_colors if analysis.properties else ()))
    )
    if people:
        subject = _join(people[:2])
    elif faces:
        subject = "a person" if faces == 1 else f"{faces} people"
        faces = 0
    elif phrases:
        subject = phrases[0]
    elif analysis.text:
        subject = "text reading"
    elif colours and colours[0]:
        # Nothing recognised with confidence: say what is certainly true rather than guess at content.
        subject = f"a photo in {_join([c for c in colours if c][:3])} tones"
    else:
        subject = "a photo"
    if faces:
        subject += " with one person" if faces == 1 else f" with {faces} people"
    if analysis.text:
        snippet = " ".join(analysis.text[0].text.split()[:4])
        subject += f' "{snippet}"' if subject == "text reading" else f' showing the text "{snippet}"'
    return clean_caption(subject)


def is_composed(caption: Caption) -> bool:
    """True when the caption was composed from the analysis (no model configured, or the model failed)."""
    return caption.fallback or caption.model_id in (LOCAL_COMPOSER, FALLBACK_MODEL)


def make_caption(
    analysis: Analysis,
    *,
    preview: bytes,
    generator: TextGenerator | None,
    max_tokens: int,
    min_confidence: float,
) -> tuple[Caption, Exception | None]:
    """Ask the model; on any failure (or an empty answer) fall back to the composed caption, flagged as such."""
    composed = compose_caption(analysis, min_confidence)
    if generator is None:
        return Caption(text=composed, model_id=LOCAL_COMPOSER, prompt_version=PROMPT_VERSION, fallback=False), None
    try:
        result = generator.generate(
            system=SYSTEM_PROMPT,
            prompt=build_prompt(analysis, min_confidence),
            image=preview,
            image_format="webp",
            max_tokens=max_tokens,
        )
        text = clean_caption(result.text)
        if not text:
            raise ValueError("the model returned an empty caption")
    except Exception as exc:  # any model failure: a photo must never fail for want of a caption
        fallback = Caption(text=composed, model_id=FALLBACK_MODEL, prompt_version=PROMPT_VERSION, fallback=True)
        return fallback, exc
    caption = Caption(
        text=text,
        model_id=result.model_id,
        prompt_version=PROMPT_VERSION,
        fallback=False,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
    )
    return caption, None
