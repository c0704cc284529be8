"""Test support for the HTTP API: invoking the handler, a DynamoDB read counter, seeding photos as the worker does."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator

from photovault import keys
from photovault.adapters.dynamodb.codec import photo_item, serialize, term_item
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from photovault.adapters.dynamodb.table import batch_write
from photovault.model import Photo, PhotoStatus, SourceObject
from photovault.ports import ClaimState
from photovault.search.index import stamp_index
from tests.support.events import http_event
from tests.support.lambda_context import lambda_context

MIN_CONFIDENCE = 70.0


# ---------------------------------------------------------------- invoking


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

    raw = api.handler(event, lambda_context("photovault-test-api", timeout_seconds=15))
    return ApiResponse(
        status=int(raw["statusCode"]), headers=dict(raw.get("headers") or {}), text=raw.get("body") or ""
    )


def call(method: str, path: str, **kwargs: Any) -> ApiResponse:
    return invoke(http_event(method, path, **kwargs))


# ---------------------------------------------------------------- reads


def _is_session_check(name: str, kwargs: dict[str, Any]) -> bool:
    if name == "get_item":
        return bool(kwargs.get("Key", {}).get("sk") == {"S": keys.SESSIONS_SK})
    if name == "batch_get_item":
        requested = [key for table in kwargs.get("RequestItems", {}).values() for key in table.get("Keys", [])]
        return any(key.get("sk") == {"S": keys.SESSIONS_SK} for key in requested)
    return False


@dataclass
class ReadCounter:
    """Wraps a DynamoDB client: sums the items each read returns and refuses any Scan. The one read every signed-in
    request makes for its session check (``photovault.account.sessions``: a BatchGetItem of the user's sign-out and
    of an account deletion's tombstone) is counted apart, in ``session_checks``: the other counts are what reading
    the library cost."""

    inner: Any
    items: int = 0
    scanned: int = 0
    session_checks: int = 0
    calls: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.items = self.scanned = self.session_checks = 0
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
            if _is_session_check(name, kwargs):
                self.session_checks += 1
                return response
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
    stamped, postings = stamp_index(photo, MIN_CONFIDENCE)
    repo.finish(stamped, postings, claim.token, previous=claim.photo)
    return Seeded(photo.owner, photo.photo_id, photo.filename, photo.caption.text if photo.caption else "")


def bulk_seed(client: Any, table: str, photos: Sequence[Photo]) -> None:
    """Many photos at once: the same items the pipeline writes (photo, terms, facet and month counters), batched."""
    requests: list[dict[str, Any]] = []
    facets: dict[tuple[str, str], int] = {}
    months: dict[tuple[str, str], int] = {}
    for unstamped in photos:
        photo, postings = stamp_index(unstamped, MIN_CONFIDENCE)
        requests.append({"PutRequest": {"Item": serialize(photo_item(photo))}})
        requests += [
            {"PutRequest": {"Item": serialize(term_item(photo.owner, posting, photo.created_at))}}
            for posting in postings
        ]
        for label in photo.indexed_labels:
            facets[(photo.owner, label)] = facets.get((photo.owner, label), 0) + 1
        if photo.indexed_month:
            months[(photo.owner, photo.indexed_month)] = months.get((photo.owner, photo.indexed_month), 0) + 1
    batch_write(client, table, requests)
    # Counters are added to (as the pipeline's transactions do), so seeding in several calls counts every photo.
    counters = [(keys.facet_pk(o), keys.facet_sk(label), "label", label, n) for (o, label), n in facets.items()]
    counters += [(keys.months_pk(o), keys.month_sk(month), "month", month, n) for (o, month), n in months.items()]
    for pk, sk, name, value, count in counters:
        client.update_item(
            TableName=table,
            Key=serialize({"pk": pk, "sk": sk}),
            UpdateExpression="SET #name = :value ADD #count :n",
            ExpressionAttributeNames={"#name": name, "#count": "count"},
            ExpressionAttributeValues=serialize({":value": value, ":n": count}),
        )


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


# ---------------------------------------------------------------- the contract


@cache
def openapi_document() -> dict[str, Any]:
    from photovault.api.app import openapi_json

    return json.loads(openapi_json())


def closed(schema: Any) -> Any:
    """``schema`` with every object that lists its properties closed to any other (additionalProperties: false)."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: closed(value) for key, value in schema.items()}
    if "properties" in result:
        result["additionalProperties"] = False
    return result


def assert_documented(method: str, path: str, response: ApiResponse) -> None:
    """The response's status is one the document lists for the operation, and its body is exactly that schema:
    no field outside it (every object closed), none of its required fields missing, every value of its type."""
    document = openapi_document()
    operation = document["paths"][path][method.lower()]
    documented = operation["responses"].get(str(response.status))
    assert documented is not None, f"{method} {path} answered {response.status}: not in its document"
    content = documented.get("content")
    if content is None:
        assert response.text == "", f"{method} {path} {response.status} documents no body: {response.text[:200]}"
        return
    schema = {**closed(content["application/json"]["schema"]), "components": closed(document["components"])}
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(schema).iter_errors(response.json)
    ]
    assert not errors, f"{method} {path} {response.status} is off its schema: {errors}"


def assert_opaque(body: str, owner: str, *ids: str) -> None:
    """A public response (its raw body, percent-decoded) names neither the owner (their Cognito sub) nor a photo or
    album (a UUIDv7 id tells when it was made), dashed or not."""
    text = unquote(body)
    for secret in (owner, *ids, *(i.replace("-", "") for i in ids)):
        assert secret not in text, secret
