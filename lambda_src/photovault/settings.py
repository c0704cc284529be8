"""Typed configuration from environment variables, validated once at cold start.

A frozen dataclass with a small validator rather than pydantic: pydantic costs ~40 ms of import and 2.5 MB in the
worker's artefact, and this is the only thing the worker would use it for (API bodies still use pydantic).
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

_SPEC = "photovault.setting"


@dataclasses.dataclass(frozen=True, slots=True)
class _Spec:
    alias: str
    ge: float | None = None
    le: float | None = None
    gt: float | None = None


def setting(
    *,
    alias: str,
    default: Any = dataclasses.MISSING,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
) -> Any:
    """A field read from the environment variable ``alias``, with optional numeric bounds."""
    return dataclasses.field(default=default, metadata={_SPEC: _Spec(alias, ge, le, gt)})


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """Every knob the functions read. Terraform (compute module) and the local stack set the same names."""

    table_name: str = setting(alias="TABLE_NAME")
    originals_bucket: str = setting(alias="ORIGINALS_BUCKET")
    derivatives_bucket: str = setting(alias="DERIVATIVES_BUCKET")
    environment: str = setting(alias="ENVIRONMENT", default="")  # the deployment's name (Terraform: the workspace)
    events_topic_arn: str = setting(alias="EVENTS_TOPIC_ARN", default="")

    # Images are analysed by Rekognition and captioned by Bedrock: there is no other choice to configure (the local
    # stack injects its offline analyzer through ``photovault.composition.override``).
    bedrock_model_id: str = setting(alias="BEDROCK_MODEL_ID", default="anthropic.claude-3-haiku-20240307-v1:0")
    caption_max_tokens: int = setting(alias="CAPTION_MAX_TOKENS", default=80, ge=16, le=1024)
    moderation_threshold: float = setting(alias="MODERATION_THRESHOLD", default=80.0, ge=0, le=100)
    min_label_confidence: float = setting(alias="MIN_LABEL_CONFIDENCE", default=70.0, ge=0, le=100)

    # Search by meaning: photos (their preview) and query text embedded by one model into one S3 Vectors index. The
    # model and its dimension are fixed by the index (changing either means a new index and a backfill); both are
    # recorded in each photo's provenance. No vector bucket configured = search by words only.
    embedding_model_id: str = setting(alias="EMBEDDING_MODEL_ID", default="amazon.titan-embed-image-v1")
    embedding_dimension: int = setting(alias="EMBEDDING_DIMENSION", default=1024, ge=1, le=4096)
    vector_bucket: str = setting(alias="VECTOR_BUCKET", default="")
    vector_index: str = setting(alias="VECTOR_INDEX", default="")
    # Places from GPS (reverse geocoding at ingest): the Amazon Location place index. Empty = no place names.
    place_index: str = setting(alias="PLACE_INDEX", default="")
    # Cosine similarity a photo needs to count in the ranking at all, and to be shown when no word matched it.
    # Measured for the local MiniLM model (benchmarks/search_quality.py); to be calibrated for Titan in staging.
    similarity_floor: float = setting(alias="SEARCH_SIMILARITY_FLOOR", default=0.20, ge=-1, le=1)
    similarity_show_floor: float = setting(alias="SEARCH_SIMILARITY_SHOW_FLOOR", default=0.30, ge=-1, le=1)
    # People: each owner's faces go into a Rekognition collection of their own, ``<prefix>-<sub>`` (created on first
    # use; IAM allows only collections under this prefix). Empty = no people (the local stack injects its offline
    # face index instead).
    face_collection_prefix: str = setting(alias="FACE_COLLECTION_PREFIX", default="")

    max_upload_bytes: int = setting(alias="MAX_UPLOAD_BYTES", default=50 * 1024 * 1024, gt=0)
    max_pixels: int = setting(alias="MAX_PIXELS", default=100_000_000, gt=0)
    min_dimension: int = setting(alias="MIN_DIMENSION", default=32, ge=1)
    # One photo's decode and renditions run in a child held to this wall clock and this much extra memory. The budget
    # stays far below the worker's timeout (issue 12: an over-budget photo ends REJECTED within 30 s of worker time).
    decode_budget_seconds: float = setting(alias="DECODE_BUDGET_SECONDS", default=25.0, ge=1, le=30)
    decode_memory_mb: int = setting(alias="DECODE_MEMORY_MB", default=1536, ge=128)

    # The ingest queue's redrive policy and visibility timeout (terraform/resources.json's ingest block, as Terraform
    # and the local stack set them): a delivery with this receive count is the last before the DLQ, and together they
    # bound how long the queue keeps retrying an upload's event (what a PENDING upload's expiry must outlast).
    ingest_max_receive_count: int = setting(alias="INGEST_MAX_RECEIVE_COUNT", default=5, ge=1)
    ingest_visibility_timeout_seconds: int = setting(alias="INGEST_VISIBILITY_TIMEOUT_SECONDS", default=720, ge=1)
    # Where the forwarder puts each upload's notification, grouped by owner (photovault.pipeline.forward).
    ingest_queue_url: str = setting(alias="INGEST_QUEUE_URL", default="")

    # The Cognito user pool whose users the jobs function deletes with their accounts (jobs.delete_account).
    user_pool_id: str = setting(alias="USER_POOL_ID", default="")

    # Per-user upload quotas (library.quota), checked at POST /uploads. The unfinished uploads are read back when a
    # request reaches a limit (BatchGetItem of them all), and their ids live on one item: that bounds the limit.
    quota_uploads_per_hour: int = setting(alias="QUOTA_UPLOADS_PER_HOUR", default=200, ge=1, le=10_000)
    quota_pending_uploads: int = setting(alias="QUOTA_PENDING_UPLOADS", default=50, ge=1, le=1000)
    quota_bytes: int = setting(alias="QUOTA_BYTES", default=20 * 1024**3, gt=0)

    # An upload form (presigned POST) is usable until it expires: short, so a leaked or replayed form is short-lived.
    upload_url_expiry_seconds: int = setting(alias="UPLOAD_URL_EXPIRY_SECONDS", default=600, ge=60, le=600)
    media_url_expiry_seconds: int = setting(alias="MEDIA_URL_EXPIRY_SECONDS", default=600, ge=30, le=3600)
    # A share's media URLs are minted per view: short, so revoking a share ends what it handed out within a minute.
    share_url_expiry_seconds: int = setting(alias="SHARE_URL_EXPIRY_SECONDS", default=60, ge=10, le=60)
    media_base_url: str = setting(alias="MEDIA_BASE_URL", default="")  # https://<cloudfront-domain>
    cloudfront_key_pair_id: str = setting(alias="CLOUDFRONT_KEY_PAIR_ID", default="")
    signing_key_parameter: str = setting(alias="SIGNING_KEY_PARAMETER", default="")  # SSM SecureString name
    # SSM SecureString with CloudFront's origin secret (api/origin.py); empty = no check (unit tests, direct calls)
    origin_verify_parameter: str = setting(alias="ORIGIN_VERIFY_PARAMETER", default="")

    @property
    def pending_grace_seconds(self) -> int:
        """How long after its upload form expires a PENDING upload stays claimable before it is given up: the ingest
        queue's whole retry span (maxReceiveCount × visibility timeout). Bytes that reached S3 in time have their
        event delivered within that span; every delivery that reaches the table removes the upload's expiry (the
        claim), and the last one marks the photo FAILED (which removes it too)."""
        return self.ingest_max_receive_count * self.ingest_visibility_timeout_seconds

    @property
    def pending_lifetime_seconds(self) -> int:
        """From POST /uploads to the expiry of a PENDING upload whose file never arrived."""
        return self.upload_url_expiry_seconds + self.pending_grace_seconds

    # Jobs (photovault.jobs): the queue their steps travel on, how often a step is delivered before the job is given
    # up (the queue's maxReceiveCount), and the size of one download part (one step's work).
    jobs_queue_url: str = setting(alias="JOBS_QUEUE_URL", default="")
    jobs_max_receive_count: int = setting(alias="JOBS_MAX_RECEIVE_COUNT", default=5, ge=1)
    export_part_max_bytes: int = setting(alias="EXPORT_PART_MAX_BYTES", default=1024**3, ge=1)
    export_part_max_photos: int = setting(alias="EXPORT_PART_MAX_PHOTOS", default=2000, ge=1)
    # Bytes per S3 multipart request while a part is written: memory (about three of them) against requests.
    export_upload_part_bytes: int = setting(alias="EXPORT_UPLOAD_PART_BYTES", default=16 * 1024**2, ge=5 * 1024**2)
    # How long a job and its files are kept: the exports lifecycle rule's days (resources.json exports).
    exports_retention_days: int = setting(alias="EXPORTS_RETENTION_DAYS", default=3, ge=1)

    # The e-mail digest (photovault.notifications.digest): sent once a burst has been quiet this long, or has gone on
    # for the longest wait (a delayed SQS message carries the timer: at most 900 s).
    digest_quiet_seconds: int = setting(alias="DIGEST_QUIET_SECONDS", default=60, ge=1, le=900)
    digest_max_wait_seconds: int = setting(alias="DIGEST_MAX_WAIT_SECONDS", default=900, ge=1)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read, convert and check every field; one error names every variable at fault (the cold start fails)."""
        source = os.environ if env is None else env
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        errors: list[str] = []
        for item in dataclasses.fields(cls):
            spec: _Spec = item.metadata[_SPEC]
            raw = source.get(spec.alias)
            if raw is None:
                if item.default is dataclasses.MISSING:
                    errors.append(f"{spec.alias}: required")
                continue
            try:
                values[item.name] = _convert(raw, hints[item.name], spec)
            except ValueError as exc:
                errors.append(f"{spec.alias}: {exc}")
        if errors:
            raise RuntimeError("invalid PhotoVault configuration: " + "; ".join(errors))
        return cls(**values)


def _convert(raw: str, kind: Any, spec: _Spec) -> Any:
    if kind is str:
        return raw
    value = int(raw) if kind is int else float(raw)
    if spec.ge is not None and value < spec.ge:
        raise ValueError(f"{value} is below {spec.ge}")
    if spec.le is not None and value > spec.le:
        raise ValueError(f"{value} is above {spec.le}")
    if spec.gt is not None and value <= spec.gt:
        raise ValueError(f"{value} must be above {spec.gt}")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
