"""What an upload may be and what opening it may cost: one frozen value, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from photovault.settings import Settings


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """Bytes are checked before anything else, the declared size and decode cost before decoding, and the decode
    itself runs under a wall-clock budget and a memory cap.

    ``max_decode_work`` counts the pixel samples a decoder goes through: pixels × frames × passes (a progressive
    JPEG goes over the image once per scan). A 100 MP progressive 4:4:4 JPEG needs 1.4 billion, a 300-frame GIF
    40 million; 4 billion samples of scan work take libjpeg under a second (cost.py has the measurements).
    ``decode_budget_seconds`` bounds decoding and rendering one photo, whatever the input; it must stay well under
    the worker's function timeout. ``decode_memory_bytes`` is how much memory the decode may add to the worker.
    """

    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 100_000_000
    min_dimension: int = 32
    max_decode_work: int = 4_000_000_000
    decode_budget_seconds: float = 25.0
    decode_memory_bytes: int = 1536 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageLimits:
        return cls(
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_pixels,
            min_dimension=settings.min_dimension,
            decode_budget_seconds=settings.decode_budget_seconds,
            decode_memory_bytes=settings.decode_memory_mb * 1024 * 1024,
        )
