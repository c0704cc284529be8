"""Composition root: builds use cases from Settings with real adapters. Imported lazily by the handlers."""

from __future__ import annotations

from photovault.adapters.clients import client
from photovault.adapters.dynamodb import DynamoPhotoRepository
from photovault.adapters.s3 import S3MediaStore, S3OriginalStore
from photovault.adapters.sns import SnsNotifier
from photovault.images import ImageLimits
from photovault.pipeline.ingest import IngestConfig, IngestPhoto
from photovault.ports import ImageAnalyzer, TextGenerator
from photovault.settings import Settings


def build_analyzer(settings: Settings) -> ImageAnalyzer:
    if settings.analyzer == "local":
        # Offline pixel analysis for `make run`; its heavy dependencies are not in the Lambda artefact.
        from photovault.adapters.local.analyzer import OfflineAnalyzer

        return OfflineAnalyzer()
    from photovault.adapters.rekognition import RekognitionAnalyzer

    # The pipeline retries throttling itself, within the Lambda deadline: keep botocore's own retries short.
    return RekognitionAnalyzer(client("rekognition", max_attempts=2), min_confidence=settings.min_label_confidence)


def build_captioner(settings: Settings) -> TextGenerator | None:
    if settings.captioner == "local":
        return None  # the caption is composed from the analysis (pipeline.caption.compose_caption)
    from photovault.adapters.bedrock import BedrockTextGenerator

    return BedrockTextGenerator(client("bedrock-runtime", max_attempts=2, read_timeout=30), settings.bedrock_model_id)


def build_ingest(settings: Settings) -> IngestPhoto:
    return IngestPhoto(
        originals=S3OriginalStore(client("s3")),
        media=S3MediaStore(client("s3"), settings.derivatives_bucket),
        repository=DynamoPhotoRepository(client("dynamodb"), settings.table_name),
        analyzer=build_analyzer(settings),
        captioner=build_captioner(settings),
        notifier=SnsNotifier(client("sns"), settings.events_topic_arn),
        config=IngestConfig(
            limits=ImageLimits.from_settings(settings),
            moderation_threshold=settings.moderation_threshold,
            min_label_confidence=settings.min_label_confidence,
            caption_max_tokens=settings.caption_max_tokens,
        ),
    )
