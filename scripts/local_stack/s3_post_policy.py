"""S3's checks on a browser upload (POST Object with a presigned-POST policy), which moto does not make.

The emulator runs :class:`PostPolicyChecker` on every ``multipart/form-data`` POST to a bucket before moto sees it,
so a form used for another key, with another Content-Type, more bytes than its ``content-length-range``, after its
expiry or with a bad signature is refused — with S3's status and XML error — and nothing is stored.

What S3 checks, in this order (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html and
sigv4-authentication-HTTPPOST.html; codes and messages as S3 answers them):
- a well-formed form with exactly one ``file`` (the last field; anything after it is ignored) and a ``key``;
- authentication: Signature Version 4 only (buckets created since June 2020 refuse SigV2); a known access key; the
  credential scope's region is the bucket's; ``x-amz-signature`` = HMAC-SHA256 of the base64 policy with the
  SigV4 signing key;
- the policy: valid JSON with ``expiration`` (not passed) and ``conditions`` — ``{"f": v}`` / ``["eq", "$f", v]``,
  ``["starts-with", "$f", prefix]``, ``["content-length-range", min, max]`` (on the file's size);
- every form field except ``policy``, ``x-amz-signature``, ``file`` and ``x-ignore-*`` is named by a condition.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from typing import Any
from xml.sax.saxutils import escape

_BUCKET_PATH = re.compile(r"^/([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/?$")
_EXEMPT_FIELDS = frozenset({"policy", "x-amz-signature", "file"})
_SIGV4 = "AWS4-HMAC-SHA256"


class S3Error(Exception):
    """A refusal, as S3 words it: HTTP status, error code, message and any extra elements of its XML body."""

    def __init__(self, status: int, code: str, message: str, extra: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def response(self, *, cors: Sequence[tuple[str, str]] = ()) -> tuple[str, list[tuple[str, str]], bytes]:
        request_id = uuid.uuid4().hex[:16].upper()
        elements = [("Code", self.code), ("Message", self.message), *self.extra, ("RequestId", request_id)]
        body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
        body += "".join(f"<{name}>{escape(value)}</{name}>" for name, value in elements) + "</Error>"
        data = body.encode()
        reason = {400: "Bad Request", 403: "Forbidden"}.get(self.status, "Error")
        headers = [
            ("Content-Type", "application/xml"),
            ("Content-Length", str(len(data))),
            ("x-amz-request-id", request_id),
            *cors,
        ]
        return f"{self.status} {reason}", headers, data


def _denied(message: str) -> S3Error:
    return S3Error(403, "AccessDenied", f"Invalid according to Policy: {message}")


def _invalid_argument(message: str, name: str) -> S3Error:
    return S3Error(400, "InvalidArgument", message, (("ArgumentName", name),))


def _missing_field(name: str) -> S3Error:
    return _invalid_argument(
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
        name,
    )


def _invalid_policy(message: str) -> S3Error:
    return S3Error(400, "InvalidPolicyDocument", f"Invalid Policy: {message}")


def is_post_object(environ: Mapping[str, Any]) -> bool:
    """A browser upload: a multipart/form-data POST to a bucket (path style, as the emulator is addressed)."""
    return (
        environ.get("REQUEST_METHOD") == "POST"
        and not environ.get("QUERY_STRING")
        and str(environ.get("CONTENT_TYPE", "")).lower().startswith("multipart/form-data")
        and _BUCKET_PATH.match(str(environ.get("PATH_INFO", ""))) is not None
    )


# ---------------------------------------------------------------- the form


@dataclass(frozen=True)
class PostForm:
    """The fields before the file (names as sent, looked up case-insensitively) and the file's size."""

    fields: dict[str, str] = field(default_factory=dict)  # lower-cased name → value
    names: dict[str, str] = field(default_factory=dict)  # lower-cased name → name as sent
    file_size: int = 0

    def get(self, name: str) -> str | None:
        return self.fields.get(name.lower())


