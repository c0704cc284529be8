"""Captions: cleaned to ≤ 20 words, versioned prompt, and a deterministic flagged fallback on any model failure."""

from __future__ import annotations

from photovault.model import Analysis, BoundingBox, DominantColor, Face, ImageProperties, ImageQuality, Label, TextLine
from photovault.pipeline.caption import (
    FALLBACK_MODEL,
    LOCAL_COMPOSER,
    MAX_WORDS,
    PROMPT_VERSION,
    build_prompt,
    clean_caption,
    compose_caption,
    make_caption,
)
from photovault.ports import GeneratedText

ANALYSIS = Analysis(
    labels=(
        Label("Dog", 98.0, parents=("Animal", "Pet")),
        Label("Animal", 98.0),
        Label("Grass", 91.0),
        Label("Toy", 40.0),
    ),
    faces=(Face(BoundingBox(0, 0, 1, 1), 99.0),),
    text=(TextLine("BEWARE OF THE DOG", 97.0),),
)


class Model:
    model_id = "anthropic.test"

    def __init__(self, text: str = "", error: Exception | None = None) -> None:
        self.text, self.error, self.prompts = text, error, []

    def generate(self, *, system, prompt, image, image_format, max_tokens):
        self.prompts.append((system, prompt, image, image_format, max_tokens))
        if self.error:
            raise self.error
        return GeneratedText(self.text, self.model_id, 1500, 20)


def test_clean_caption_strips_quotes_prefixes_and_caps_words():
    long = 'Caption: "' + " ".join(["word"] * 40) + '"'
    cleaned = clean_caption(long)
    assert len(cleaned.split()) == MAX_WORDS and cleaned.endswith(".") and not cleaned.startswith(("C", '"'))
    assert clean_caption("  a dog\n on grass ") == "A dog on grass."
    assert clean_caption('""') == ""


def test_prompt_lists_confident_labels_faces_and_text():
    prompt = build_prompt(ANALYSIS, 70.0)
    assert "Dog (98%)" in prompt and "Grass (91%)" in prompt and "Toy" not in prompt
    assert "Faces visible: 1" in prompt and "BEWARE OF THE DOG" in prompt
    assert len(PROMPT_VERSION) == 12


def test_model_caption_is_used_with_usage_and_provenance():
    model = Model("A happy dog playing on the grass.")
    caption, error = make_caption(ANALYSIS, preview=b"webp", generator=model, max_tokens=80, min_confidence=70.0)
    assert error is None and caption.fallback is False
    assert caption.text == "A happy dog playing on the grass." and caption.model_id == "anthropic.test"
    assert (caption.input_tokens, caption.output_tokens) == (1500, 20)
    assert model.prompts[0][2:] == (b"webp", "webp", 80)


def test_any_model_failure_or_empty_answer_falls_back_deterministically():
    for model in (Model(error=RuntimeError("down")), Model(text="   ")):
        caption, error = make_caption(ANALYSIS, preview=b"", generator=model, max_tokens=80, min_confidence=70.0)
        assert error is not None and caption.fallback is True and caption.model_id == FALLBACK_MODEL
        assert caption.text == compose_caption(ANALYSIS, 70.0)


def test_composed_caption_names_leaf_labels_people_and_text():
    text = compose_caption(ANALYSIS, 70.0)
    assert text == 'A dog and grass with one person showing the text "BEWARE OF THE DOG".'
    assert len(text.split()) <= MAX_WORDS
    assert compose_caption(Analysis(), 70.0) == "A photo."


def test_composed_caption_is_written_the_way_a_person_would_say_it():
    # Given the offline classifier's view of a tabby close up, a breed, an espresso, a portrait and a sign
    tabby = Analysis(labels=(Label("Tabby Cat", 62.0, parents=("Cat",)), Label("Cat", 88.0, parents=("Feline",))))
    mau = Analysis(labels=(Label("Egyptian Mau", 55.0, parents=("Cat",)), Label("Cat", 90.0, parents=("Feline",))))
    coffee = Analysis(labels=(Label("Coffee", 80.0, parents=("Beverage",)),))
    sign = Analysis(text=(TextLine("NO PARKING ANY TIME", 99.0),))
    # Then the captions name things as a person does, never "A photo of egyptian mau"
    assert compose_caption(tabby, 40.0) == "A tabby cat."
    assert compose_caption(mau, 40.0) == "A cat."
    assert compose_caption(coffee, 40.0) == "A cup of coffee."
    assert compose_caption(sign, 40.0) == 'Text reading "NO PARKING ANY TIME".'


def test_without_confident_labels_the_composed_caption_describes_the_colours():
    colours = (DominantColor("#FFA500", 40.0, "orange"), DominantColor("#0000FF", 30.0, "blue"))
    analysis = Analysis(labels=(Label("Stupa", 34.0),), properties=ImageProperties(colours, ImageQuality(50.0, 50.0)))
    assert compose_caption(analysis, 70.0) == "A photo in orange and blue tones."


def test_without_a_model_the_composed_caption_is_not_a_fallback():
    caption, error = make_caption(ANALYSIS, preview=b"", generator=None, max_tokens=80, min_confidence=70.0)
    assert error is None and caption.fallback is False and caption.model_id == LOCAL_COMPOSER
