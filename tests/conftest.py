"""Suite-wide setup: HEIC *encoding* for fixtures (pillow-heif, a test dependency; decoding stays the runtime's), and
moto's transactions at the cost of their items (as in the emulator)."""

from __future__ import annotations

import pillow_heif

from photovault.images.validation import register_heif_decoder
from scripts.local_stack import moto_transactions

pillow_heif.register_heif_opener()  # adds Pillow's HEIF/AVIF *save* support for fixtures …
register_heif_decoder()  # … and hands *opening* back to pi-heif, the decoder-only library the worker ships

# moto's TransactWriteItems copies every table it names per call; the suite (like the emulator) undoes a cancelled one
# from a log of the items it touched instead (scripts/local_stack/moto_transactions.py, tested on its own).
moto_transactions.install()
