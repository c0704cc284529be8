"""Fake Rekognition and Bedrock *clients* that answer in the real AWS response shapes, depending on the pixels.

The emulator answers the same labels for every image and nothing for Bedrock; these fakes let the real adapters
(photovault.adapters.rekognition / bedrock) run unchanged while tests control content, throttling and outages."""

from __future__ import annotations

import io
import random
import re
import threading
from collections import Counter
from typing import Any

from botocore.exceptions import ClientError
from PIL import Image

# Solid-colour test photos map to distinct content. Marker colours trigger faces and moderation.
SCENES: dict[str, list[tuple[str, float, list[str]]]] = {
    "red": [("Apple", 97.2, ["Fruit", "Food"]), ("Fruit", 97.2, ["Food"]), ("Food", 97.2, [])],
    "green": [("Grass", 95.1, ["Plant"]), ("Plant", 95.1, []), ("Nature", 88.0, [])],
    "blue": [("Sky", 96.4, ["Outdoors"]), ("Outdoors", 96.4, []), ("Sea", 81.0, ["Water", "Outdoors"])],
    "yellow": [("Person", 98.0, []), ("Portrait", 91.0, ["Face", "Head", "Person"]), ("Face", 91.0, ["Head"])],
    "magenta": [("Pink", 70.0, [])],
    "gray": [("Text", 93.0, []), ("Document", 85.0, ["Text"]), ("Paper", 72.0, [])],
}


def scene_of(image: bytes) -> tuple[str, tuple[int, int, int]]:
    with Image.open(io.BytesIO(image)) as img:
        r, g, b = img.convert("RGB").resize((16, 16)).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))  # type: ignore[misc]
    if r > 180 and b > 180 and g < 90:
        return "magenta", (r, g, b)
    if r > 180 and g > 180 and b < 90:
        return "yellow", (r, g, b)
    if r > g + 40 and r > b + 40:
        return "red", (r, g, b)
    if g > r + 40 and g > b + 40:
        return "green", (r, g, b)
    if b > r + 40 and b > g + 40:
        return "blue", (r, g, b)
    return "gray", (r, g, b)


def _throttle(operation: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        operation,
    )


class FakeRekognitionClient:
    """boto3 ``rekognition`` client stand-in. ``throttle_rate`` of calls raise ThrottlingException (seeded)."""

    def __init__(self, *, throttle_rate: float = 0.0, seed: int = 7) -> None:
        self.throttle_rate = throttle_rate
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()  # successful calls per operation
        self.throttled = 0

    def _enter(self, operation: str) -> None:
        with self._lock:
            if self.throttle_rate and self._rng.random() < self.throttle_rate:
                self.throttled += 1
                raise _throttle(operation)
            self.calls[operation] += 1

    def detect_labels(self, **kwargs: Any) -> dict[str, Any]:
        self._enter("DetectLabels")
        scene, (r, g, b) = scene_of(kwargs["Image"]["Bytes"])
        labels = [
            {
                "Name": name,
                "Confidence": conf,
                "Instances": [],
                "Parents": [{"Name": p} for p in parents],
                "Aliases": [],
                "Categories": [{"Name": "Test Scenes"}],
            }
            for name, conf, parents in SCENES[scene]
        ]
        hex_code = f"#{r:02x}{g:02x}{b:02x}"
        return {
            "Labels": labels,
            "ImageProperties": {
                "Quality": {"Brightness": 61.2, "Sharpness": 73.8, "Contrast": 40.1},
                "DominantColors": [
                    {
                        "Red": r,
                        "Green": g,
                        "Blue": b,
                        "HexCode": hex_code,
                        "CSSColor": scene,
                        "SimplifiedColor": scene,
                        "PixelPercent": 99.0,
                    }
                ],
            },
            "LabelModelVersion": "3.0",
        }

    def detect_faces(self, **kwargs: Any) -> dict[str, Any]:
        self._enter("DetectFaces")
        scene, _ = scene_of(kwargs["Image"]["Bytes"])
        faces = []
        if scene == "yellow":
            faces.append(
                {
                    "BoundingBox": {"Width": 0.3, "Height": 0.4, "Left": 0.35, "Top": 0.2},
                    "AgeRange": {"Low": 25, "High": 35},
                    "Smile": {"Value": True, "Confidence": 96.0},
                    "Emotions": [{"Type": "HAPPY", "Confidence": 95.0}, {"Type": "CALM", "Confidence": 3.0}],
                    "Confidence": 99.9,
                }
            )
        return {"FaceDetails": faces}

    def detect_text(self, **kwargs: Any) -> dict[str, Any]:
        self._enter("DetectText")
        scene, _ = scene_of(kwargs["Image"]["Bytes"])
        detections = []
        if scene == "gray":
            box = {"BoundingBox": {"Width": 0.5, "Height": 0.1, "Left": 0.25, "Top": 0.45}, "Polygon": []}
            detections = [
                {
                    "DetectedText": "Welcome to Café Zürich",
                    "Type": "LINE",
                    "Id": 0,
                    "Confidence": 98.5,
                    "Geometry": box,
                },
                {
                    "DetectedText": "Welcome",
                    "Type": "WORD",
                    "Id": 1,
                    "ParentId": 0,
                    "Confidence": 98.5,
                    "Geometry": box,
                },
            ]
        return {"TextDetections": detections, "TextModelVersion": "3.0"}

    def detect_moderation_labels(self, **kwargs: Any) -> dict[str, Any]:
        self._enter("DetectModerationLabels")
        scene, _ = scene_of(kwargs["Image"]["Bytes"])
        labels = []
        if scene == "magenta":
            labels = [
                {"Confidence": 97.3, "Name": "Explicit Nudity", "ParentName": "", "TaxonomyLevel": 1},
                {"Confidence": 97.3, "Name": "Nudity", "ParentName": "Explicit Nudity", "TaxonomyLevel": 2},
            ]
        return {"ModerationLabels": labels, "ModerationModelVersion": "7.0"}


class FakeBedrockClient:
    """boto3 ``bedrock-runtime`` stand-in: Converse answers a caption naming the first label, or fails when down."""

    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.calls = 0
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def converse(self, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            self.requests.append(kwargs)
            if self.down:
                raise ClientError(
                    {"Error": {"Code": "ServiceUnavailableException", "Message": "Bedrock is unavailable"}},
                    "Converse",
                )
            self.calls += 1
        prompt = next(part["text"] for part in kwargs["messages"][0]["content"] if "text" in part)
        match = re.search(r"Labels detected \(with confidence\): ([^ (,.]+)", prompt)
        subject = match.group(1).lower() if match else "something"
        text = f'"A close-up photo of a {subject} in soft natural light, calm and simple."'
        return {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 1650, "outputTokens": 18, "totalTokens": 1668},
            "metrics": {"latencyMs": 900},
        }


def solid_jpeg(color: tuple[int, int, int], size: tuple[int, int] = (640, 480), *, quality: int = 90) -> bytes:
    """A photo-sized JPEG of one colour with a little noise (so distinct photos have distinct bytes)."""
    img = Image.new("RGB", size, color)
    noise = Image.effect_noise(size, 12).convert("RGB")
    img = Image.blend(img, noise, 0.08)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()
