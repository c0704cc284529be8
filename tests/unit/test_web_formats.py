"""The web app's accepted formats are the API's and the worker's: web/js/formats.js is generated from the one list."""

from __future__ import annotations

import re
from pathlib import Path

from photovault.images.formats import ACCEPTED_FORMATS
from scripts.web_formats import render

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web" / "js"


def test_web_js_formats_is_the_module_the_one_list_generates() -> None:
    committed = (WEB / "formats.js").read_text(encoding="utf-8")
    assert committed == render(), "web/js/formats.js is stale: run `make web-formats` and commit it"


def test_every_accepted_extension_and_type_reaches_the_web_app() -> None:
    text = render()
    for fmt in ACCEPTED_FORMATS:
        assert f"label: '{fmt.label}'" in text
        for extension in fmt.extensions:
            assert f"  {extension[1:]}: '{fmt.mime_types[0]}'," in text


def test_the_upload_views_take_their_formats_from_the_generated_module_only() -> None:
    """No second list: the picker, the hint and the extension map import formats.js and name no format themselves."""
    for name in ("upload.js", "views/upload-panel.js"):
        source = (WEB / name).read_text(encoding="utf-8")
        assert "formats.js'" in source, name
        assert not re.search(r"['\"`](image/[a-z]+|\.?(jpe?g|png|webp|gif|heic|heif|avif))['\"`,]", source), name
