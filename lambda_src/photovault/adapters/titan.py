"""Amazon Bedrock Titan Multimodal Embeddings G1 (``amazon.titan-embed-image-v1``) implementation of ``Embedder``.

Photos are embedded from their preview rendition (≤ 1600 px WebP, within Titan's 2048×2048 px and 25 MB limits;
Titan reads PNG and JPEG, so the preview is re-encoded as JPEG); query text is embedded alone. Both land in one
space, compared by cosine. botocore does not validate the InvokeModel body (a blob), so the body is built here
and pinned by golden tests.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from photovault.adapters.aws import call_aws
from photovault.model import Analysis, Caption
from photovault.ports import Embedding

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

DIMENSIONS = (256, 384, 1024)  # Titan's outputEmbeddingLength choices
MAX_TEXT_CHARS = 1000  # Titan takes up to 256 text tokens; a search box never needs more than this
_TOKEN_HEADER = "x-amzn-bedrock-input-token-count"


def request_body(*, text: str | None = None, image: bytes | None = None, dimension: int) -> str:
    """The InvokeModel body: ``inputText`` and/or ``inputImage`` (base64) with the output length."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Titan Multimodal Embeddings outputs {DIMENSIONS} dimensions, not {dimension}")
    body: dict[str, Any] = {"embeddingConfig": {"outputEmbeddingLength": dimension}}
    if text is not None:
        body["inputText"] = text[:MAX_TEXT_CHARS]
    if image is not None:
        body["inputImage"] = base64.b64encode(image).decode("ascii")
    return json.dumps(body)


def embedding_from_response(response: Mapping[str, Any], *, model_id: str, dimension: int, images: int) -> Embedding:
    payload = json.loads(response["body"].read())
    vector = payload.get("embedding") or []
    if len(vector) != dimension:
        raise ValueError(
            f"{model_id} returned {len(vector)} dimensions, expected {dimension}: {payload.get('message')}"
        )
    headers = (response.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
    tokens = headers.get(_TOKEN_HEADER, payload.get("inputTextTokenCount") or 0)
    return Embedding(vector=tuple(float(x) for x in vector), model_id=model_id, images=images, input_tokens=int(tokens))


def _jpeg(image: bytes) -> bytes:
    """The preview as JPEG (Titan accepts PNG and JPEG only); already-JPEG bytes pass through."""
    if image[:3] == b"\xff\xd8\xff":
        return image
    from PIL import Image

    with Image.open(io.BytesIO(image)) as picture:
        out = io.BytesIO()
        picture.convert("RGB").save(out, "JPEG", quality=90)
        return out.getvalue()


class TitanEmbedder:
    def __init__(self, client: BedrockRuntimeClient, model_id: str, dimension: int) -> None:
        if dimension not in DIMENSIONS:
            raise ValueError(f"EMBEDDING_DIMENSION must be one of {DIMENSIONS} for {model_id}")
        self._client = client
        self.model_id = model_id
        self.dimension = dimension

    def embed_photo(self, image: bytes, *, analysis: Analysis | None, caption: Caption | None) -> Embedding:
        # The pixels alone: the multimodal model sees what is there; labels and caption are the term index's job.
        return self._invoke(request_body(image=_jpeg(image), dimension=self.dimension), images=1)

    def embed_text(self, text: str) -> Embedding:
        return self._invoke(request_body(text=text, dimension=self.dimension), images=0)

    def _invoke(self, body: str, *, images: int) -> Embedding:
        response = call_aws(
            lambda: self._client.invoke_model(
                modelId=self.model_id, body=body, contentType="application/json", accept="application/json"
            ),
            "Bedrock",
        )
        return embedding_from_response(response, model_id=self.model_id, dimension=self.dimension, images=images)
