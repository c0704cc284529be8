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
from typing import Any, Literal

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
    environment: str = setting(alias="ENVIRONMENT", default="local")
    events_topic_arn: str = setting(alias="EVENTS_TOPIC_ARN", default="")

    analyzer: Literal["rekognition", "local"] = setting(alias="ANALYZER", default="rekognition")
    captioner: Literal["bedrock", "local"] = setting(alias="CAPTIONER", default="bedrock")
    bedrock_model_id: str = setting(alias="BEDROCK_MODEL_ID", default="anthropic.claude-3-haiku-20240307-v1:0")
    caption_max_tokens: int = setting(alias="CAPTION_MAX_TOKENS", default=80, ge=16, le=1024)
    moderation_threshold: float = setting(alias="MODERATION_THRESHOLD", default=80.0, ge=0, le=100)
    min_label_confidence: float = setting(alias="MIN_LABEL_CONFIDENCE", default=70.0, ge=0, le=100)

    max_upload_bytes: int = setting(alias="MAX_UPLOAD_BYTES", default=50 * 1024 * 1024, gt=0)
    max_pixels: int = setting(alias="MAX_PIXELS", default=100_000_000, gt=0)
    min_dimension: int = setting(alias="MIN_DIMENSION", default=32, ge=1)

    upload_url_expiry_seconds: int = setting(alias="UPLOAD_URL_EXPIRY_SECONDS", default=600, ge=60, le=900)
    media_url_expiry_seconds: int = setting(alias="MEDIA_URL_EXPIRY_SECONDS", default=600, ge=30, le=3600)
    share_url_expiry_seconds: int = setting(alias="SHARE_URL_EXPIRY_SECONDS", default=300, ge=30, le=300)
    media_base_url: str = setting(alias="MEDIA_BASE_URL", default="")  # https://<cloudfront-domain>
    cloudfront_key_pair_id: str = setting(alias="CLOUDFRONT_KEY_PAIR_ID", default="")
    signing_key_parameter: str = setting(alias="SIGNING_KEY_PARAMETER", default="")  # SSM SecureString name

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
    if typing.get_origin(kind) is Literal:
        choices = typing.get_args(kind)
        if raw not in choices:
            raise ValueError(f"{raw!r} is not one of {', '.join(choices)}")
        return raw
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
