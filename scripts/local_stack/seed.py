"""Demo photos for a first run: pleasant images drawn in code, uploaded the way a browser uploads them.

Each photo goes through the real path — sign in (Cognito), ``POST /api/uploads`` (creates the PENDING item and a
presigned POST), then the multipart POST to the originals bucket — so the S3 notification, the queue and the worker
process them like any upload.
"""

from __future__ import annotations

import io
import json
import logging
import math
import random
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1024, 768


@dataclass(frozen=True)
class DemoPhoto:
    filename: str
    data: bytes
    content_type: str = "image/jpeg"


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int], height: int = HEIGHT) -> Image.Image:
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / (height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((WIDTH, height))


def _jpeg(image: Image.Image, taken_at: str, model: str) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhotoVault"  # Make
    exif[0x0110] = model  # Model
    exif.get_ifd(0x8769)[0x9003] = taken_at  # DateTimeOriginal
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, exif=exif.tobytes())
    return buffer.getvalue()


def sunset() -> Image.Image:
    sky_height = int(HEIGHT * 0.62)
    image = _gradient((255, 196, 92), (196, 64, 110), sky_height)
    canvas = Image.new("RGB", (WIDTH, HEIGHT))
    canvas.paste(image, (0, 0))
    draw = ImageDraw.Draw(canvas)
    sun_x, sun_y, r = WIDTH // 2, sky_height - 30, 110
    draw.ellipse((sun_x - r, sun_y - r, sun_x + r, sun_y + r), fill=(255, 236, 160))
    # the sea hides the lower half of the sun
    canvas.paste(_gradient((70, 44, 96), (12, 18, 48), HEIGHT - sky_height), (0, sky_height))
    for i in range(14):  # the sun's reflection, broken by waves
        y = sky_height + 12 + i * 19
        half = int((r - i * 6) * (1 + 0.15 * math.sin(i)))
        if half > 8:
            draw.rectangle((sun_x - half, y, sun_x + half, y + 5), fill=(255, 200, 130))
    return canvas.filter(ImageFilter.GaussianBlur(1.2))


def street_sign() -> Image.Image:
    canvas = _gradient((120, 180, 235), (200, 230, 250))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((WIDTH // 2 - 14, 430, WIDTH // 2 + 14, HEIGHT), fill=(90, 90, 96))  # post
    draw.rounded_rectangle(
        (112, 150, WIDTH - 112, 470), radius=28, fill=(24, 112, 64), outline=(240, 240, 240), width=10
    )
    font = ImageFont.load_default(size=92)
    small = ImageFont.load_default(size=46)
    draw.text((WIDTH // 2, 262), "PHOTO VAULT", font=font, fill=(255, 255, 255), anchor="mm")
    draw.text((WIDTH // 2, 380), "Main Street  1 km", font=small, fill=(255, 255, 255), anchor="mm")
    return canvas


def shapes() -> Image.Image:
    rng = random.Random(7)
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (250, 244, 232))
    draw = ImageDraw.Draw(canvas)
    palette = [(231, 76, 60), (52, 152, 219), (241, 196, 15), (46, 204, 113), (155, 89, 182), (230, 126, 34)]
    for i in range(18):
        color = palette[i % len(palette)]
        x, y, size = rng.randrange(40, WIDTH - 160), rng.randrange(40, HEIGHT - 160), rng.randrange(60, 150)
        kind = i % 3
        if kind == 0:
            draw.ellipse((x, y, x + size, y + size), fill=color)
        elif kind == 1:
            draw.rectangle((x, y, x + size, y + size * 0.7), fill=color)
        else:
            draw.polygon([(x, y + size), (x + size / 2, y), (x + size, y + size)], fill=color)
    return canvas


def hills() -> Image.Image:
    canvas = _gradient((135, 196, 250), (225, 240, 250))
    draw = ImageDraw.Draw(canvas)
    for depth, (base, color) in enumerate(((430, (110, 170, 90)), (520, (70, 140, 70)), (610, (40, 110, 55)))):
        points: list[tuple[float, float]] = [(0, HEIGHT)]
        for x in range(0, WIDTH + 16, 16):
            points.append((x, base + 40 * math.sin(x / (140 + 40 * depth) + depth * 1.7)))
        points.append((WIDTH, HEIGHT))
        draw.polygon(points, fill=color)
    draw.ellipse((800, 70, 900, 170), fill=(255, 244, 190))  # sun
    for cx, cy in ((210, 120), (520, 90)):  # clouds
        for dx, dy, rr in ((0, 0, 42), (40, -18, 50), (86, 0, 40)):
            draw.ellipse((cx + dx - rr, cy + dy - rr, cx + dx + rr, cy + dy + rr), fill=(255, 255, 255))
    draw.rectangle((300, 520, 316, 600), fill=(92, 64, 40))  # a tree
    draw.ellipse((258, 430, 358, 540), fill=(34, 100, 48))
    return canvas


def demo_photos() -> Iterator[DemoPhoto]:
    makers: list[tuple[str, Callable[[], Image.Image], str]] = [
        ("sunset-at-sea.jpg", sunset, "2024:06:21 21:14:05"),
        ("street-sign.jpg", street_sign, "2024:09:03 11:02:40"),
        ("colourful-shapes.jpg", shapes, "2025:01:12 15:30:00"),
        ("green-hills.jpg", hills, "2025:04:27 09:45:12"),
    ]
    for filename, make, taken_at in makers:
        yield DemoPhoto(filename, _jpeg(make(), taken_at, "Seeder"))


# ---------------------------------------------------------------- upload through the product's own API


def _request(
    url: str, *, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def multipart(
    fields: dict[str, str], file_field: str, filename: str, data: bytes, content_type: str
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    chunks.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    chunks += [data, f"\r\n--{boundary}--\r\n".encode()]
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def upload(gateway_url: str, token: str, photo: DemoPhoto) -> str:
    """One browser-style upload; returns the photo id (or raises RuntimeError with the API's answer)."""
    request = {"filename": photo.filename, "content_type": photo.content_type, "size": len(photo.data)}
    status, body = _request(
        f"{gateway_url}/api/uploads",
        method="POST",
        body=json.dumps(request).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    if status not in {200, 201}:
        raise RuntimeError(f"POST /api/uploads answered {status}: {body[:200]!r}")
    created = json.loads(body)  # UploadCreated (docs/openapi.json): photo_id, url, fields, expires_at, max_bytes
    form, content_type = multipart(created["fields"], "file", photo.filename, photo.data, photo.content_type)
    status, body = _request(created["url"], method="POST", body=form, headers={"Content-Type": content_type})
    if status not in {200, 201, 204}:
        raise RuntimeError(f"presigned POST answered {status}: {body[:300]!r}")
    return str(created["photo_id"])


def seed_demo_photos(gateway_url: str, cognito: Any, client_id: str, username: str, password: str) -> list[str]:
    """Upload the demo photos for ``username``; logs and stops at the first refusal (e.g. the API not built yet)."""
    auth = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )["AuthenticationResult"]
    token = auth["IdToken"]
    ids = []
    for photo in demo_photos():
        try:
            ids.append(upload(gateway_url, token, photo))
        except (RuntimeError, OSError, ValueError) as exc:
            log.warning("demo photos not seeded: %s", exc)
            break
    return ids
