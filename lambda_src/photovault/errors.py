"""Domain errors: each carries a stable ``code`` the API maps to a response and the pipeline to a status."""

from __future__ import annotations

from typing import Any


class PhotoVaultError(Exception):
    """Base class; ``code`` is stable and machine-readable, ``message`` is for a person."""

    code = "error"
    http_status = 400
    retry_after: int | None = None  # seconds: the caller may try again then (the API sends Retry-After)

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(PhotoVaultError):
    code = "invalid_input"
    http_status = 400


class NotFound(PhotoVaultError):
    code = "not_found"
    http_status = 404


class Gone(PhotoVaultError):
    code = "gone"
    http_status = 410


class ObjectMissing(PhotoVaultError):
    """An object a use case expected in a bucket is not there (deleted meanwhile)."""

    code = "object_missing"
    http_status = 404


class Conflict(PhotoVaultError):
    code = "conflict"
    http_status = 409


class PayloadTooLarge(PhotoVaultError):
    code = "payload_too_large"
    http_status = 413


class UnsupportedMediaType(PhotoVaultError):
    code = "unsupported_media_type"
    http_status = 415


class Unauthorized(PhotoVaultError):
    code = "unauthorized"
    http_status = 401


class ImageRejected(PhotoVaultError):
    """The uploaded file is not a photo we accept. Terminal: the photo ends REJECTED, never retried."""

    code = "image_rejected"
    http_status = 422

    def __init__(self, reason_code: str, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details=details)
        self.reason_code = reason_code


class TransientDependencyError(PhotoVaultError):
    """A dependency (Rekognition, Bedrock, S3 …) failed in a way a later retry may fix."""

    code = "dependency_unavailable"
    http_status = 503
    retry_after = 1


class ClaimLost(PhotoVaultError):
    """Another invocation took the photo over (our processing lease expired): our results must not be written."""

    code = "claim_lost"
    http_status = 409


class Throttled(TransientDependencyError):
    """A dependency refused the call for rate reasons; retry with backoff."""

    code = "throttled"
    http_status = 429


class PhotoBusy(TransientDependencyError):
    """Another invocation is processing this exact upload right now: redeliver later rather than drop it."""

    code = "photo_busy"
    http_status = 409


class OutOfTime(PhotoVaultError):
    """The invocation has too little time left to give one more photo its full budget: its record is handed back to
    SQS untouched (no claim taken), to be delivered again to an invocation with time to spare."""

    code = "out_of_time"
    http_status = 503
