"""The offline analyzer (``make run``'s Rekognition stand-in) really looks at the pixels, with no network.

Photos come from scikit-image's bundled sample images (public domain / CC0, shipped in its wheel); the rest
are drawn here. Models load once for the module; every call goes through the public ``ImageAnalyzer`` port.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from photovault.errors import ImageRejected
from photovault.model import Label
from photovault.ports import ImageAnalyzer
from scripts.local_stack.offline.analyzer import OfflineAnalyzer
from scripts.local_stack.offline.vision import taxonomy
from scripts.local_stack.offline.vision.torch_pickle import load_state_dict

# One worker holds the models for the whole module under ``pytest -n 2 --dist loadgroup``.
pytestmark = pytest.mark.xdist_group("offline-analyzer")


def jpeg(image: Image.Image, long_side: int = 1024) -> bytes:
    scale = long_side / max(image.size)
    resized = image.convert("RGB").resize((round(image.width * scale), round(image.height * scale)))
    out = io.BytesIO()
    resized.save(out, format="JPEG", quality=90)
    return out.getvalue()


def sample_photo(name: str) -> Image.Image:
    from skimage import data

    return Image.fromarray(getattr(data, name)())


def text_image() -> Image.Image:
    image = Image.new("RGB", (1024, 768), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=72)  # Pillow's bundled font: no system fonts needed
    draw.text((70, 250), "PHOTOVAULT 2024", fill="black", font=font)
    draw.text((70, 420), "Summer picnic", fill=(20, 40, 120), font=font)
    return image


def drawn_face(*, features: bool = True, size: int = 800) -> Image.Image:
    """A flat, front-facing cartoon head. Without features it is the same skin-coloured oval on the same ground."""
    image = Image.new("RGB", (size, size), (70, 110, 160))
    draw = ImageDraw.Draw(image)
    cx, cy = size // 2, size // 2
    w, h = int(size * 0.36), int(size * 0.48)
    draw.ellipse((cx - w // 2 - 8, cy - h // 2 - 30, cx + w // 2 + 8, cy + h // 2 - 60), fill=(60, 40, 25))
    draw.rectangle((cx - w // 5, cy + h // 2 - 40, cx + w // 5, size), fill=(215, 170, 140))
    draw.ellipse((cx - w // 2, cy - h // 2, cx + w // 2, cy + h // 2), fill=(225, 180, 150))
    if features:
        eye_y = cy - h // 10
        for side in (-1, 1):
            x = cx + side * w // 4
            draw.ellipse((x - w // 9, eye_y - h // 30, x + w // 9, eye_y + h // 30), fill=(250, 250, 250))
            draw.ellipse((x - w // 22, eye_y - h // 26, x + w // 22, eye_y + h // 26), fill=(40, 25, 15))
            draw.line((x - w // 8, eye_y - h // 12, x + w // 8, eye_y - h // 11), fill=(60, 40, 25), width=10)
        draw.polygon(
            [(cx, eye_y + h // 30), (cx - w // 14, cy + h // 8), (cx + w // 14, cy + h // 8)], fill=(200, 150, 120)
        )
        draw.chord((cx - w // 5, cy + h // 6, cx + w // 5, cy + h / 3.2), 0, 180, fill=(150, 60, 60))
    return image.filter(ImageFilter.GaussianBlur(size / 300))


def by_name(labels: tuple[Label, ...]) -> dict[str, Label]:
    return {label.name: label for label in labels}


@pytest.fixture(scope="module")
def analyzer() -> Iterator[OfflineAnalyzer]:
    offline = OfflineAnalyzer()
    offline.warm_up()
    yield offline


def test_it_is_an_image_analyzer_named_local_offline(analyzer: OfflineAnalyzer) -> None:
    port: ImageAnalyzer = analyzer
    assert port.name == "local-offline"


# ------------------------------------------------------------------ text


def test_text_in_an_image_comes_back_as_lines_in_reading_order(analyzer: OfflineAnalyzer) -> None:
    lines = analyzer.detect_text(jpeg(text_image()))

    texts = [line.text for line in lines]
    assert any("PHOTOVAULT" in text and "2024" in text for text in texts), texts
    assert any("summer picnic" in text.lower() for text in texts), texts
    assert texts.index(next(t for t in texts if "PHOTOVAULT" in t)) < texts.index(
        next(t for t in texts if "picnic" in t.lower())
    )
    for line in lines:
        assert line.confidence > 80
        assert line.box is not None
        assert 0 <= line.box.left < 1 and 0 <= line.box.top < 1 and 0 < line.box.width <= 1
    first = next(line for line in lines if "PHOTOVAULT" in line.text)
    assert first.box is not None and 0.25 < first.box.top < 0.4  # drawn at y=250 of 768


def test_a_photo_without_writing_has_no_text(analyzer: OfflineAnalyzer) -> None:
    assert analyzer.detect_text(jpeg(sample_photo("chelsea"))) == ()


# ------------------------------------------------------------------ faces


def test_a_portrait_has_one_face_around_the_head(analyzer: OfflineAnalyzer) -> None:
    faces = analyzer.detect_faces(jpeg(sample_photo("astronaut")))

    assert len(faces) == 1
    box = faces[0].box
    assert 0.3 < box.left < 0.4 and 0.1 < box.top < 0.2 and 0.15 < box.width < 0.3  # her head, top centre
    assert faces[0].confidence > 90


def test_a_drawn_face_is_found_and_a_featureless_head_is_not(analyzer: OfflineAnalyzer) -> None:
    assert len(analyzer.detect_faces(jpeg(drawn_face(), 800))) == 1
    assert analyzer.detect_faces(jpeg(drawn_face(features=False), 800)) == ()


def test_a_cat_has_no_human_face(analyzer: OfflineAnalyzer) -> None:
    assert analyzer.detect_faces(jpeg(sample_photo("chelsea"))) == ()


# ------------------------------------------------------------------ labels


def test_labels_follow_the_content_with_readable_parents(analyzer: OfflineAnalyzer) -> None:
    cat = by_name(analyzer.detect_labels(jpeg(sample_photo("chelsea"))).labels)
    coffee = by_name(analyzer.detect_labels(jpeg(sample_photo("coffee"))).labels)
    person = by_name(analyzer.detect_labels(jpeg(sample_photo("astronaut"))).labels)

    assert cat["Cat"].confidence >= 70
    assert {"Mammal", "Pet", "Animal"} <= set(cat["Cat"].parents)
    assert cat["Cat"].categories == (taxonomy.ANIMALS,)
    assert "Animal" in cat and "Food and Drink" not in cat

    assert coffee["Coffee"].confidence >= 70
    assert "Food and Drink" in coffee["Coffee"].parents
    assert "Cat" not in coffee and "Animal" not in coffee

    assert person["Person"].confidence >= 90 and len(person["Person"].instances) == 1
    assert "Cat" not in person and "Coffee" not in person

    assert set(cat) != set(coffee) != set(person)


def test_labels_are_ranked_and_within_range(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.detect_labels(jpeg(sample_photo("coffee"), 1920))

    confidences = [label.confidence for label in result.labels]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 < c <= 100 for c in confidences)
    assert len({label.name for label in result.labels}) == len(result.labels)
    assert result.model_version.startswith("efficientnet-lite0")


def test_every_imagenet_class_has_a_name_and_at_most_one_group() -> None:
    seen: dict[int, str] = {}
    for group in taxonomy.GROUPS:
        for index in taxonomy.parse_members(group.members):
            assert 0 <= index < 1000
            assert index not in seen, f"class {index} in {seen.get(index)} and {group.name}"
            seen[index] = group.name
    classes = taxonomy.classes()
    assert len(classes) == 1000
    assert all((info.name[:1].isupper() or info.name == "iPod") for info in classes)


# ------------------------------------------------------------------ properties


def test_a_red_image_is_dominantly_red(analyzer: OfflineAnalyzer) -> None:
    properties = analyzer.detect_labels(jpeg(Image.new("RGB", (1024, 768), (255, 0, 0)))).properties

    assert properties is not None
    top = properties.dominant_colors[0]
    assert top.simplified == "red"
    assert top.pixel_percent > 95
    assert top.hex.startswith("#F") or top.hex.startswith("#E")


def test_colours_are_shared_by_area(analyzer: OfflineAnalyzer) -> None:
    image = Image.new("RGB", (1000, 800), (20, 60, 200))
    ImageDraw.Draw(image).rectangle((0, 560, 1000, 800), fill=(30, 160, 40))  # bottom 30 % green
    properties = analyzer.detect_labels(jpeg(image)).properties

    assert properties is not None
    colours = {colour.simplified: colour.pixel_percent for colour in properties.dominant_colors}
    assert colours.keys() == {"blue", "green"}
    assert colours["blue"] == pytest.approx(70, abs=4) and colours["green"] == pytest.approx(30, abs=4)


def test_quality_tracks_brightness_contrast_and_blur(analyzer: OfflineAnalyzer) -> None:
    photo = sample_photo("astronaut")

    def quality(image: Image.Image) -> tuple[float, float, float]:
        properties = analyzer.detect_labels(jpeg(image)).properties
        assert properties is not None and properties.quality.contrast is not None
        return properties.quality.brightness, properties.quality.sharpness, properties.quality.contrast

    sharp = quality(photo)
    blurred = quality(photo.filter(ImageFilter.GaussianBlur(4)))
    darker = quality(Image.eval(photo, lambda v: v // 3))
    flat = quality(Image.new("RGB", (1024, 768), (128, 128, 128)))

    assert blurred[1] < sharp[1] / 2
    assert darker[0] < sharp[0] / 2
    assert flat[2] < 1 and flat[1] < 1 and flat[0] == pytest.approx(50, abs=2)


# ------------------------------------------------------------------ moderation


@pytest.mark.parametrize("name", ["astronaut", "chelsea", "coffee", "rocket"])
def test_ordinary_photos_raise_no_moderation_label(analyzer: OfflineAnalyzer, name: str) -> None:
    result = analyzer.detect_moderation(jpeg(sample_photo(name)))

    assert result.labels == ()
    assert result.model_version


# ------------------------------------------------------------------ robustness


def test_undecodable_bytes_are_rejected_not_retried(analyzer: OfflineAnalyzer) -> None:
    with pytest.raises(ImageRejected) as raised:
        analyzer.detect_labels(b"\xff\xd8\xff\xe0 definitely not a whole jpeg")
    assert raised.value.reason_code == "corrupt_image"


def test_parallel_calls_give_the_same_answers_as_serial_ones(analyzer: OfflineAnalyzer) -> None:
    # The pipeline runs the four calls of a photo at once (and photos may overlap): shared models must cope.
    images = [jpeg(sample_photo("astronaut")), jpeg(text_image())]
    calls = [analyzer.detect_labels, analyzer.detect_faces, analyzer.detect_text, analyzer.detect_moderation]
    serial = [call(image) for image in images for call in calls]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda job: job[0](job[1]), [(call, image) for image in images for call in calls]))
    assert parallel == serial


def test_the_weights_reader_refuses_pickled_code(tmp_path: Path) -> None:
    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pwned",))

    hostile = tmp_path / "weights.pth"
    hostile.write_bytes(
        pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
        + pickle.dumps(1001, protocol=2)
        + pickle.dumps({"little_endian": True}, protocol=2)
        + pickle.dumps(Exploit(), protocol=2)
    )
    with pytest.raises(pickle.UnpicklingError, match="refusing pickle global .*print"):
        load_state_dict(hostile)


def test_shipped_weights_load_as_arrays() -> None:
    from scripts.local_stack.offline.vision.classifier import _weights_path

    state = load_state_dict(_weights_path())
    assert state["_fc.weight"].shape == (1000, 1280)
    assert np.isfinite(state["_conv_stem.weight"]).all()


def test_the_astronaut_at_its_own_size_has_one_face_and_not_the_patch_on_her_suit(analyzer: OfflineAnalyzer) -> None:
    """At 512 px (the size scikit-image ships) dlib's detector also fires, weakly, on the mission patch."""
    faces = analyzer.detect_faces(jpeg(sample_photo("astronaut"), 512))

    assert len(faces) == 1
    assert faces[0].box.top < 0.3  # her head, not the patch at two thirds down
