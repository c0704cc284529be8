"""Derivatives: upright, right-sized, metadata-free WebP thumb/preview and a bounded JPEG for analysis."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, ImageCms

from photovault.images import ImageLimits, render, validate
from photovault.images.derivatives import analysis_jpeg, make_renditions
from photovault.images.formats import JPEG
from photovault.images.validation import decode
from tests.unit.images.photos import encode, noise_image, photo_like

RED, GREEN, BLUE = (230, 20, 20), (20, 200, 20), (20, 20, 230)
# The transpose whose inverse each EXIF orientation undoes (self-inverse except the two 90° rotations).
STORE_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def upright_marker_image() -> Image.Image:
    """Landscape, blue, with a red block top-left and a green block top-right: only one way up looks like this."""
    image = Image.new("RGB", (800, 600), BLUE)
    image.paste(RED, (0, 0, 200, 150))
    image.paste(GREEN, (600, 0, 800, 150))
    return image


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def near(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))


def riff_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        kind, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        chunks.append(kind)
        pos += 8 + size + (size & 1)
    return chunks


def jpeg_markers(data: bytes) -> list[int]:
    markers, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] != 0xDA:
        markers.append(data[pos + 1])
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
    return markers


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_gives_upright_derivatives(orientation: int) -> None:
    # Given the marker picture stored as a camera would for this orientation
    transpose = STORE_FOR_ORIENTATION[orientation]
    upright = upright_marker_image()
    stored = upright if transpose is None else upright.transpose(transpose)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(stored, "JPEG", quality=92, exif=exif.tobytes())
    # When rendered
    renditions = render(validate(data, ImageLimits()))
    # Then every rendition shows red top-left, green top-right, blue below, in landscape
    for derivative in (renditions.thumb, renditions.preview, renditions.analysis_jpeg):
        image = decoded(derivative.data).convert("RGB")
        width, height = image.size
        assert width > height
        assert near(image.getpixel((width // 10, height // 10)), RED)
        assert near(image.getpixel((width - width // 10, height // 10)), GREEN)
        assert near(image.getpixel((width // 2, height - height // 10)), BLUE)


def test_derivatives_carry_no_exif_gps_xmp_or_icc() -> None:
    # Given a photo with GPS EXIF, an XMP packet and an ICC profile
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encode(photo_like(800, 600), "JPEG", exif=exif.tobytes(), icc_profile=icc, xmp=xmp)
    assert b"Canon" in data
    # When rendered
    renditions = render(validate(data, ImageLimits()))
    # Then the WebP files hold only image chunks and the JPEG no APPn metadata
    for webp in (renditions.thumb, renditions.preview):
        assert set(riff_chunks(webp.data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
        assert b"Canon" not in webp.data and b"xmpmeta" not in webp.data
    jpeg = renditions.analysis_jpeg.data
    assert [m for m in jpeg_markers(jpeg) if 0xE1 <= m <= 0xEF] == []
    assert b"Exif" not in jpeg and b"Canon" not in jpeg and b"xmpmeta" not in jpeg
    assert "icc_profile" not in decoded(jpeg).info and "exif" not in decoded(jpeg).info


@pytest.mark.parametrize(
    ("size", "preview", "thumb"),
    [
        ((4000, 3000), (1600, 1200), (256, 192)),
        ((3000, 4000), (1200, 1600), (192, 256)),
        ((5000, 1000), (1600, 320), (256, 51)),
        ((300, 200), (300, 200), (256, 171)),
        ((200, 100), (200, 100), (200, 100)),
    ],
)
def test_renditions_fit_their_box_with_aspect_kept_and_are_never_enlarged(
    size: tuple[int, int], preview: tuple[int, int], thumb: tuple[int, int]
) -> None:
    renditions = render(validate(encode(photo_like(*size), "JPEG"), ImageLimits()))
    assert (renditions.preview.width, renditions.preview.height) == preview
    assert decoded(renditions.preview.data).size == preview
    assert (renditions.thumb.width, renditions.thumb.height) == thumb
    assert decoded(renditions.thumb.data).size == thumb
    assert renditions.preview.content_type == renditions.thumb.content_type == "image/webp"
    assert renditions.analysis_jpeg.content_type == "image/jpeg"
    assert decoded(renditions.analysis_jpeg.data).format == "JPEG"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF", "HEIF", "AVIF"])
def test_non_jpeg_formats_render_too(fmt: str) -> None:
    data = encode(photo_like(1800, 1350), fmt, **({"quality": 60} if fmt in ("HEIF", "AVIF") else {}))
    renditions = render(validate(data, ImageLimits()))
    assert (renditions.preview.width, renditions.preview.height) == (1600, 1200)
    assert decoded(renditions.preview.data).size == (1600, 1200)
    assert decoded(renditions.thumb.data).size == (256, 192)


def test_alpha_is_kept_in_webp_and_flattened_on_white_for_analysis() -> None:
    # Given a PNG whose right half is fully transparent
    image = photo_like(400, 300).convert("RGBA")
    image.paste((0, 0, 0, 0), (200, 0, 400, 300))
    renditions = render(validate(encode(image, "PNG"), ImageLimits()))
    # Then the preview is transparent there and the JPEG is white there
    preview = decoded(renditions.preview.data)
    assert preview.mode == "RGBA" and preview.getpixel((350, 150))[3] == 0
    assert near(decoded(renditions.analysis_jpeg.data).convert("RGB").getpixel((350, 150)), (255, 255, 255))


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    # Given a 16-bit grey PNG at half intensity
    data = encode(Image.new("I;16", (64, 64), 32768), "PNG")
    preview = decoded(render(validate(data, ImageLimits())).preview.data).convert("L")
    # Then the preview is mid-grey, not white
    assert 110 < preview.getpixel((32, 32)) < 145


def test_cmyk_jpeg_renders_in_plausible_colour() -> None:
    # Given a red photo stored as CMYK
    data = encode(Image.new("RGB", (300, 200), RED).convert("CMYK"), "JPEG", quality=95)
    renditions = render(validate(data, ImageLimits()))
    # Then the preview is still red
    assert near(decoded(renditions.preview.data).convert("RGB").getpixel((150, 100)), RED)


def test_palette_gif_first_frame_is_rendered() -> None:
    frames = [Image.new("RGB", (100, 80), colour).convert("P") for colour in (RED, GREEN)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    preview = decoded(render(validate(data, ImageLimits())).preview.data).convert("RGB")
    assert near(preview.getpixel((50, 40)), RED)


def test_making_renditions_does_not_change_the_decoded_image_and_can_repeat() -> None:
    decoded = decode(encode(photo_like(300, 200), "JPEG"), JPEG, ImageLimits())
    first, second = make_renditions(decoded), make_renditions(decoded)
    assert first == second


def test_analysis_jpeg_steps_quality_then_size_down_to_the_byte_budget() -> None:
    # Given pure noise, which no JPEG quality compresses well
    derivative = analysis_jpeg(noise_image(1600, 1200), max_bytes=500_000)
    # Then the rendition still fits the budget and is a JPEG
    assert len(derivative.data) <= 500_000
    assert decoded(derivative.data).size == (derivative.width, derivative.height)


@pytest.mark.slow
def test_analysis_jpeg_of_a_noisy_24_megapixel_photo_is_under_5_mb() -> None:
    # Given a 24 MP noise photo (the worst case for JPEG size)
    data = encode(noise_image(6000, 4000), "JPEG", quality=90)
    renditions = render(validate(data, ImageLimits(max_bytes=200_000_000)))
    # Then what goes to Rekognition is within its 5 MB limit
    assert len(renditions.analysis_jpeg.data) <= 5_000_000


@pytest.mark.parametrize(("source", "target"), [((2000, 1500), (1600, 1200)), ((4000, 3000), (1600, 1200))])
def test_the_preview_resized_in_two_bands_matches_a_one_piece_resize_without_a_seam(
    source: tuple[int, int], target: tuple[int, int]
) -> None:
    from PIL import ImageChops

    from photovault.images.derivatives import _resize_in_bands

    # Given a photo resized in two bands of rows made at once, and the same resize in one piece
    picture = photo_like(*source)
    banded = _resize_in_bands(picture, target)
    whole = picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=1.0)
    # Then they differ by rounding only, anywhere, the rows where the bands meet included
    assert banded.size == whole.size
    assert max(high for _low, high in ImageChops.difference(banded, whole).getextrema()) <= 2
    join = target[1] // 2
    seam = ImageChops.difference(
        banded.crop((0, join - 1, target[0], join + 1)), whole.crop((0, join - 1, target[0], join + 1))
    )
    assert max(high for _low, high in seam.getextrema()) <= 2


def test_the_decode_child_never_imports_every_pillow_plugin() -> None:
    # Given a fresh interpreter (Pillow's plugin registry is per process), When a JPEG is validated, Then the forked
    # child found the WebP and JPEG writers registered by the parent: Pillow's all-plugins init (~100 ms) never ran
    code = """
import io, sys
from PIL import Image
from photovault.images import ImageLimits, validation

def decoder(data, fmt, limits):
    result = validation.decode_and_render(data, fmt, limits)
    assert "PIL.PsdImagePlugin" not in sys.modules, "Image.init() ran in the child"
    return result

buffer = io.BytesIO()
Image.new("RGB", (640, 480), (200, 30, 30)).save(buffer, "JPEG")
validation.validate(buffer.getvalue(), ImageLimits(), decoder=decoder)
print("ok")
"""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "lambda_src"), str(root)])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
