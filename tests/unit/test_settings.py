"""Configuration is validated once at cold start, naming every variable at fault."""

from __future__ import annotations

import pytest

from photovault.settings import Settings

REQUIRED = {"TABLE_NAME": "t", "ORIGINALS_BUCKET": "o", "DERIVATIVES_BUCKET": "d"}


def test_defaults_and_conversions():
    settings = Settings.from_env({**REQUIRED, "MODERATION_THRESHOLD": "92.5", "CAPTION_MAX_TOKENS": "64"})
    assert settings.table_name == "t" and settings.min_label_confidence == 70.0
    assert settings.moderation_threshold == 92.5 and settings.caption_max_tokens == 64
    assert settings.max_upload_bytes == 50 * 1024 * 1024


def test_every_bad_variable_is_named_in_one_error():
    with pytest.raises(RuntimeError) as error:
        Settings.from_env(
            {
                "ORIGINALS_BUCKET": "o",
                "DERIVATIVES_BUCKET": "d",
                "MIN_LABEL_CONFIDENCE": "high",
                "MODERATION_THRESHOLD": "101",
                "MAX_UPLOAD_BYTES": "0",
                "CAPTION_MAX_TOKENS": "lots",
            }
        )
    message = str(error.value)
    for name in (
        "TABLE_NAME",
        "MIN_LABEL_CONFIDENCE",
        "MODERATION_THRESHOLD",
        "MAX_UPLOAD_BYTES",
        "CAPTION_MAX_TOKENS",
    ):
        assert name in message


def test_settings_are_immutable():
    settings = Settings.from_env(REQUIRED)
    with pytest.raises(AttributeError):
        settings.table_name = "other"  # type: ignore[misc]


def test_no_setting_chooses_an_implementation():
    # The analyzer and captioner are not configuration: AWS always gets Rekognition and Bedrock, and the local stack
    # injects its offline analyzer through the composition root instead of a production setting.
    names = set(Settings.__dataclass_fields__)
    assert not {"analyzer", "captioner"} & names
    assert "local" not in {str(field.default) for field in Settings.__dataclass_fields__.values()}


def test_decode_budget_and_memory_reach_the_image_limits():
    from photovault.images import ImageLimits

    settings = Settings.from_env({**REQUIRED, "DECODE_BUDGET_SECONDS": "12.5", "DECODE_MEMORY_MB": "1024"})
    limits = ImageLimits.from_settings(settings)
    assert limits.decode_budget_seconds == 12.5 and limits.decode_memory_bytes == 1024 * 1024 * 1024
    # An over-budget photo must end REJECTED within 30 s of worker time (issue 12): no budget above that is accepted.
    with pytest.raises(RuntimeError, match="DECODE_BUDGET_SECONDS"):
        Settings.from_env({**REQUIRED, "DECODE_BUDGET_SECONDS": "45"})


def test_defaults_fit_the_functions_and_the_queue_terraform_creates():
    """Terraform and the local stack set the ingest values from resources.json and leave the decode ones at their
    defaults: the defaults must agree with the queue and leave the worker's parent process room to live."""
    from tests.support.aws import spec

    resources = spec()
    defaults = Settings.from_env(REQUIRED)
    ingest, worker = resources["ingest"], resources["functions"]["worker"]
    assert defaults.ingest_max_receive_count == ingest["max_receive_count"]
    assert defaults.ingest_visibility_timeout_seconds == ingest["visibility_timeout_multiplier"] * worker["timeout"]
    assert defaults.decode_memory_mb + 512 <= worker["memory_size"]  # the parent keeps ≥ 512 MB
    assert defaults.decode_budget_seconds * 3 < worker["timeout"]  # several slow photos still fit one invocation


def test_an_upload_form_lives_at_most_ten_minutes():
    assert Settings.from_env(REQUIRED).upload_url_expiry_seconds == 600
    with pytest.raises(RuntimeError, match="UPLOAD_URL_EXPIRY_SECONDS"):
        Settings.from_env({**REQUIRED, "UPLOAD_URL_EXPIRY_SECONDS": "601"})
