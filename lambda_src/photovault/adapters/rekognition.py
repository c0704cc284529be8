"""Amazon Rekognition implementation of ImageAnalyzer (DetectLabels+ImageProperties, DetectFaces, DetectText,
DetectModerationLabels); throttling leaves as ``Throttled`` (``adapters.aws``) so the pipeline retries within its
deadline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from photovault.adapters.aws import call_aws
from photovault.model import (
    BoundingBox,
    DominantColor,
    Face,
    ImageProperties,
    ImageQuality,
    Label,
    ModerationLabel,
    TextLine,
)
from photovault.ports import LabelResult, ModerationResult

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient


def face_box(raw: Mapping[str, Any] | None) -> BoundingBox:
    """A Rekognition BoundingBox (relative) as ours."""
    raw = raw or {}
    return BoundingBox(
        left=float(raw.get("Left", 0.0)),
        top=float(raw.get("Top", 0.0)),
        width=float(raw.get("Width", 0.0)),
        height=float(raw.get("Height", 0.0)),
    )


def labels_from_response(response: Mapping[str, Any]) -> LabelResult:
    labels = tuple(
        Label(
            name=str(item["Name"]),
            confidence=float(item.get("Confidence", 0.0)),
            categories=tuple(str(c["Name"]) for c in item.get("Categories", [])),
            parents=tuple(str(p["Name"]) for p in item.get("Parents", [])),
            instances=tuple(face_box(i.get("BoundingBox")) for i in item.get("Instances", [])),
        )
        for item in response.get("Labels", [])
    )
    props = response.get("ImageProperties")
    properties = None
    if props:
        quality = props.get("Quality", {})
        properties = ImageProperties(
            dominant_colors=tuple(
                DominantColor(
                    hex=str(c.get("HexCode", "")).upper(),
                    pixel_percent=float(c.get("PixelPercent", 0.0)),
                    simplified=str(c.get("SimplifiedColor", "")),
                )
                for c in props.get("DominantColors", [])
            ),
            quality=ImageQuality(
                brightness=float(quality.get("Brightness", 0.0)),
                sharpness=float(quality.get("Sharpness", 0.0)),
                contrast=float(quality["Contrast"]) if "Contrast" in quality else None,
            ),
        )
    return LabelResult(labels=labels, properties=properties, model_version=str(response.get("LabelModelVersion", "")))


def faces_from_response(response: Mapping[str, Any]) -> tuple[Face, ...]:
    faces = []
    for item in response.get("FaceDetails", []):
        age = item.get("AgeRange") or {}
        emotions = sorted(
            ((str(e["Type"]), float(e.get("Confidence", 0.0))) for e in item.get("Emotions", [])),
            key=lambda pair: -pair[1],
        )
        smile = item.get("Smile")
        faces.append(
            Face(
                box=face_box(item.get("BoundingBox")),
                confidence=float(item.get("Confidence", 0.0)),
                age_low=int(age["Low"]) if "Low" in age else None,
                age_high=int(age["High"]) if "High" in age else None,
                emotions=tuple(emotions[:3]),
                smile=bool(smile["Value"]) if smile else None,
            )
        )
    return tuple(faces)


def text_from_response(response: Mapping[str, Any]) -> tuple[TextLine, ...]:
    return tuple(
        TextLine(
            text=str(item["DetectedText"]),
            confidence=float(item.get("Confidence", 0.0)),
            box=face_box((item.get("Geometry") or {}).get("BoundingBox")),
        )
        for item in response.get("TextDetections", [])
        if item.get("Type") == "LINE"
    )


def moderation_from_response(response: Mapping[str, Any]) -> ModerationResult:
    return ModerationResult(
        labels=tuple(
            ModerationLabel(
                name=str(item["Name"]),
                confidence=float(item.get("Confidence", 0.0)),
                parent=str(item.get("ParentName", "")),
            )
            for item in response.get("ModerationLabels", [])
        ),
        model_version=str(response.get("ModerationModelVersion", "")),
    )


class RekognitionAnalyzer:
    name = "rekognition"

    def __init__(self, client: RekognitionClient, *, min_confidence: float = 60.0, max_labels: int = 30) -> None:
        self._client = client
        self._min_confidence = min_confidence
        self._max_labels = max_labels

    def detect_labels(self, image: bytes) -> LabelResult:
        response = call_aws(
            lambda: self._client.detect_labels(
                Image={"Bytes": image},
                MaxLabels=self._max_labels,
                MinConfidence=self._min_confidence,
                Features=["GENERAL_LABELS", "IMAGE_PROPERTIES"],
                Settings={"ImageProperties": {"MaxDominantColors": 6}},
            ),
            "Rekognition",
        )
        return labels_from_response(response)

    def detect_faces(self, image: bytes) -> tuple[Face, ...]:
        response = call_aws(
            lambda: self._client.detect_faces(Image={"Bytes": image}, Attributes=["AGE_RANGE", "EMOTIONS", "SMILE"]),
            "Rekognition",
        )
        return faces_from_response(response)

    def detect_text(self, image: bytes) -> tuple[TextLine, ...]:
        response = call_aws(lambda: self._client.detect_text(Image={"Bytes": image}), "Rekognition")
        return text_from_response(response)

    def detect_moderation(self, image: bytes) -> ModerationResult:
        response = call_aws(
            lambda: self._client.detect_moderation_labels(Image={"Bytes": image}, MinConfidence=50),
            "Rekognition",
        )
        return moderation_from_response(response)
