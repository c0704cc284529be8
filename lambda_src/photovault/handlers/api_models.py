"""Request and response bodies of the HTTP API (pydantic): validation at the edge and the OpenAPI schemas."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from photovault.sharing.policy import MAX_EXPIRES_IN, MAX_VIEWS, MIN_EXPIRES_IN

_STRICT = ConfigDict(extra="forbid", strict=True)
_OUT = ConfigDict(from_attributes=True)


class ErrorBody(BaseModel):
    """Every error: a stable machine-readable code, a sentence for people, and optional details."""

    code: str
    message: str
    details: dict[str, Any] | None = None


# ---------------------------------------------------------------- requests


class UploadRequest(BaseModel):
    model_config = _STRICT

    filename: str = Field(min_length=1, max_length=1024, examples=["beach.jpg"])
    content_type: str = Field(min_length=1, max_length=100, examples=["image/jpeg"])
    size: int = Field(gt=0, le=2**53, description="Size of the file in bytes", examples=[2_400_000])


class ShareRequest(BaseModel):
    model_config = _STRICT

    expires_in: int = Field(ge=MIN_EXPIRES_IN, le=MAX_EXPIRES_IN, description="Seconds (1 minute to 30 days)")
    max_views: int | None = Field(default=None, ge=1, le=MAX_VIEWS)


# ---------------------------------------------------------------- responses


class UploadResponse(BaseModel):
    """POST ``fields`` (then the file, last) as multipart/form-data to ``url`` before ``expires_at``."""

    model_config = _OUT

    photo_id: str
    key: str
    url: str
    fields: dict[str, str]
    expires_at: int
    max_bytes: int


class PhotoSummaryModel(BaseModel):
    model_config = _OUT

    photo_id: str
    status: str
    filename: str
    content_type: str
    created_at: str
    updated_at: str
    caption: str | None = None
    width: int | None = None
    height: int | None = None
    thumb_url: str | None = None


class PhotoListResponse(BaseModel):
    model_config = _OUT

    items: list[PhotoSummaryModel]
    cursor: str | None = None


class PhotoRecord(BaseModel):
    """Every stored field of the photo (analysis, facts, caption … appear once the pipeline has run)."""

    model_config = ConfigDict(extra="allow")

    owner: str
    photo_id: str
    status: str
    created_at: str
    updated_at: str
    filename: str
    content_type: str
    reason_code: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    facts: dict[str, Any] | None = None
    analysis: dict[str, Any] | None = None
    caption: dict[str, Any] | None = None
    derivatives: dict[str, Any] = Field(default_factory=dict)
    provenance: dict[str, Any] = Field(default_factory=dict)


class MediaLinksModel(BaseModel):
    model_config = _OUT

    expires_at: int
    thumb: str | None = None
    preview: str | None = None
    original: str | None = None


class PhotoDetailResponse(BaseModel):
    model_config = _OUT

    photo: PhotoRecord
    urls: MediaLinksModel


class MatchReasonModel(BaseModel):
    model_config = _OUT

    term: str
    field: str = Field(description="label | caption | text")
    confidence: float


class SearchHitModel(BaseModel):
    model_config = _OUT

    photo: PhotoSummaryModel
    matches: list[MatchReasonModel]


class SearchResponse(BaseModel):
    model_config = _OUT

    query: str
    terms: list[str]
    items: list[SearchHitModel]
    cursor: str | None = None


class LabelFacetModel(BaseModel):
    model_config = _OUT

    label: str
    count: int


class LabelsResponse(BaseModel):
    model_config = _OUT

    items: list[LabelFacetModel]


class ShareCreatedResponse(BaseModel):
    model_config = _OUT

    token: str
    url: str
    photo_id: str
    expires_at: int
    max_views: int | None = None


class ShareInfoModel(BaseModel):
    model_config = _OUT

    token: str
    url: str
    photo_id: str
    created_at: str
    expires_at: int
    max_views: int | None = None
    views: int
    revoked: bool
    state: str = Field(description="active | expired | revoked | exhausted")


class ShareListResponse(BaseModel):
    model_config = _OUT

    items: list[ShareInfoModel]
    cursor: str | None = None


class PublicShareResponse(BaseModel):
    model_config = _OUT

    caption: str | None = None
    preview_url: str
    url_expires_at: int
    width: int | None = None
    height: int | None = None
