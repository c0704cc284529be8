"""S3 Vectors ``QueryVectors`` for the emulator. moto 5.2 stores vectors (Put/Get/List/DeleteVectors) but does not
answer QueryVectors, so this adds the operation to moto's S3 Vectors service — the same request and response
shapes, the documented metadata-filter semantics, distance = 1 − cosine similarity (or the L2 distance for a
euclidean index) — and the real ``S3VectorIndex`` adapter runs unchanged on ``make run``. Only the embedder
differs locally.

Exact search, brute force with NumPy: each owner's vectors are kept as one float32 matrix beside moto's store,
updated on every put and delete, so a query filtered on ``owner`` costs one matrix × vector product over that
owner's photos only (another owner's vectors are never even compared). Other filters are evaluated vector by
vector, as a correct but slower path.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

MAX_TOP_K = 100  # the service's documented maximum
OWNER_KEY = "owner"

_lock = threading.RLock()  # moto may serve requests on several threads; these matrices are shared state


# ---------------------------------------------------------------- metadata filters


def matches(metadata: Mapping[str, Any], condition: Mapping[str, Any]) -> bool:  # noqa: PLR0911
    """True when ``metadata`` satisfies ``condition`` (S3 Vectors' filter language: implicit AND of fields,
    ``$and``/``$or``, and per field ``$eq $ne $gt $gte $lt $lte $in $nin $exists``; a list value matches ``$eq`` or
    ``$in`` when any element does)."""
    for key, expected in condition.items():
        if key == "$and":
            if not all(matches(metadata, part) for part in expected):
                return False
        elif key == "$or":
            if not any(matches(metadata, part) for part in expected):
                return False
        elif key.startswith("$"):
            raise ValueError(f"Invalid filter operator at the top level: {key}")
        elif not _field_matches(metadata.get(key), key in metadata, expected):
            return False
    return True


def _field_matches(value: Any, present: bool, expected: Any) -> bool:  # noqa: PLR0911
    if not isinstance(expected, Mapping):
        expected = {"$eq": expected}
    values = value if isinstance(value, list) else [value]
    for operator, operand in expected.items():
        if operator == "$exists":
            ok = present == bool(operand)
        elif operator == "$eq":
            ok = present and operand in values
        elif operator == "$ne":
            ok = not present or operand not in values
        elif operator == "$in":
            ok = present and any(v in operand for v in values)
        elif operator == "$nin":
            ok = not present or not any(v in operand for v in values)
        elif operator in ("$gt", "$gte", "$lt", "$lte"):
            ok = present and isinstance(value, int | float) and _compare(operator, float(value), float(operand))
        else:
            raise ValueError(f"Invalid filter operator: {operator}")
        if not ok:
            return False
    return True


def _compare(operator: str, value: float, operand: float) -> bool:
    return {
        "$gt": value > operand,
        "$gte": value >= operand,
        "$lt": value < operand,
        "$lte": value <= operand,
    }[operator]


def owner_of(condition: Mapping[str, Any] | None) -> str | None:
    """The owner an equality on ``owner`` pins the filter to (at the top or inside a top-level ``$and``)."""
    if not condition:
        return None
    wanted = condition.get(OWNER_KEY)
    if isinstance(wanted, Mapping):
        wanted = wanted.get("$eq") if set(wanted) == {"$eq"} else None
    if isinstance(wanted, str):
        return wanted
    for part in condition.get("$and", ()):
        found = owner_of(part)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- one matrix per owner


class OwnerRows:
    """An owner's vectors as rows of a float32 matrix, unit length (cosine), kept in step with moto's store."""

    def __init__(self, dimension: int) -> None:
        self.keys: list[str] = []
        self.row_of: dict[str, int] = {}
        self.matrix = np.zeros((0, dimension), np.float32)
        self.raw = np.zeros((0, dimension), np.float32)

    def put(self, key: str, vector: list[float]) -> None:
        raw = np.asarray(vector, np.float32)
        unit = raw / max(float(np.linalg.norm(raw)), 1e-12)
        row = self.row_of.get(key)
        if row is None:
            row = len(self.keys)
            if row == len(self.matrix):  # grow by doubling: amortised O(1) per put
                grown = max(16, 2 * len(self.matrix))
                self.matrix = np.resize(self.matrix, (grown, self.matrix.shape[1]))
                self.raw = np.resize(self.raw, (grown, self.raw.shape[1]))
            self.keys.append(key)
            self.row_of[key] = row
        self.matrix[row] = unit
        self.raw[row] = raw

    def delete(self, key: str) -> None:
        row = self.row_of.pop(key, None)
        if row is None:
            return
        last = len(self.keys) - 1
        if row != last:  # move the last row into the hole
            moved = self.keys[last]
            self.keys[row] = moved
            self.row_of[moved] = row
            self.matrix[row] = self.matrix[last]
            self.raw[row] = self.raw[last]
        self.keys.pop()


def _rows(index: Any) -> dict[str | None, OwnerRows]:
    rows: dict[str | None, OwnerRows] | None = getattr(index, "_photovault_rows", None)
    if rows is None:
        rows = {}
        for key, vector in index.vectors.items():  # vectors stored before this module was installed
            _owner_rows(rows, index, vector.metadata).put(key, vector.data[index.data_type])
        index._photovault_rows = rows
    return rows


def _owner_rows(rows: dict[str | None, OwnerRows], index: Any, metadata: Any) -> OwnerRows:
    owner = metadata.get(OWNER_KEY) if isinstance(metadata, Mapping) else None
    return rows.setdefault(owner if isinstance(owner, str) else None, OwnerRows(index.dimension))


def nearest(
    index: Any, query: list[float], *, top_k: int, condition: Mapping[str, Any] | None
) -> list[tuple[str, float]]:
    """The ``top_k`` keys nearest ``query`` among the vectors ``condition`` admits, with their distances."""
    q = np.asarray(query, np.float32)
    cosine = index.distance_metric == "cosine"
    if cosine:
        q = q / max(float(np.linalg.norm(q)), 1e-12)
    with _lock:
        rows = _rows(index)
        owner = owner_of(condition)
        groups = list(rows.values()) if owner is None else [rows[owner]] if owner in rows else []
        # Only the owner equality: its rows are exactly the answer set. Anything more: check each candidate.
        check = bool(condition) and not (owner is not None and set(condition or {}) == {OWNER_KEY})
        keys: list[str] = []
        blocks: list[np.ndarray] = []
        for group in groups:
            source = (group.matrix if cosine else group.raw)[: len(group.keys)]
            if check:
                assert condition is not None
                picked = [
                    i for i, key in enumerate(group.keys) if matches(index.vectors[key].metadata or {}, condition)
                ]
                keys.extend(group.keys[i] for i in picked)
                blocks.append(source[picked])
            else:
                keys.extend(group.keys)
                blocks.append(source)
        if not keys:
            return []
        matrix = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
        distances = 1.0 - matrix @ q if cosine else np.linalg.norm(matrix - q, axis=1)
    k = min(top_k, len(keys))
    best = np.argpartition(distances, k - 1)[:k] if k < len(keys) else np.arange(len(keys))
    best = best[np.argsort(distances[best], kind="stable")]
    return [(keys[i], float(distances[i])) for i in best]


# ---------------------------------------------------------------- moto hooks


_ORIGINAL: dict[str, Any] = {}


def _query_vectors(self: Any) -> Any:
    """moto ``S3VectorsResponse.query_vectors``: the operation as the service model describes it. The body is
    written as JSON here: moto's generic serializer spends most of a query's time on 100 metadata documents."""
    from moto.s3vectors.exceptions import ValidationError

    bucket, index_arn, index_name = (
        self._get_param("vectorBucketName"),
        self._get_param("indexArn"),
        self._get_param("indexName"),
    )
    self._validate_index_params(index_arn, index_name, bucket)
    top_k = int(self._get_param("topK") or 0)
    if not 1 <= top_k <= MAX_TOP_K:
        raise ValidationError(f"topK must be between 1 and {MAX_TOP_K}")
    query = (self._get_param("queryVector") or {}).get("float32") or []
    index = self.s3vectors_backend.get_index(bucket, index_name=index_name, index_arn=index_arn)
    if len(query) != index.dimension:
        raise ValidationError(f"Query vector has {len(query)} dimensions; the index has {index.dimension}")
    try:
        found = nearest(index, query, top_k=top_k, condition=self._get_param("filter"))
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    with_metadata = self._get_bool_param("returnMetadata", False)
    with_distance = self._get_bool_param("returnDistance", False)
    vectors = []
    for key, distance in found:
        item: dict[str, Any] = {"key": key}
        if with_distance:
            item["distance"] = distance
        if with_metadata:
            item["metadata"] = index.vectors[key].metadata
        vectors.append(item)
    body = json.dumps({"vectors": vectors, "distanceMetric": index.distance_metric})
    return 200, {"Content-Type": "application/json"}, body


def _put_vectors(backend: Any, vector_bucket_name: str, index_name: str, index_arn: str, vectors: list[Any]) -> None:
    with _lock:
        index = backend.get_index(vector_bucket_name, index_name=index_name, index_arn=index_arn)
        rows = _rows(index)
        for key in [v["key"] for v in vectors if v["key"] in index.vectors]:
            _owner_rows(rows, index, index.vectors[key].metadata).delete(key)  # a rewrite may change its owner
        _ORIGINAL["put_vectors"](backend, vector_bucket_name, index_name, index_arn, vectors)
        for vector in vectors:
            _owner_rows(rows, index, vector.get("metadata") or {}).put(vector["key"], vector["data"][index.data_type])


def _delete_vectors(backend: Any, vector_bucket_name: str, index_name: str, index_arn: str, keys: list[str]) -> None:
    with _lock:
        index = backend.get_index(vector_bucket_name, index_name=index_name, index_arn=index_arn)
        rows = _rows(index)
        for key in keys:
            if key in index.vectors:
                _owner_rows(rows, index, index.vectors[key].metadata).delete(key)
        _ORIGINAL["delete_vectors"](backend, vector_bucket_name, index_name, index_arn, keys)


def install() -> None:
    """Teach this process's moto S3 Vectors to answer QueryVectors and keep the owner matrices (idempotent; call
    before the emulator's server or ``mock_aws`` starts routing)."""
    with _lock:
        if _ORIGINAL:
            return
        from moto.s3vectors import urls
        from moto.s3vectors.models import S3VectorsBackend
        from moto.s3vectors.responses import S3VectorsResponse

        _ORIGINAL["put_vectors"] = S3VectorsBackend.put_vectors
        _ORIGINAL["delete_vectors"] = S3VectorsBackend.delete_vectors
        S3VectorsResponse.query_vectors = _query_vectors  # type: ignore[attr-defined]
        S3VectorsBackend.put_vectors = _put_vectors  # type: ignore[method-assign]
        S3VectorsBackend.delete_vectors = _delete_vectors  # type: ignore[method-assign]
        urls.url_paths["{0}/QueryVectors$"] = S3VectorsResponse.dispatch