def parse_form(body: bytes, content_type: str) -> PostForm:
    """multipart/form-data → :class:`PostForm`; S3's errors for malformed bodies, a missing or repeated file."""
    malformed = S3Error(
        400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."
    )
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise malformed
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise malformed
    fields: dict[str, str] = {}
    names: dict[str, str] = {}
    file_size: int | None = None
    for chunk in chunks[1:-1]:
        head, separator, content = chunk.partition(b"\r\n\r\n")
        if not separator:
            raise malformed
        part = Message()
        for line in head.decode("latin-1").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                part[name.strip()] = value.strip()
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            raise malformed
        if name.lower() == "file":
            if file_size is not None:
                raise _invalid_argument("POST requires exactly one file upload per request.", "file")
            file_size = len(content)
            continue
        if file_size is not None:
            continue  # S3 ignores every field after the file
        if name.lower() in fields:
            raise _invalid_argument(f"Field {name} may only be specified once.", name)
        fields[name.lower()] = content.decode("utf-8", errors="replace")
        names[name.lower()] = name
    if file_size is None:
        raise _invalid_argument("POST requires exactly one file upload per request.", "file")
    return PostForm(fields, names, file_size)


# ---------------------------------------------------------------- the policy


@dataclass(frozen=True)
class Condition:
    """One policy condition: ``eq`` / ``starts-with`` on a field, or ``content-length-range``."""

    operator: str  # "eq" | "starts-with" | "content-length-range"
    name: str = ""  # the field as the policy spells it, without "$"
    value: str = ""
    low: int = 0
    high: int = 0

    @property
    def field(self) -> str:
        return self.name.lower()  # form fields match case-insensitively

    def describe(self) -> str:
        """How S3 quotes the condition in its refusal."""
        if self.operator == "content-length-range":
            return json.dumps([self.operator, self.low, self.high])
        return json.dumps([self.operator, f"${self.name}", self.value])


def parse_policy(encoded: str) -> tuple[datetime, list[Condition]]:
    try:
        document = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise _invalid_policy("Invalid JSON.") from exc
    if not isinstance(document, dict):
        raise _invalid_policy("Invalid JSON.")
    if "expiration" not in document:
        raise _invalid_policy("Policy missing expiration.")
    expiration = _parse_expiration(document["expiration"])
    conditions = document.get("conditions")
    if not isinstance(conditions, list):
        raise _invalid_policy("Policy missing conditions.")
    return expiration, [c for raw in conditions for c in _conditions(raw)]


def _parse_expiration(value: Any) -> datetime:
    if isinstance(value, str):
        for pattern in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
            try:
                return datetime.strptime(value, pattern).replace(tzinfo=UTC)
            except ValueError:
                continue
    raise _invalid_policy(f"Invalid 'expiration' value: '{value}'")


def _conditions(raw: Any) -> list[Condition]:
    if isinstance(raw, dict) and raw and all(isinstance(v, str) for v in raw.values()):
        return [Condition("eq", str(name).removeprefix("$"), value) for name, value in raw.items()]
    if isinstance(raw, list) and len(raw) == 3 and isinstance(raw[0], str):
        operator = raw[0].lower()
        if operator == "content-length-range" and all(isinstance(v, int) and v >= 0 for v in raw[1:]):
            return [Condition(operator, low=int(raw[1]), high=int(raw[2]))]
        if operator in {"eq", "starts-with"} and all(isinstance(v, str) for v in raw[1:]) and raw[1].startswith("$"):
            return [Condition(operator, raw[1][1:], raw[2])]
    raise _invalid_policy(f"Invalid Condition: {json.dumps(raw)}")


