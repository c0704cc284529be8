"""Suite-wide setup: HEIC *encoding* for fixtures (pillow-heif, a test dependency); decoding stays the runtime's."""

from __future__ import annotations

import pillow_heif

from photovault.images.validation import register_heif_decoder

pillow_heif.register_heif_opener()  # adds Pillow's HEIF/AVIF *save* support for fixtures …
register_heif_decoder()  # … and hands *opening* back to pi-heif, the decoder-only library the worker ships
