"""The table's item codecs, in one place: the stored (dict) form of photos, search terms and shares, and the Python ↔
DynamoDB value conversion. Only the DynamoDB adapters use it; the API never sees an item (``photovault.api.mappers``
builds responses from domain objects)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from decimal import Decimal
from typing import Any, cast, get_args

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from photovault import keys
from photovault.jobs.model import Job, JobError, JobOutput, JobState, Progress
from photovault.model import (
    Album,
    Analysis,
    Attempts,
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
    PipelineError,
    Place,
    TextLine,
)
from photovault.ports import MapPoint, MatchField, Share, TermMatch, TermPosting

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_MATCH_FIELDS: frozenset[str] = frozenset(get_args(MatchField))

# Optional photo attributes: REMOVEd when a run does not set them (the codec leaves out None fields and empty sets).
OPTIONAL_PHOTO_FIELDS = (
    "reason_code",
    "reason",
    "duplicate_of",
    "facts",
    "analysis",
    "caption",
    "media_id",
    "indexed_month",
    "trashed_at",
    "album_ids",
    "place",
)
# Index attributes a photo item has only in some states (``library_keys``): REMOVEd when the state has none.
OPTIONAL_LIBRARY_KEYS = ("gsi4pk", "gsi4sk", "gsi5pk", "gsi5sk", "expires_at")


# ---------------------------------------------------------------- values


def to_dynamo(value: Any) -> Any:
    """Python → DynamoDB-safe Python (floats as Decimal, tuples as lists, None fields left out)."""
    if isinstance(value, float):
        return Decimal(repr(round(value, 6)))
    if isinstance(value, Mapping):
        return {str(k): to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, Mapping):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    return value


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in to_dynamo(item).items()}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: from_dynamo(_deserializer.deserialize(v)) for k, v in item.items()}


# ---------------------------------------------------------------- photo

_PLACE_FIELDS = frozenset(field.name for field in fields(Place))


def _box(data: Any) -> BoundingBox | None:
    if not data:
        return None
    return BoundingBox(float(data["left"]), float(data["top"]), float(data["width"]), float(data["height"]))


def _req_box(data: Any) -> BoundingBox:
    box = _box(data)
    return box if box is not None else BoundingBox(0.0, 0.0, 0.0, 0.0)


def _analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    return asdict(analysis)


def _analysis_from_dict(data: dict[str, Any]) -> Analysis:
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
        classes=tuple((str(c[0]), float(c[1])) for c in data.get("classes", ())),
    )


def _facts_from_dict(data: dict[str, Any]) -> ImageFacts:
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


def _place_from_dict(data: Mapping[str, Any]) -> Place:
    return Place(**{k: str(v) for k, v in data.items() if k in _PLACE_FIELDS})


def _caption_from_dict(data: dict[str, Any]) -> Caption:
    return Caption(
        text=str(data["text"]),
        model_id=str(data.get("model_id", "")),
        prompt_version=str(data.get("prompt_version", "")),
        fallback=bool(data.get("fallback", False)),
        input_tokens=int(data.get("input_tokens", 0)),
        output_tokens=int(data.get("output_tokens", 0)),
    )


def photo_attributes(photo: Photo) -> dict[str, Any]:
    """Every stored field of a photo (no keys); ``None`` fields are left out."""
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
        "indexed_places": list(photo.indexed_places),
        "favorite": photo.favorite,
        "taken_sort": keys.taken_sort(photo),
    }
    optional: dict[str, Any] = {
        "reason_code": photo.reason_code,
        "reason": photo.reason,
        "duplicate_of": photo.duplicate_of,
        "facts": asdict(photo.facts) if photo.facts else None,
        "analysis": _analysis_to_dict(photo.analysis) if photo.analysis else None,
        "caption": asdict(photo.caption) if photo.caption else None,
        "media_id": photo.media_id,
        "source_fingerprint": photo.source_fingerprint,
        "notified_at": photo.notified_at,
        "indexed_month": photo.indexed_month,
        "trashed_at": photo.trashed_at,
        "album_ids": set(photo.album_ids) or None,  # a string set; DynamoDB has no empty sets
        "place": asdict(photo.place) if photo.place else None,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def library_keys(photo: Photo) -> dict[str, Any]:
    """The photo's place in its owner's library views — exactly one of timeline, trash or needs-attention (gsi3),
    the favourites (gsi4) only while a favourite in the timeline, the map (gsi5) only while a geotagged photo in
    the timeline — and the trash's TTL. Every write that changes the status, the trash or the favourite writes these
    with it, so no view can disagree with the item."""
    owner, photo_id = photo.owner, photo.photo_id
    out: dict[str, Any]
    if photo.trashed_at is not None:
        out = {
            "gsi3pk": keys.trash_gsi3pk(owner),
            "gsi3sk": f"{photo.trashed_at}#{photo_id}",
            "expires_at": photo.purge_at,
        }
    elif photo.in_timeline:
        out = {"gsi3pk": keys.timeline_gsi3pk(owner), "gsi3sk": keys.taken_sort(photo)}
        if photo.favorite:
            out.update(gsi4pk=keys.favorites_gsi4pk(owner), gsi4sk=keys.taken_sort(photo))
        if photo.on_map:
            out.update(gsi5pk=keys.map_gsi5pk(owner), gsi5sk=keys.taken_sort(photo))
    else:
        out = {"gsi3pk": keys.attention_gsi3pk(owner), "gsi3sk": f"{photo.updated_at}#{photo_id}"}
        if photo.status is PhotoStatus.PENDING and photo.expires_at is not None:
            out["expires_at"] = photo.expires_at  # an upload whose bytes never arrive is deleted by the same TTL
    return out


def photo_item(photo: Photo) -> dict[str, Any]:
    """The full photo item: its fields plus keys, the operators' status index and the library views."""
    return {
        **photo_attributes(photo),
        **library_keys(photo),
        "pk": keys.user_pk(photo.owner),
        "sk": keys.photo_sk(photo.photo_id),
        "gsi1pk": keys.status_gsi1pk(photo.status.value),
        "gsi1sk": f"{photo.updated_at}#{photo.photo_id}",
    }


