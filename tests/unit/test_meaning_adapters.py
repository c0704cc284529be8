"""The Titan embeddings and S3 Vectors adapters against botocore's own service models (``Stubber`` validates every
request's shape), with golden InvokeModel bodies (botocore does not look inside a blob), throttling translated to
the domain's errors, the service maxima enforced, and another owner's vector never let through."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from PIL import Image

from photovault.adapters import clients
from photovault.adapters.s3vectors import MAX_TOP_K, S3VectorIndex
from photovault.adapters.titan import TitanEmbedder, request_body
from photovault.errors import Throttled, TransientDependencyError
from photovault.ports import Embedding

REGION = "eu-west-1"
MODEL = "amazon.titan-embed-image-v1"


def _client(service: str) -> Any:
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=REGION)
    return session.client(service)


def _body(payload: dict[str, Any]) -> StreamingBody:
    raw = json.dumps(payload).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


def _webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "WEBP")
    return out.getvalue()


# ---------------------------------------------------------------- Titan


def test_titan_bodies_are_exactly_what_the_model_documents() -> None:
    assert json.loads(request_body(text="a cup of coffee", dimension=1024)) == {
        "inputText": "a cup of coffee",
        "embeddingConfig": {"outputEmbeddingLength": 1024},
    }
    body = json.loads(request_body(image=b"\xff\xd8\xffjpeg", dimension=384))
    assert body == {
        "inputImage": base64.b64encode(b"\xff\xd8\xffjpeg").decode(),
        "embeddingConfig": {"outputEmbeddingLength": 384},
    }
    with pytest.raises(ValueError, match="dimensions"):
        request_body(text="x", dimension=512)


def test_titan_embeds_the_preview_as_jpeg_and_counts_images_and_tokens() -> None:
    runtime = _client("bedrock-runtime")
    embedder = TitanEmbedder(runtime, MODEL, 256)
    with Stubber(runtime) as stub:
        stub.add_response(
            "invoke_model",
            {"body": _body({"embedding": [0.1] * 256, "inputTextTokenCount": 0}), "contentType": "application/json"},
            {"modelId": MODEL, "body": ANY, "contentType": "application/json", "accept": "application/json"},
        )
        stub.add_response(
            "invoke_model",
            {"body": _body({"embedding": [0.2] * 256, "inputTextTokenCount": 5}), "contentType": "application/json"},
            {
                "modelId": MODEL,
                "body": request_body(text="a cup of coffee", dimension=256),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )
        photo = embedder.embed_photo(_webp(), analysis=None, caption=None)
        query = embedder.embed_text("a cup of coffee")
    assert (len(photo.vector), photo.images, photo.input_tokens, photo.model_id) == (256, 1, 0, MODEL)
    assert (query.images, query.input_tokens) == (0, 5)


def test_titan_sends_jpeg_pixels_not_webp() -> None:
    runtime = _client("bedrock-runtime")
    sent: list[dict[str, Any]] = []
    runtime.meta.events.register(
        "provide-client-params.bedrock-runtime.InvokeModel", lambda params, **_: sent.append(json.loads(params["body"]))
    )
    with Stubber(runtime) as stub:
        stub.add_response(
            "invoke_model", {"body": _body({"embedding": [0.1] * 256}), "contentType": "application/json"}
        )
        TitanEmbedder(runtime, MODEL, 256).embed_photo(_webp(), analysis=None, caption=None)
    assert base64.b64decode(sent[0]["inputImage"])[:3] == b"\xff\xd8\xff"


def test_titan_throttling_is_the_domains_throttled_and_a_short_vector_is_refused() -> None:
    runtime = _client("bedrock-runtime")
    embedder = TitanEmbedder(runtime, MODEL, 1024)
    with Stubber(runtime) as stub:
        stub.add_client_error("invoke_model", service_error_code="ThrottlingException", http_status_code=429)
        stub.add_client_error("invoke_model", service_error_code="ModelTimeoutException", http_status_code=408)
        stub.add_response("invoke_model", {"body": _body({"embedding": [0.1] * 3}), "contentType": "application/json"})
        with pytest.raises(Throttled):
            embedder.embed_text("x")
        with pytest.raises(TransientDependencyError):
            embedder.embed_text("x")
        with pytest.raises(ValueError, match="3 dimensions"):
            embedder.embed_text("x")


# ---------------------------------------------------------------- S3 Vectors


def _index(dimension: int = 4) -> tuple[S3VectorIndex, Any]:
    client = _client("s3vectors")
    return S3VectorIndex(client, bucket="photovault-dev-vectors", index="photos-4", dimension=dimension), client


def test_put_writes_one_vector_keyed_and_tagged_by_its_owner() -> None:
    index, client = _index()
    with Stubber(client) as stub:
        stub.add_response(
            "put_vectors",
            {},
            {
                "vectorBucketName": "photovault-dev-vectors",
                "indexName": "photos-4",
                "vectors": [
                    {
                        "key": "alice/p1",
                        "data": {"float32": [1.0, 0.0, 0.0, 0.0]},
                        "metadata": {"owner": "alice", "photo_id": "p1", "model": "m"},
                    }
                ],
            },
        )
        index.put("alice", "p1", Embedding((1.0, 0.0, 0.0, 0.0), "m"))


def test_query_is_always_filtered_on_the_owner_and_a_foreign_hit_never_leaves() -> None:
    index, client = _index()
    answer = {
        "distanceMetric": "cosine",
        "vectors": [
            {"key": "alice/p1", "distance": 0.1, "metadata": {"owner": "alice", "photo_id": "p1"}},
            # A filter the service did not apply, or a key and metadata that disagree: never alice's result.
            {"key": "bob/p2", "distance": 0.0, "metadata": {"owner": "bob", "photo_id": "p2"}},
            {"key": "bob/p3", "distance": 0.0, "metadata": {"owner": "alice", "photo_id": "p3"}},
            {"key": "alice/p4", "distance": 0.6, "metadata": {"owner": "alice", "photo_id": "p4"}},
        ],
    }
    with Stubber(client) as stub:
        stub.add_response(
            "query_vectors",
            answer,
            {
                "vectorBucketName": "photovault-dev-vectors",
                "indexName": "photos-4",
                "topK": MAX_TOP_K,
                "queryVector": {"float32": [1.0, 0.0, 0.0, 0.0]},
                "filter": {"owner": {"$eq": "alice"}},
                "returnMetadata": True,
                "returnDistance": True,
            },
        )
        hits = index.query("alice", [1.0, 0.0, 0.0, 0.0], top_k=1000)  # clamped to the service's maximum
    assert [(h.photo_id, round(h.similarity, 2)) for h in hits] == [("p1", 0.9), ("p4", 0.4)]


def test_delete_names_only_the_callers_key_and_throttling_is_retryable() -> None:
    index, client = _index()
    with Stubber(client) as stub:
        stub.add_response(
            "delete_vectors",
            {},
            {"vectorBucketName": "photovault-dev-vectors", "indexName": "photos-4", "keys": ["alice/p1"]},
        )
        stub.add_client_error("delete_vectors", service_error_code="TooManyRequestsException", http_status_code=429)
        stub.add_client_error("put_vectors", service_error_code="ServiceUnavailableException", http_status_code=503)
        index.delete("alice", "p1")
        with pytest.raises(Throttled):
            index.delete("alice", "p1")
        with pytest.raises(TransientDependencyError):
            index.put("alice", "p1", Embedding((0.0, 1.0, 0.0, 0.0), "m"))


def test_vectors_of_the_wrong_size_or_without_direction_are_refused_before_any_call() -> None:
    index, _client_ = _index()
    with pytest.raises(ValueError, match="4-d"):
        index.put("alice", "p1", Embedding((1.0, 0.0), "m"))
    with pytest.raises(ValueError, match="zero vector"):
        index.query("alice", [0.0, 0.0, 0.0, 0.0], top_k=5)


def test_a_runtime_botocore_without_s3vectors_uses_the_model_the_package_ships(tmp_path: Any) -> None:
    # Given botocore's data folder without S3 Vectors (what an older Lambda runtime has)
    from pathlib import Path

    import botocore
    from botocore.session import Session

    data = tmp_path / "data"
    data.mkdir()
    for entry in (Path(botocore.__file__).parent / "data").iterdir():
        if entry.name != "s3vectors":
            (data / entry.name).symlink_to(entry)

    def runtime_session() -> Session:
        session = Session()
        session.get_component("data_loader").search_paths[:] = [str(data)]
        return session

    with pytest.raises(Exception, match="s3vectors"):
        runtime_session().create_client("s3vectors", region_name=REGION)
    # When the package's models are added to its search path (before any client is made: the loader caches)
    session = runtime_session()
    clients.add_bundled_models(session)
    client = session.create_client("s3vectors", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    # Then the client speaks S3 Vectors, with the GA operations the adapter calls
    assert {"PutVectors", "QueryVectors", "DeleteVectors"} <= set(client.meta.service_model.operation_names)
    reference = boto3.session.Session().client(
        "s3vectors", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    assert client.meta.endpoint_url == reference.meta.endpoint_url


def test_both_lambda_zips_carry_the_s3vectors_model() -> None:
    from scripts.build_lambda import FUNCTIONS, collect

    for function in FUNCTIONS:
        entries = collect(function, None)
        assert "photovault/adapters/botocore_data/s3vectors/2025-07-15/service-2.json.gz" in entries, function
        assert "photovault/adapters/botocore_data/s3vectors/2025-07-15/endpoint-rule-set-1.json.gz" in entries
