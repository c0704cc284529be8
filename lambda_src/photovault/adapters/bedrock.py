"""Amazon Bedrock Converse implementation of TextGenerator (multimodal: one image plus a text prompt)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from photovault.adapters.aws import call_aws
from photovault.ports import GeneratedText

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_bedrock_runtime.literals import ImageFormatType
    from mypy_boto3_bedrock_runtime.type_defs import MessageTypeDef

_FORMATS: dict[str, ImageFormatType] = {"gif": "gif", "jpeg": "jpeg", "png": "png", "webp": "webp"}


class BedrockTextGenerator:
    def __init__(self, client: BedrockRuntimeClient, model_id: str, *, temperature: float = 0.2) -> None:
        self._client = client
        self.model_id = model_id
        self._temperature = temperature

    def generate(self, *, system: str, prompt: str, image: bytes, image_format: str, max_tokens: int) -> GeneratedText:
        message: MessageTypeDef = {
            "role": "user",
            "content": [
                {"image": {"format": _FORMATS[image_format], "source": {"bytes": image}}},
                {"text": prompt},
            ],
        }
        response: Mapping[str, Any] = call_aws(
            lambda: self._client.converse(
                modelId=self.model_id,
                system=[{"text": system}],
                messages=[message],
                inferenceConfig={"maxTokens": max_tokens, "temperature": self._temperature},
            ),
            "Bedrock",
        )
        content = (((response.get("output") or {}).get("message") or {}).get("content")) or []
        text = " ".join(str(part["text"]) for part in content if isinstance(part, dict) and "text" in part)
        if not text.strip():
            raise ValueError(f"Bedrock returned no text (stopReason={response.get('stopReason')!r})")
        usage = response.get("usage") or {}
        return GeneratedText(
            text=text,
            model_id=self.model_id,
            input_tokens=int(usage.get("inputTokens", 0)),
            output_tokens=int(usage.get("outputTokens", 0)),
        )
