"""Typed configuration from environment variables, validated once at cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Settings(BaseModel):
    """Every knob the functions read. Terraform (compute module) and the local stack set the same names."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    environment: str = Field(default="local", alias="ENVIRONMENT")
    table_name: str = Field(alias="TABLE_NAME")
    originals_bucket: str = Field(alias="ORIGINALS_BUCKET")
    derivatives_bucket: str = Field(alias="DERIVATIVES_BUCKET")
    events_topic_arn: str = Field(default="", alias="EVENTS_TOPIC_ARN")

    analyzer: Literal["rekognition", "local"] = Field(default="rekognition", alias="ANALYZER")
    captioner: Literal["bedrock", "local"] = Field(default="bedrock", alias="CAPTIONER")
    bedrock_model_id: str = Field(default="anthropic.claude-3-haiku-20240307-v1:0", alias="BEDROCK_MODEL_ID")
    caption_max_tokens: int = Field(default=80, ge=16, le=1024, alias="CAPTION_MAX_TOKENS")
    moderation_threshold: float = Field(default=80.0, ge=0, le=100, alias="MODERATION_THRESHOLD")
    min_label_confidence: float = Field(default=70.0, ge=0, le=100, alias="MIN_LABEL_CONFIDENCE")

    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0, alias="MAX_UPLOAD_BYTES")
    max_pixels: int = Field(default=100_000_000, gt=0, alias="MAX_PIXELS")
    min_dimension: int = Field(default=32, ge=1, alias="MIN_DIMENSION")

    upload_url_expiry_seconds: int = Field(default=600, ge=60, le=900, alias="UPLOAD_URL_EXPIRY_SECONDS")
    media_url_expiry_seconds: int = Field(default=600, ge=30, le=3600, alias="MEDIA_URL_EXPIRY_SECONDS")
    share_url_expiry_seconds: int = Field(default=300, ge=30, le=300, alias="SHARE_URL_EXPIRY_SECONDS")
    media_base_url: str = Field(default="", alias="MEDIA_BASE_URL")  # https://<cloudfront-domain>
    cloudfront_key_pair_id: str = Field(default="", alias="CLOUDFRONT_KEY_PAIR_ID")
    signing_key_parameter: str = Field(default="", alias="SIGNING_KEY_PARAMETER")  # SSM SecureString name

    processing_lease_seconds: int = Field(default=900, ge=30, le=3600, alias="PROCESSING_LEASE_SECONDS")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        source = dict(os.environ if env is None else env)
        try:
            return cls.model_validate(source)
        except ValidationError as exc:  # fail the cold start loudly, naming the variables at fault
            names = ", ".join(str(err["loc"][0]) for err in exc.errors())
            raise RuntimeError(f"invalid PhotoVault configuration ({names}): {exc}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
