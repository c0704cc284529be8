"""Test support for the HTTP API: HTTP API v2 events, a DynamoDB read counter, seeding photos as the worker does."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from photovault import keys
from photovault.adapters.dynamodb import DynamoPhotoRepository, batch_write, photo_item, serialize, term_item
from photovault.model import Photo, PhotoStatus, SourceObject
from photovault.ports import ClaimState
from photovault.search.index import stamp_index

ROOT = Path(__file__).resolve().parents[3]
EVENT_TEMPLATE = json.loads((ROOT / "tests" / "events" / "api_http_v2_get_photos.json").read_text())
MIN_CONFIDENCE = 70.0


# ---------------------------------------------------------------- events


@dataclass
class FakeContext:
    function_name: str = "photovault-test-api"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:photovault-test-api"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/photovault-test-api"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def http_event(
    method: str,
    path: str,
    *,
    sub: str | None = None,
    query: Mapping[str, str] | None = None,
    body: Any = None,
    raw_body: str | None = None,
    headers: Mapping[str, str] | None = None,
    prefix: str = "/api",
) -> dict[str, Any]:
    """An HTTP API v2 event as API Gateway sends it through CloudFront's ``/api/*`` behaviour.

    ``sub=None`` is an anonymous request: no authorizer block at all (API Gateway's shape for routes without auth).
    """
    event = copy.deepcopy(EVENT_TEMPLATE)
    raw_path = f"{prefix}{path}"
    event["rawPath"] = raw_path
    event["requestContext"]["http"]["method"] = method.upper()
    event["requestContext"]["http"]["path"] = raw_path
    event["pathParameters"] = {"proxy": raw_path.removeprefix("/api/")}
    event["headers"] = {**event["headers"], **{k.lower(): v for k, v in (headers or {}).items()}}
    if query:
        event["rawQueryString"] = urlencode(query)
        event["queryStringParameters"] = dict(query)
    else:
        event["rawQueryString"] = ""
        event.pop("queryStringParameters", None)
    if body is not None or raw_body is not None:
        event["body"] = raw_body if raw_body is not None else json.dumps(body)
        event["headers"].setdefault("content-type", "application/json")
    if sub is None:
        event["requestContext"].pop("authorizer", None)
        event["headers"].pop("authorization", None)
    else:
        event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = sub
        event["requestContext"]["authorizer"]["jwt"]["claims"]["username"] = sub
    return event


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


def invoke(event: dict[str, Any]) -> ApiResponse:
    from photovault.handlers import api

    raw = api.handler(event, FakeContext())  # type: ignore[arg-type]
    return ApiResponse(
        status=int(raw["statusCode"]), headers=dict(raw.get("headers") or {}), text=raw.get("body") or ""
    )


def call(method: str, path: str, **kwargs: Any) -> ApiResponse:
    return invoke(http_event(method, path, **kwargs))


# ---------------------------------------------------------------- reads


@dataclass
class ReadCounter:
    """Wraps a DynamoDB client: sums the items each read returns and refuses any Scan."""

    inner: Any
    items: int = 0
    scanned: int = 0
    calls: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.items = self.scanned = 0
        self.calls.clear()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if name == "scan":

            def refuse(*_args: Any, **_kwargs: Any) -> Any:
                raise AssertionError("Scan on a user path")

            return refuse
        if name not in ("query", "get_item", "batch_get_item"):
            return target

        def counted(*args: Any, **kwargs: Any) -> Any:
            response = target(*args, **kwargs)
            self.calls.append(name)
            if name == "query":
                self.items += int(response.get("Count", 0))
                self.scanned += int(response.get("ScannedCount", 0))
            elif name == "get_item":
                found = 1 if response.get("Item") else 0
                self.items += found
                self.scanned += found
            else:
                returned = sum(len(items) for items in response.get("Responses", {}).values())
                self.items += returned
                self.scanned += returned
            return response

        return counted


# ---------------------------------------------------------------- seeding


@dataclass(frozen=True)
class Seeded:
    owner: str
    photo_id: str
    filename: str
    caption: str


def seed_through_pipeline(client: Any, table: str, photo: Photo, *, bucket: str = "originals") -> Seeded:
    """Write a photo exactly as the worker does: claim, then finish with its terms and facets."""
    repo = DynamoPhotoRepository(client, table)
    source = SourceObject(
        bucket=bucket,
        key=keys.originals_key(photo.owner, photo.photo_id),
        owner=photo.owner,
        photo_id=photo.photo_id,
        version_id="v1",
        etag="etag",
    )
    pending = Photo(
        photo.owner, photo.photo_id, PhotoStatus.PENDING, photo.created_at, photo.created_at, photo.filename
    )
    client.put_item(TableName=table, Item=serialize(photo_item(pending)))  # what POST /uploads creates
    claim = repo.claim(source, now=photo.updated_at, lease_until=2_000_000_000, now_epoch=1_700_000_000)
    assert claim.state is ClaimState.CLAIMED
    if photo.facts:
        repo.claim_content_hash(photo.owner, photo.facts.sha256, photo.photo_id)
    stamped, hits = stamp_index(photo, MIN_CONFIDENCE)
    repo.finish(stamped, hits, claim.token, previous=claim.photo)
    return Seeded(photo.owner, photo.photo_id, photo.filename, photo.caption.text if photo.caption else "")


def bulk_seed(client: Any, table: str, photos: Sequence[Photo]) -> None:
    """Many photos at once: the same items the pipeline writes (photo, terms, facet counters), batched."""
    requests: list[dict[str, Any]] = []
    facets: dict[tuple[str, str], int] = {}
    for unstamped in photos:
        photo, hits = stamp_index(unstamped, MIN_CONFIDENCE)
        requests.append({"PutRequest": {"Item": serialize(photo_item(photo))}})
        by_term: dict[str, list[Any]] = {}
        for hit in hits:
            by_term.setdefault(hit.term, []).append(hit)
        requests += [
            {"PutRequest": {"Item": serialize(term_item(photo.owner, photo.photo_id, t, hits, photo.created_at))}}
            for t, hits in by_term.items()
        ]
        for label in photo.indexed_labels:
            facets[(photo.owner, label)] = facets.get((photo.owner, label), 0) + 1
    requests += [
        {
            "PutRequest": {
                "Item": serialize(
                    {"pk": keys.facet_pk(owner), "sk": keys.facet_sk(label), "label": label, "count": count}
                )
            }
        }
        for (owner, label), count in facets.items()
    ]
    batch_write(client, table, requests)


def walk(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


# ---------------------------------------------------------------- WSGI bridge (for schemathesis)


TOKENS = {"valid-token-for-fuzzer-0001": "fuzzer-0001"}


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A stand-in for API Gateway in one process: WSGI request → HTTP API v2 event → ``api.handler`` → response.

    The authorizer's part is played by ``TOKENS``: a bearer token listed there is a verified JWT for its ``sub``;
    any other (or no) token is an anonymous request, exactly what API Gateway passes for a route without auth.
    """
    from urllib.parse import parse_qsl, unquote

    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode("utf-8", errors="replace") if length else None
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    sub = TOKENS.get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
    headers = {
        key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    path = unquote(str(environ.get("PATH_INFO", "/")))
    event = http_event(str(environ["REQUEST_METHOD"]), path, sub=sub or None, raw_body=body, headers=headers, prefix="")
    query = str(environ.get("QUERY_STRING", ""))
    if query:
        event["rawQueryString"] = query
        pairs = parse_qsl(query, keep_blank_values=True)
        event["queryStringParameters"] = {k: ",".join(v for kk, v in pairs if kk == k) for k, _ in pairs}
    response = invoke(event)
    reasons = {200: "OK", 201: "Created", 204: "No Content"}
    start_response(f"{response.status} {reasons.get(response.status, 'Status')}", list(response.headers.items()))
    return [response.text.encode()]
