"""S3 Vectors on the emulator: the real ``S3VectorIndex`` adapter against moto's store and the local QueryVectors
(scripts/local_stack/vector_query.py) — tenancy with identical photos in two libraries, deletes, and the filter
language the service documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from photovault.adapters.s3vectors import S3VectorIndex
from photovault.ports import Embedding
from scripts.local_stack.config import REGION, ResourceSpec
from scripts.local_stack.emulator import Emulator
from scripts.local_stack.provision import vector_store
from scripts.local_stack.vector_query import matches

pytestmark = pytest.mark.xdist_group("vector-emulator")
DIM = 8


@pytest.fixture(scope="module")
def s3vectors() -> Iterator[Any]:
    emulator = Emulator()
    url = emulator.start()
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    yield session.client("s3vectors", endpoint_url=url)
    emulator.stop()


@pytest.fixture
def index(s3vectors: Any) -> Iterator[tuple[S3VectorIndex, Any, str, str]]:
    bucket, name = vector_store(s3vectors, ResourceSpec.load(), DIM)
    yield S3VectorIndex(s3vectors, bucket=bucket, index=name, dimension=DIM), s3vectors, bucket, name
    s3vectors.delete_index(vectorBucketName=bucket, indexName=name)


def unit(axis: int, tilt: float = 0.0) -> tuple[float, ...]:
    vector = [0.0] * DIM
    vector[axis] = 1.0
    vector[(axis + 1) % DIM] = tilt
    return tuple(vector)


def test_identical_photos_in_two_libraries_each_owner_sees_only_their_own(index: Any) -> None:
    vectors, *_ = index
    # Given the same photo (same vector) in alice's and bob's libraries, and more of bob's that look even closer
    for owner in ("alice", "bob"):
        vectors.put(owner, f"{owner}-coffee", Embedding(unit(0, 0.1), "m"))
    for i in range(20):
        vectors.put("bob", f"bob-{i}", Embedding(unit(0), "m"))
    vectors.put("alice", "alice-cat", Embedding(unit(3), "m"))
    # When alice asks for everything near the coffee photo
    hits = vectors.query("alice", unit(0), top_k=100)
    # Then only her two photos come back, the coffee one first, with cosine similarities
    assert [h.photo_id for h in hits] == ["alice-coffee", "alice-cat"]
    assert hits[0].similarity == pytest.approx(1 / (1 + 0.01) ** 0.5, abs=1e-5)
    assert hits[1].similarity == pytest.approx(0.0, abs=1e-6)
    assert [h.photo_id for h in vectors.query("bob", unit(0), top_k=3)][:2] != ["alice-coffee"]
    assert all(h.photo_id.startswith("bob") for h in vectors.query("bob", unit(0), top_k=100))


def test_a_deleted_photo_is_never_found_again_and_a_rewrite_keeps_one_vector(index: Any) -> None:
    vectors, client, bucket, name = index
    vectors.put("alice", "p1", Embedding(unit(1), "m"))
    vectors.put("alice", "p1", Embedding(unit(2), "m"))  # reprocessed: one vector, the new one
    vectors.put("alice", "p2", Embedding(unit(1), "m"))
    assert [h.photo_id for h in vectors.query("alice", unit(2), top_k=10)][0] == "p1"
    vectors.delete("alice", "p1")
    vectors.delete("alice", "p1")  # idempotent
    assert [h.photo_id for h in vectors.query("alice", unit(2), top_k=10)] == ["p2"]
    keys = {v["key"] for v in client.list_vectors(vectorBucketName=bucket, indexName=name)["vectors"]}
    assert keys == {"alice/p2"}


def test_query_vectors_speaks_the_service_shapes_and_refuses_what_it_refuses(index: Any) -> None:
    _vectors, client, bucket, name = index
    client.put_vectors(
        vectorBucketName=bucket,
        indexName=name,
        vectors=[
            {
                "key": "k1",
                "data": {"float32": list(unit(0))},
                "metadata": {"owner": "a", "year": 2020, "tags": ["x", "y"]},
            },
            {"key": "k2", "data": {"float32": list(unit(0, 0.5))}, "metadata": {"owner": "a", "year": 2024}},
            {"key": "k3", "data": {"float32": list(unit(0))}, "metadata": {"owner": "b", "year": 2024}},
        ],
    )

    def keys(**kwargs: Any) -> list[str]:
        answer = client.query_vectors(
            vectorBucketName=bucket, indexName=name, topK=10, queryVector={"float32": list(unit(0))}, **kwargs
        )
        assert answer["distanceMetric"] == "cosine"
        return [v["key"] for v in answer["vectors"]]

    assert keys(filter={"owner": "a"}) == ["k1", "k2"]
    assert keys(filter={"$and": [{"owner": {"$eq": "a"}}, {"year": {"$gte": 2021}}]}) == ["k2"]
    assert keys(filter={"tags": "y"}) == ["k1"]
    assert sorted(keys(filter={"$or": [{"owner": "b"}, {"year": {"$lt": 2021}}]})) == ["k1", "k3"]
    answer = client.query_vectors(
        vectorBucketName=bucket,
        indexName=name,
        topK=1,
        queryVector={"float32": list(unit(0))},
        filter={"owner": "a"},
        returnMetadata=True,
        returnDistance=True,
    )
    assert answer["vectors"] == [
        {
            "key": "k1",
            "distance": pytest.approx(0.0, abs=1e-6),
            "metadata": {"owner": "a", "year": 2020, "tags": ["x", "y"]},
        }
    ]
    with pytest.raises(ClientError, match="topK"):
        client.query_vectors(vectorBucketName=bucket, indexName=name, topK=101, queryVector={"float32": list(unit(0))})
    with pytest.raises(ClientError, match="dimensions"):
        client.query_vectors(vectorBucketName=bucket, indexName=name, topK=1, queryVector={"float32": [1.0]})


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"owner": "a"}, True),
        ({"owner": {"$ne": "a"}}, False),
        ({"owner": {"$in": ["b", "a"]}}, True),
        ({"owner": {"$nin": ["a"]}}, False),
        ({"missing": {"$exists": False}}, True),
        ({"n": {"$gt": 1, "$lte": 2}}, True),
        ({"tags": {"$in": ["z", "x"]}}, True),
        ({"$or": [{"owner": "b"}, {"n": 3}]}, False),
    ],
)
def test_filter_semantics(condition: dict[str, Any], expected: bool) -> None:
    assert matches({"owner": "a", "n": 2, "tags": ["x", "y"]}, condition) is expected