def photo_from_item(data: Mapping[str, Any]) -> Photo:
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
        facts=_facts_from_dict(data["facts"]) if data.get("facts") else None,
        analysis=_analysis_from_dict(data["analysis"]) if data.get("analysis") else None,
        caption=_caption_from_dict(data["caption"]) if data.get("caption") else None,
        derivatives=dict(data.get("derivatives") or {}),
        media_id=data.get("media_id"),
        provenance=dict(data.get("provenance") or {}),
        source_fingerprint=data.get("source_fingerprint"),
        notified_at=data.get("notified_at"),
        indexed_terms=tuple(str(t) for t in data.get("indexed_terms") or ()),
        indexed_labels=tuple(str(t) for t in data.get("indexed_labels") or ()),
        indexed_month=data.get("indexed_month"),
        indexed_places=tuple(str(t) for t in data.get("indexed_places") or ()),
        place=Place(**{k: str(v) for k, v in data["place"].items() if k in _PLACE_FIELDS})
        if data.get("place")
        else None,
        favorite=bool(data.get("favorite", False)),
        trashed_at=data.get("trashed_at"),
        album_ids=tuple(sorted(str(a) for a in data.get("album_ids") or ())),
        revision=int(data.get("rev", 0)),
        expires_at=None if data.get("expires_at") is None else int(data["expires_at"]),
        attempts=_attempts_from_item(data),
    )


def map_point_from_item(data: Mapping[str, Any]) -> MapPoint | None:
    """A map point from a ``gsi5`` item (keys and ``facts``); None when it has no position."""
    gps = (data.get("facts") or {}).get("gps")
    if not gps:
        return None
    return MapPoint(
        photo_id=str(data["sk"]).removeprefix("PHOTO#"),
        latitude=float(gps["latitude"]),
        longitude=float(gps["longitude"]),
    )


def pipeline_error_attribute(error: PipelineError) -> dict[str, str]:
    """The stored form of ``last_error`` (written by the pipeline's release and give-up writes)."""
    return {"code": error.code, "detail": error.detail, "at": error.at}


def _attempts_from_item(data: Mapping[str, Any]) -> Attempts:
    error = data.get("last_error")
    return Attempts(
        count=int(data.get("attempts") or 0),
        held=bool(data.get("claim_token")),
        lease_until=int(data.get("lease_until") or 0),
        last_error=PipelineError(str(error.get("code", "")), str(error.get("detail", "")), str(error.get("at", "")))
        if isinstance(error, Mapping)
        else None,
    )


# ---------------------------------------------------------------- search term


def term_item(owner: str, posting: TermPosting, created_at: str) -> dict[str, Any]:
    return {
        "pk": keys.term_pk(owner, posting.term),
        "sk": keys.photo_sk(posting.photo_id),
        "owner": owner,
        "photo_id": posting.photo_id,
        "term": posting.term,
        "matches": [{"field": m.field, "confidence": m.confidence, "source": m.source} for m in posting.matches],
        "created_at": created_at,
    }


def posting_from_item(item: Mapping[str, Any]) -> TermPosting:
    return TermPosting(
        term=str(item.get("term", "")),
        photo_id=str(item.get("photo_id") or keys.photo_id_from_sk(str(item["sk"]))),
        matches=tuple(
            TermMatch(
                field=_match_field(m.get("field")),
                confidence=float(m.get("confidence", 0.0)),
                source=str(m.get("source", "")),
            )
            for m in item.get("matches", [])
        ),
    )


