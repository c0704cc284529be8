"""Plain-dict form of the domain model: what DynamoDB stores and what the API returns (JSON-safe, floats kept)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from photovault.model import (
    Analysis,
    BoundingBox,
    Caption,
    DominantColor,
    Face,
    GpsPosition,
    ImageFacts,
    ImageProperties,
    ImageQuality,
    Label,
    ModerationLabel,
    Photo,
    PhotoStatus,
    TextLine,
)


def _box(data: Any) -> BoundingBox | None:
    if not data:
        return None
    return BoundingBox(float(data["left"]), float(data["top"]), float(data["width"]), float(data["height"]))


def _req_box(data: Any) -> BoundingBox:
    box = _box(data)
    return box if box is not None else BoundingBox(0.0, 0.0, 0.0, 0.0)


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    return asdict(analysis)


def analysis_from_dict(data: dict[str, Any]) -> Analysis:
    props = data.get("properties")
    properties = None
    if props:
        quality = props.get("quality") or {}
        properties = ImageProperties(
            dominant_colors=tuple(
                DominantColor(str(c["hex"]), float(c["pixel_percent"]), str(c.get("simplified", "")))
                for c in props.get("dominant_colors", [])
            ),
            quality=ImageQuality(
                brightness=float(quality.get("brightness", 0.0)),
                sharpness=float(quality.get("sharpness", 0.0)),
                contrast=None if quality.get("contrast") is None else float(quality["contrast"]),
            ),
        )
    return Analysis(
        labels=tuple(
            Label(
                name=str(item["name"]),
                confidence=float(item["confidence"]),
                categories=tuple(item.get("categories", ())),
                parents=tuple(item.get("parents", ())),
                instances=tuple(_req_box(b) for b in item.get("instances", ())),
            )
            for item in data.get("labels", [])
        ),
        properties=properties,
        faces=tuple(
            Face(
                box=_req_box(f.get("box")),
                confidence=float(f["confidence"]),
                age_low=None if f.get("age_low") is None else int(f["age_low"]),
                age_high=None if f.get("age_high") is None else int(f["age_high"]),
                emotions=tuple((str(e[0]), float(e[1])) for e in f.get("emotions", ())),
                smile=f.get("smile"),
            )
            for f in data.get("faces", [])
        ),
        text=tuple(
            TextLine(text=str(t["text"]), confidence=float(t["confidence"]), box=_box(t.get("box")))
            for t in data.get("text", [])
        ),
        moderation=tuple(
            ModerationLabel(str(m["name"]), float(m["confidence"]), str(m.get("parent", "")))
            for m in data.get("moderation", [])
        ),
        model_version=str(data.get("model_version", "")),
        moderation_model_version=str(data.get("moderation_model_version", "")),
        analyzer=str(data.get("analyzer", "")),
        units=int(data.get("units", 0)),
    )


def facts_from_dict(data: dict[str, Any]) -> ImageFacts:
    gps = data.get("gps")
    return ImageFacts(
        format=str(data["format"]),
        mime_type=str(data["mime_type"]),
        width=int(data["width"]),
        height=int(data["height"]),
        size_bytes=int(data["size_bytes"]),
        sha256=str(data["sha256"]),
        taken_at=data.get("taken_at"),
        camera_make=data.get("camera_make"),
        camera_model=data.get("camera_model"),
        gps=GpsPosition(
            float(gps["latitude"]),
            float(gps["longitude"]),
            None if gps.get("altitude") is None else float(gps["altitude"]),
        )
        if gps
        else None,
        orientation=int(data.get("orientation", 1)),
    )


def caption_from_dict(data: dict[str, Any]) -> Caption:
    return Caption(
        text=str(data["text"]),
        model_id=str(data.get("model_id", "")),
        prompt_version=str(data.get("prompt_version", "")),
        fallback=bool(data.get("fallback", False)),
        input_tokens=int(data.get("input_tokens", 0)),
        output_tokens=int(data.get("output_tokens", 0)),
    )


def photo_to_dict(photo: Photo) -> dict[str, Any]:
    """Every stored field of a photo; ``None`` fields are left out."""
    out: dict[str, Any] = {
        "owner": photo.owner,
        "photo_id": photo.photo_id,
        "status": photo.status.value,
        "created_at": photo.created_at,
        "updated_at": photo.updated_at,
        "filename": photo.filename,
        "content_type": photo.content_type,
        "derivatives": photo.derivatives,
        "provenance": photo.provenance,
        "indexed_terms": list(photo.indexed_terms),
        "indexed_labels": list(photo.indexed_labels),
    }
    optional: dict[str, Any] = {
        "reason_code": photo.reason_code,
        "reason": photo.reason,
        "duplicate_of": photo.duplicate_of,
        "facts": asdict(photo.facts) if photo.facts else None,
        "analysis": analysis_to_dict(photo.analysis) if photo.analysis else None,
        "caption": asdict(photo.caption) if photo.caption else None,
        "source_fingerprint": photo.source_fingerprint,
        "notified_at": photo.notified_at,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def photo_from_dict(data: dict[str, Any]) -> Photo:
    return Photo(
        owner=str(data["owner"]),
        photo_id=str(data["photo_id"]),
        status=PhotoStatus(str(data["status"])),
        created_at=str(data.get("created_at", "")),
        updated_at=str(data.get("updated_at", "")),
        filename=str(data.get("filename", "")),
        content_type=str(data.get("content_type", "")),
        reason_code=data.get("reason_code"),
        reason=data.get("reason"),
        duplicate_of=data.get("duplicate_of"),
        facts=facts_from_dict(data["facts"]) if data.get("facts") else None,
        analysis=analysis_from_dict(data["analysis"]) if data.get("analysis") else None,
        caption=caption_from_dict(data["caption"]) if data.get("caption") else None,
        derivatives=dict(data.get("derivatives") or {}),
        provenance=dict(data.get("provenance") or {}),
        source_fingerprint=data.get("source_fingerprint"),
        notified_at=data.get("notified_at"),
        indexed_terms=tuple(str(t) for t in data.get("indexed_terms") or ()),
        indexed_labels=tuple(str(t) for t in data.get("indexed_labels") or ()),
    )
