"""Configuration is validated once at cold start, naming every variable at fault."""

from __future__ import annotations

import pytest

from photovault.settings import Settings

REQUIRED = {"TABLE_NAME": "t", "ORIGINALS_BUCKET": "o", "DERIVATIVES_BUCKET": "d"}


def test_defaults_and_conversions():
    settings = Settings.from_env({**REQUIRED, "MODERATION_THRESHOLD": "92.5", "CAPTION_MAX_TOKENS": "64"})
    assert settings.table_name == "t" and settings.analyzer == "rekognition"
    assert settings.moderation_threshold == 92.5 and settings.caption_max_tokens == 64
    assert settings.max_upload_bytes == 50 * 1024 * 1024


def test_every_bad_variable_is_named_in_one_error():
    with pytest.raises(RuntimeError) as error:
        Settings.from_env(
            {
                "ORIGINALS_BUCKET": "o",
                "DERIVATIVES_BUCKET": "d",
                "ANALYZER": "magic",
                "MODERATION_THRESHOLD": "101",
                "MAX_UPLOAD_BYTES": "0",
                "CAPTION_MAX_TOKENS": "lots",
            }
        )
    message = str(error.value)
    for name in ("TABLE_NAME", "ANALYZER", "MODERATION_THRESHOLD", "MAX_UPLOAD_BYTES", "CAPTION_MAX_TOKENS"):
        assert name in message


def test_settings_are_immutable():
    settings = Settings.from_env(REQUIRED)
    with pytest.raises(AttributeError):
        settings.table_name = "other"  # type: ignore[misc]