def signing_key(secret: str, date: str, region: str, service: str = "s3") -> bytes:
    key = hmac.new(f"AWS4{secret}".encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign_policy(encoded_policy: str, *, secret: str, date: str, region: str) -> str:
    """``x-amz-signature`` of a POST policy (hex HMAC-SHA256 of the base64 document with the SigV4 signing key)."""
    return hmac.new(signing_key(secret, date, region), encoded_policy.encode(), hashlib.sha256).hexdigest()


class PostPolicyChecker:
    """Checks one POST Object request like S3 (see the module docstring). ``credentials``: access key → secret."""

    def __init__(self, credentials: Mapping[str, str], *, region: str, clock: Callable[[], float] = time.time) -> None:
        self._credentials = dict(credentials)
        self._region = region
        self._clock = clock

    def check(self, environ: Mapping[str, Any], body: bytes) -> None:
        """Raise :class:`S3Error` unless S3 would store this upload."""
        found = _BUCKET_PATH.match(str(environ.get("PATH_INFO", "")))
        if found is None:
            raise S3Error(400, "InvalidRequest", "Not a bucket POST.")
        form = parse_form(body, str(environ.get("CONTENT_TYPE", "")))
        self.check_form(found.group(1), form)

    def check_form(self, bucket: str, form: PostForm) -> None:
        if form.get("key") is None:
            raise _missing_field("key")
        policy = self._authenticate(form)
        expiration, conditions = parse_policy(policy)
        if datetime.fromtimestamp(self._clock(), UTC) >= expiration:
            raise _denied("Policy expired.")
        covered = {"bucket"}
        for condition in conditions:
            self._check_condition(condition, bucket, form)
            covered.add(condition.field)
        for name in form.fields:
            if name not in covered and name not in _EXEMPT_FIELDS and not name.startswith("x-ignore-"):
                raise _denied(f"Extra input fields: {form.names[name]}")

    def _authenticate(self, form: PostForm) -> str:
        if form.get("x-amz-algorithm") is None:
            if form.get("awsaccesskeyid") is not None or form.get("signature") is not None:
                raise S3Error(
                    400,
                    "InvalidRequest",
                    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
                )
            raise S3Error(403, "AccessDenied", "Access Denied")  # anonymous, and the bucket is private
        if form.get("x-amz-algorithm") != _SIGV4:
            raise _invalid_argument("Only AWS4-HMAC-SHA256 is supported.", "x-amz-algorithm")
        for required in ("x-amz-credential", "x-amz-date", "x-amz-signature", "policy"):
            if not form.get(required):
                raise _missing_field(required)
        scope = str(form.get("x-amz-credential")).split("/")
        if len(scope) != 5 or scope[3] != "s3" or scope[4] != "aws4_request":
            raise _invalid_argument(f"Invalid credential: {form.get('x-amz-credential')}", "x-amz-credential")
        access_key, date, region = scope[0], scope[1], scope[2]
        secret = self._credentials.get(access_key)
        if secret is None:
            raise S3Error(
                403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
            )
        if region != self._region:
            raise S3Error(
                400,
                "AuthorizationQueryParametersError",
                f"Error parsing the X-Amz-Credential parameter; the region '{region}' is wrong; expecting "
                f"'{self._region}'",
            )
        policy = str(form.get("policy"))
        expected = sign_policy(policy, secret=secret, date=date, region=region)
        if not hmac.compare_digest(expected, str(form.get("x-amz-signature"))):
            raise S3Error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
            )
        return policy

    @staticmethod
    def _check_condition(condition: Condition, bucket: str, form: PostForm) -> None:
        if condition.operator == "content-length-range":
            size = form.file_size
            if size > condition.high:
                raise S3Error(
                    400,
                    "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed size",
                    (("ProposedSize", str(size)), ("MaxSizeAllowed", str(condition.high))),
                )
            if size < condition.low:
                raise S3Error(
                    400,
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size",
                    (("ProposedSize", str(size)), ("MinSizeAllowed", str(condition.low))),
                )
            return
        actual = bucket if condition.field == "bucket" else form.get(condition.field)
        if condition.operator == "eq":
            ok = (actual or "") == condition.value
        elif condition.field == "content-type" and actual is not None:
            # S3 lets a Content-Type starts-with condition cover a comma-separated list of types.
            ok = all(part.strip().startswith(condition.value) for part in actual.split(","))
        else:
            ok = (actual or "").startswith(condition.value)  # an empty prefix allows any value, or none
        if not ok:
            raise _denied(f"Policy Condition failed: {condition.describe()}")