def _match_field(value: object) -> MatchField:
    if value not in _MATCH_FIELDS:
        raise ValueError(f"unknown match field in a term item: {value!r}")
    return cast(MatchField, value)


# ---------------------------------------------------------------- share


def share_item(share: Share) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": keys.share_pk(share.token),
        "sk": keys.SHARE_SK,
        "token": share.token,
        "kind": share.kind,
        "owner": share.owner,
        "photo_id": share.photo_id,
        "created_at": share.created_at,
        "expires_at": share.expires_at,  # the table's TTL attribute: DynamoDB removes the item some time after
        "views": share.views,
        "revoked": share.revoked,
        "gsi2pk": keys.owner_gsi2pk(share.owner),
        "gsi2sk": share.created_at,
    }
    if share.max_views is not None:
        item["max_views"] = share.max_views
    if share.album_id is not None:
        item["album_id"] = share.album_id
    return item


def share_from_item(item: Mapping[str, Any]) -> Share:
    max_views = item.get("max_views")
    return Share(
        token=str(item.get("token") or str(item["pk"]).removeprefix("SHARE#")),
        owner=str(item["owner"]),
        photo_id=str(item["photo_id"]),
        created_at=str(item.get("created_at", "")),
        expires_at=int(item.get("expires_at", 0)),
        max_views=None if max_views is None else int(max_views),
        views=int(item.get("views", 0)),
        revoked=bool(item.get("revoked", False)),
        album_id=None if item.get("album_id") is None else str(item["album_id"]),
    )


# ---------------------------------------------------------------- album


def album_item(album: Album) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": keys.user_pk(album.owner),
        "sk": keys.album_sk(album.album_id),
        "owner": album.owner,
        "album_id": album.album_id,
        "name": album.name,
        "created_at": album.created_at,
        "updated_at": album.updated_at,
        "photo_count": album.photo_count,
    }
    if album.cover_photo_id is not None:
        item["cover_photo_id"] = album.cover_photo_id
    return item


def album_from_item(item: Mapping[str, Any]) -> Album:
    cover = item.get("cover_photo_id")
    return Album(
        owner=str(item["owner"]),
        album_id=str(item["album_id"]),
        name=str(item.get("name", "")),
        created_at=str(item.get("created_at", "")),
        updated_at=str(item.get("updated_at", "")),
        photo_count=max(0, int(item.get("photo_count", 0))),
        cover_photo_id=None if cover is None else str(cover),
    )


# ---------------------------------------------------------------- job


def job_item(job: Job) -> dict[str, Any]:
    """The job item (keys included); the lease attributes are the repository's bookkeeping, not the job's."""
    item: dict[str, Any] = {
        "pk": keys.user_pk(job.owner),
        "sk": keys.job_sk(job.job_id),
        **job_attributes(job),
        "owner": job.owner,
        "job_id": job.job_id,
        "kind": job.kind,
        "created_at": job.created_at,
        "expires_at": job.expires_at,  # the table's TTL attribute
    }
    return item


def job_attributes(job: Job) -> dict[str, Any]:
    """What a step changes: state, progress, checkpoint, outputs, error and the step count."""
    item: dict[str, Any] = {
        "state": job.state.value,
        "updated_at": job.updated_at,
        "progress_done": job.progress.done,
        "progress_total": job.progress.total,
        "checkpoint": dict(job.checkpoint),
        "outputs": [asdict(output) for output in job.outputs],
        "steps": job.steps,
    }
    if job.error is not None:
        item["error"] = asdict(job.error)
    return item


def job_from_item(item: Mapping[str, Any]) -> Job:
    error = item.get("error")
    return Job(
        owner=str(item["owner"]),
        job_id=str(item["job_id"]),
        kind=str(item["kind"]),
        state=JobState(str(item["state"])),
        created_at=str(item["created_at"]),
        updated_at=str(item.get("updated_at", item["created_at"])),
        expires_at=int(item["expires_at"]),
        progress=Progress(done=int(item.get("progress_done", 0)), total=int(item.get("progress_total", 0))),
        checkpoint=dict(item.get("checkpoint") or {}),
        outputs=tuple(
            JobOutput(
                name=str(o["name"]),
                key=str(o["key"]),
                version_id=None if o.get("version_id") is None else str(o["version_id"]),
                size_bytes=int(o["size_bytes"]),
                items=int(o["items"]),
            )
            for o in item.get("outputs") or ()
        ),
        error=JobError(str(error["code"]), str(error["message"])) if error else None,
        steps=int(item.get("steps", 0)),
    )
