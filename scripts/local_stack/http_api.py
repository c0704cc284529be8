"""API Gateway's HTTP API, locally: the route table of ``terraform/resources.json``, the JWT authorizer, payload 2.0.

CloudFront forwards ``/api/*`` unchanged, so the routes — and ``rawPath`` / ``routeKey`` — carry the prefix, exactly as
in AWS. Answers in the order API Gateway checks: unknown route 404, oversized body 413, missing or invalid token 401
(``{"message": "Unauthorized"}``), then the function's response (a crash or bad response is a 500).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from scripts.local_stack.config import ResourceSpec
from scripts.local_stack.jwt_auth import InvalidToken, JwtVerifier, bearer_token, event_claims, event_scopes
from scripts.local_stack.lambda_runtime import LambdaFunction
from scripts.local_stack.responses import HttpResponse, json_response

log = logging.getLogger(__name__)

MAX_API_PAYLOAD = 10 * 1024 * 1024  # API Gateway's request limit
_TEXT_TYPES = re.compile(r"^(text/|application/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded))", re.I)


@dataclass(frozen=True)
class Route:
    key: str  # "GET /api/photos/{id}" — the routeKey API Gateway reports
    method: str
    pattern: re.Pattern[str]
    params: tuple[str, ...]
    authorized: bool


def compile_routes(routes: Sequence[tuple[str, bool]], prefix: str) -> list[Route]:
    """``[("GET /photos/{id}", authorized), …]`` → routes, most specific first (API Gateway's precedence)."""
    compiled = []
    for spec, authorized in routes:
        method, path = spec.split(" ", 1)
        path = prefix + path
        params = tuple(re.findall(r"{(\w+)\+?}", path))
        regex = re.sub(r"{(\w+)\+}", r"(?P<\1>.+)", path)
        regex = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", regex)
        compiled.append(Route(f"{method} {path}", method, re.compile(f"^{regex}$"), params, authorized))
    # Literal segments win over parameters, longer keys over shorter ones.
    compiled.sort(key=lambda r: (r.key.count("{"), -len(r.key)))
    return compiled


def routes_from_spec(spec: ResourceSpec) -> list[Route]:
    """The HTTP API's routes as terraform/modules/api creates them, from the one description both read."""
    return compile_routes(spec.api_routes, spec.api_route_prefix)


def match_route(routes: Sequence[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, {name: unquote(value) for name, value in found.groupdict().items()}
    return None


def build_http_api_event(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    source_ip: str,
    route_key: str,
    path_parameters: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
    request_id: str | None = None,
    now: float | None = None,
    api_id: str = "local",
    account_id: str = "123456789012",
) -> dict[str, Any]:
    """An API Gateway HTTP API payload format 2.0 event, field for field."""
    now = time.time() if now is None else now
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        lower = name.lower()
        if lower == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        merged[lower] = f"{merged[lower]},{value}" if lower in merged else value
    request_id = request_id or new_request_id()
    merged.setdefault("x-forwarded-for", source_ip)
    merged.setdefault("x-forwarded-proto", "http")
    merged["x-amzn-trace-id"] = f"Root=1-{int(now):08x}-{uuid.uuid4().hex[:24]}"
    content_type = merged.get("content-type", "")
    is_base64 = bool(body) and not _TEXT_TYPES.match(content_type)
    domain = merged.get("host", f"{api_id}.execute-api.local")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": domain,
            "domainPrefix": domain.split(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": is_base64,
    }
    if cookies:
        event["cookies"] = cookies
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        event["body"] = base64.b64encode(body).decode() if is_base64 else body.decode("utf-8", errors="replace")
    if claims is not None:
        event["requestContext"]["authorizer"] = {
            "jwt": {"claims": event_claims(claims), "scopes": event_scopes(claims)}
        }
    return event


def new_request_id() -> str:
    return base64.b32encode(uuid.uuid4().bytes).decode()[:16]


def lambda_response_to_http(response: Any) -> HttpResponse:
    """Payload 2.0 response → HTTP (API Gateway infers 200 + JSON when ``statusCode`` is absent)."""
    if not isinstance(response, dict) or "statusCode" not in response:
        return HttpResponse(200, [("content-type", "application/json")], json.dumps(response).encode())
    headers = [(str(k).lower(), str(v)) for k, v in (response.get("headers") or {}).items()]
    headers += [("set-cookie", str(c)) for c in response.get("cookies") or []]
    raw = response.get("body")
    if raw is None:
        body = b""
    elif response.get("isBase64Encoded"):
        body = base64.b64decode(str(raw))
    else:
        body = str(raw).encode()
    if not any(name == "content-type" for name, _ in headers) and body:
        headers.append(("content-type", "application/json"))
    return HttpResponse(int(response["statusCode"]), headers, body)


class HttpApi:
    """``/api/*``: one HTTP API with a JWT authorizer in front of one function."""

    def __init__(self, *, routes: Sequence[Route], function: LambdaFunction, jwt_verifier: JwtVerifier) -> None:
        self.routes = list(routes)
        self._function = function
        self._jwt = jwt_verifier

    def handle(  # noqa: PLR0911 - API Gateway's answers, in the order it checks
        self, method: str, path: str, query: str, headers: Sequence[tuple[str, str]], body: bytes, source_ip: str
    ) -> HttpResponse:
        request_id = new_request_id()
        apigw = [("apigw-requestid", request_id)]
        found = match_route(self.routes, method, path)
        if found is None:
            return json_response(404, {"message": "Not Found"}, apigw)
        route, params = found
        if len(body) > MAX_API_PAYLOAD:
            return json_response(413, {"message": "Request Entity Too Large"}, apigw)
        claims: dict[str, Any] | None = None
        if route.authorized:
            token = bearer_token(next((v for k, v in headers if k.lower() == "authorization"), None))
            try:
                if token is None:
                    raise InvalidToken("missing token")
                claims = self._jwt.verify(token)
            except InvalidToken as exc:
                log.info("401 %s %s: %s", method, path, exc)
                challenge = f'Bearer error="invalid_token" error_description="{exc}"'
                return json_response(401, {"message": "Unauthorized"}, [*apigw, ("www-authenticate", challenge)])
        event = build_http_api_event(
            method=method,
            raw_path=path,
            raw_query=query,
            headers=headers,
            body=body,
            source_ip=source_ip,
            route_key=route.key,
            path_parameters=params or None,
            claims=claims,
            request_id=request_id,
        )
        result = self._function.invoke(event)
        if not result.ok:
            return json_response(500, {"message": "Internal Server Error"}, apigw)
        try:
            response = lambda_response_to_http(result.response)
        except (ValueError, TypeError):
            return json_response(500, {"message": "Internal Server Error"}, apigw)
        response.headers += apigw
        return response
