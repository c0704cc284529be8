"""Amazon S3 Vectors implementation of ``VectorIndex``: one vector per photo in one cosine index.

Tenancy is built here, never by a caller: every vector carries its owner as filterable metadata, every query is
filtered on the verified owner, and every hit is checked again against that owner before it leaves (IAM has no
condition key on the query filter, so code is the only guard; a test proves it on the emulator). Keys are
``<owner>/<photo_id>`` so a delete can only ever name the caller's own vector.

botocore checks only the minimums of these requests; the service's maximums (topK ≤ 100 …) are enforced here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from photovault.adapters.aws import call_aws
from photovault.ports import Embedding, VectorHit

if TYPE_CHECKING:
    from mypy_boto3_s3vectors import S3VectorsClient

MAX_TOP_K = 100  # QueryVectors' documented maximum
MAX_DELETE = 500  # DeleteVectors' documented maximum of keys per request
SERVICE = "S3 Vectors"


def vector_key(owner: str, photo_id: str) -> str:
    return f"{owner}/{photo_id}"


def owner_filter(owner: str) -> dict[str, Any]:
    return {"owner": {"$eq": owner}}


class S3VectorIndex:
    def __init__(self, client: S3VectorsClient, *, bucket: str, index: str, dimension: int) -> None:
        self._client = client
        self._bucket = bucket
        self._index = index
        self._dimension = dimension

    def put(self, owner: str, photo_id: str, embedding: Embedding) -> None:
        self._check(embedding.vector)
        call_aws(
            lambda: self._client.put_vectors(
                vectorBucketName=self._bucket,
                indexName=self._index,
                vectors=[
                    {
                        "key": vector_key(owner, photo_id),
                        "data": {"float32": list(embedding.vector)},
                        # Every key is filterable in this index (Terraform 6.25 cannot mark any non-filterable);
                        # filterable metadata is limited to 2 KB per vector: these three stay far below.
                        "metadata": {"owner": owner, "photo_id": photo_id, "model": embedding.model_id},
                    }
                ],
            ),
            SERVICE,
        )

    def query(self, owner: str, vector: Sequence[float], *, top_k: int) -> list[VectorHit]:
        self._check(vector)
        response: Mapping[str, Any] = call_aws(
            lambda: self._client.query_vectors(
                vectorBucketName=self._bucket,
                indexName=self._index,
                topK=max(1, min(top_k, MAX_TOP_K)),
                queryVector={"float32": [float(x) for x in vector]},
                filter=owner_filter(owner),
                returnMetadata=True,
                returnDistance=True,
            ),
            SERVICE,
        )
        hits: list[VectorHit] = []
        for item in response.get("vectors", []):
            metadata = item.get("metadata") or {}
            if metadata.get("owner") != owner or item.get("key") != vector_key(owner, str(metadata.get("photo_id"))):
                continue  # never trust the filter alone: another user's vector must not leave this method
            # Cosine distance is 1 − cosine similarity.
            hits.append(VectorHit(photo_id=str(metadata["photo_id"]), similarity=1.0 - float(item.get("distance", 1))))
        return sorted(hits, key=lambda hit: -hit.similarity)

    def delete(self, owner: str, photo_id: str) -> None:
        call_aws(
            lambda: self._client.delete_vectors(
                vectorBucketName=self._bucket, indexName=self._index, keys=[vector_key(owner, photo_id)]
            ),
            SERVICE,
        )

    def delete_many(self, owner: str, photo_ids: Sequence[str]) -> None:
        for start in range(0, len(photo_ids), MAX_DELETE):
            self._delete_keys([vector_key(owner, photo_id) for photo_id in photo_ids[start : start + MAX_DELETE]])

    def _delete_keys(self, chunk: list[str]) -> None:
        call_aws(
            lambda: self._client.delete_vectors(vectorBucketName=self._bucket, indexName=self._index, keys=chunk),
            SERVICE,
        )

    def _check(self, vector: Sequence[float]) -> None:
        if len(vector) != self._dimension:
            raise ValueError(f"the index holds {self._dimension}-d vectors, not {len(vector)}-d")
        if not any(vector):
            raise ValueError("a zero vector has no direction: cosine indexes refuse it")
