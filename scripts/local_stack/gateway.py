"""The local front door: what CloudFront + API Gateway do in AWS, on one stdlib HTTP server.

- ``/api/*``      → API Gateway HTTP API: route table of terraform/modules/api, JWT authorizer (Cognito), payload
                    format 2.0 event → ``api.handler`` → response. CloudFront forwards ``/api/*`` unchanged, so the
                    routes — and ``rawPath`` / ``routeKey`` — carry the ``/api`` prefix, exactly as in AWS.
- ``/media/*``    → CloudFront behaviour with a trusted key group: signed URL required, then the derivatives bucket.
- ``/cognito/``   → the Cognito user-pools JSON API of the emulator (same origin; sign-ups are auto-confirmed).
- ``/config.json``→ runtime configuration of the web app.
- anything else   → the single-page app in ``web/`` (``index.html`` for client-side routes).
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import mimetypes
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from scripts.local_stack.config import HOST
from scripts.local_stack.edge import ACCESS_DENIED_BODY, SignedUrlVerifier, media_key
from scripts.local_stack.jwt_auth import InvalidToken, JwtVerifier, bearer_token, event_claims, event_scopes
from scripts.local_stack.lambda_runtime import LambdaFunction

log = logging.getLogger(__name__)

ROUTE_PREFIX = "/api"
# The HTTP API's routes (terraform/modules/api: protected_routes / public_routes, prefixed with route_prefix).
# tests/infra/test_drift.py keeps these two lists and terraform's equal.
PROTECTED_ROUTES: tuple[str, ...] = (
    "POST /uploads",
    "GET /photos",
    "GET /photos/{id}",
    "DELETE /photos/{id}",
    "GET /search",
    "GET /labels",
    "POST /photos/{id}/shares",
    "GET /shares",
    "DELETE /shares/{token}",
)
PUBLIC_ROUTES: tuple[str, ...] = (
    "GET /public/shares/{token}",
    "GET /health",
    "GET /openapi.json",
)
MAX_API_PAYLOAD = 10 * 1024 * 1024  # API Gateway's request limit
MAX_WEB_BODY = 60 * 1024 * 1024
COGNITO_OPERATIONS = frozenset(
    {
        "InitiateAuth",
        "RespondToAuthChallenge",
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "GetUser",
        "ChangePassword",
        "GlobalSignOut",
        "RevokeToken",
    }
)
_TEXT_TYPES = re.compile(r"^(text/|application/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded))", re.I)


@dataclass(frozen=True)
class Route:
    key: str  # "GET /api/photos/{id}" — the routeKey API Gateway reports
    method: str
    pattern: re.Pattern[str]
    params: tuple[str, ...]
    authorized: bool


def compile_routes(
    protected: Sequence[str] = PROTECTED_ROUTES, public: Sequence[str] = PUBLIC_ROUTES, prefix: str = ROUTE_PREFIX
) -> list[Route]:
    routes = []
    for specs, authorized in ((protected, True), (public, False)):
        for spec in specs:
            method, path = spec.split(" ", 1)
            path = prefix + path
            params = tuple(re.findall(r"{(\w+)\+?}", path))
            regex = re.sub(r"{(\w+)\+}", r"(?P<\1>.+)", path)
            regex = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", regex)
            routes.append(Route(f"{method} {path}", method, re.compile(f"^{regex}$"), params, authorized))
    # API Gateway prefers the most specific route: literal segments before parameters.
    routes.sort(key=lambda r: (r.key.count("{"), -len(r.key)))
    return routes


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
    request_id = request_id or base64.b32encode(uuid.uuid4().bytes).decode()[:16]
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


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


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


def _json(status: int, payload: Any, extra: Sequence[tuple[str, str]] = ()) -> HttpResponse:
    return HttpResponse(status, [("content-type", "application/json"), *extra], json.dumps(payload).encode())


@dataclass
class GatewayConfig:
    """What the gateway needs from the rest of the stack."""

    web_root: Path
    region: str
    user_pool_id: str
    user_pool_client_id: str
    emulator_url: str
    derivatives_bucket: str
    environment: str = "local"
    demo_username: str = ""
    demo_password: str = ""
    max_upload_bytes: int = 50 * 1024 * 1024


class LocalGateway:
    """Binds on construction (so the port — hence MEDIA_BASE_URL and the CORS origin — is known before the rest of
    the stack is provisioned); :meth:`configure` then attaches the collaborators, and :meth:`start` serves."""

    def __init__(self, *, host: str = HOST, port: int = 0) -> None:
        self.config: GatewayConfig | None = None
        self.api: LambdaFunction | None = None
        self.jwt_verifier: JwtVerifier | None = None
        self.media_verifier: SignedUrlVerifier | None = None
        self.s3: Any = None
        self.cognito: Any = None
        self.routes = compile_routes()
        ThreadingHTTPServer.allow_reuse_address = True  # a second `make run` right after Ctrl-C must bind again
        self._server = ThreadingHTTPServer((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread: threading.Thread | None = None

    def configure(
        self,
        config: GatewayConfig,
        *,
        api: LambdaFunction | None,
        jwt_verifier: JwtVerifier,
        media_verifier: SignedUrlVerifier,
        s3: Any,
        cognito: Any,
        routes: Sequence[Route] | None = None,
    ) -> None:
        self.api = api
        self.jwt_verifier = jwt_verifier
        self.media_verifier = media_verifier
        self.s3 = s3
        self.cognito = cognito
        if routes is not None:
            self.routes = list(routes)
        self.config = config

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(10)
            self._thread = None
        self._server.server_close()

    # ------------------------------------------------------------ routes

    def _config(self) -> GatewayConfig:
        if self.config is None:
            raise RuntimeError("gateway not configured")
        return self.config

    def web_config(self, origin: str) -> dict[str, Any]:
        c = self._config()
        demo = {"username": c.demo_username, "password": c.demo_password} if c.demo_username else None
        return {
            "environment": c.environment,
            "region": c.region,
            "apiBaseUrl": ROUTE_PREFIX,
            "maxUploadBytes": c.max_upload_bytes,
            "auth": {
                "mode": "cognito",
                "region": c.region,
                "userPoolId": c.user_pool_id,
                "clientId": c.user_pool_client_id,
                "endpoint": f"{origin}/cognito/",
                "authFlow": "USER_PASSWORD_AUTH",
                "tokenUse": "id",
                "signUpAutoConfirmed": True,
                "demoUser": demo,
            },
        }

    def handle_api(  # noqa: PLR0911 - API Gateway's answers, in the order it checks
        self, method: str, path: str, query: str, headers: Sequence[tuple[str, str]], body: bytes, source_ip: str
    ) -> HttpResponse:
        request_id = base64.b32encode(uuid.uuid4().bytes).decode()[:16]
        apigw = [("apigw-requestid", request_id)]
        found = match_route(self.routes, method, path)
        if found is None:
            return _json(404, {"message": "Not Found"}, apigw)
        route, params = found
        if len(body) > MAX_API_PAYLOAD:
            return _json(413, {"message": "Request Entity Too Large"}, apigw)
        claims: dict[str, Any] | None = None
        if route.authorized:
            token = bearer_token(next((v for k, v in headers if k.lower() == "authorization"), None))
            try:
                if token is None:
                    raise InvalidToken("missing token")
                assert self.jwt_verifier is not None
                claims = self.jwt_verifier.verify(token)
            except InvalidToken as exc:
                log.info("401 %s %s: %s", method, path, exc)
                challenge = f'Bearer error="invalid_token" error_description="{exc}"'
                return _json(401, {"message": "Unauthorized"}, [*apigw, ("www-authenticate", challenge)])
        if self.api is None:
            return _json(500, {"message": "Internal Server Error"}, apigw)
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
        result = self.api.invoke(event)
        if not result.ok:
            return _json(500, {"message": "Internal Server Error"}, apigw)
        try:
            response = lambda_response_to_http(result.response)
        except (ValueError, TypeError):
            return _json(500, {"message": "Internal Server Error"}, apigw)
        response.headers += apigw
        return response

    def handle_media(self, method: str, path: str, query: str, host: str, source_ip: str) -> HttpResponse:
        denied = HttpResponse(403, [("content-type", "application/xml")], ACCESS_DENIED_BODY)
        assert self.media_verifier is not None
        verdict = self.media_verifier.verify(scheme="http", host=host, path=path, query=query, source_ip=source_ip)
        key = media_key(unquote(path))
        if not verdict.allowed or key is None:
            log.info("403 %s: %s", path, verdict.reason or "not a media key")
            return denied
        try:
            obj = self.s3.get_object(Bucket=self._config().derivatives_bucket, Key=key)
        except self.s3.exceptions.NoSuchKey:
            return denied  # OAC grants GetObject only: S3 answers a missing key with 403, and so does CloudFront
        data = obj["Body"].read()
        headers = [("content-type", obj.get("ContentType") or "application/octet-stream")]
        if obj.get("ETag"):
            headers.append(("etag", obj["ETag"]))
        if obj.get("LastModified"):
            modified = obj["LastModified"].astimezone(UTC)
            headers.append(("last-modified", email.utils.format_datetime(modified, usegmt=True)))
        headers.append(("cache-control", obj.get("CacheControl") or "private, max-age=300"))
        return HttpResponse(200, headers, b"" if method == "HEAD" else data)

    def handle_cognito(self, headers: Sequence[tuple[str, str]], body: bytes) -> HttpResponse:
        target = next((v for k, v in headers if k.lower() == "x-amz-target"), "")
        operation = target.rpartition(".")[2]
        if not target.startswith("AWSCognitoIdentityProviderService.") or operation not in COGNITO_OPERATIONS:
            return _json(400, {"__type": "UnknownOperationException", "message": f"not allowed here: {target}"})
        request = urllib.request.Request(
            f"{self._config().emulator_url}/",
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as upstream:
                status, payload = upstream.status, upstream.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        if operation == "SignUp" and status == 200:
            payload = self._auto_confirm(body, payload)
        return HttpResponse(status, [("content-type", "application/x-amz-json-1.1")], payload)

    def _auto_confirm(self, request_body: bytes, payload: bytes) -> bytes:
        """No e-mail locally: confirm the new user at once and say so (``UserConfirmed: true``, as Cognito does)."""
        try:
            username = json.loads(request_body)["Username"]
            self.cognito.admin_confirm_sign_up(UserPoolId=self._config().user_pool_id, Username=username)
            self.cognito.admin_update_user_attributes(
                UserPoolId=self._config().user_pool_id,
                Username=username,
                UserAttributes=[{"Name": "email_verified", "Value": "true"}],
            )
            answer = json.loads(payload)
            answer["UserConfirmed"] = True
            answer.pop("CodeDeliveryDetails", None)
            return json.dumps(answer).encode()
        except Exception:
            log.exception("auto-confirm failed")
            return payload

    def handle_static(self, method: str, path: str) -> HttpResponse:
        root = self._config().web_root.resolve()
        relative = unquote(path).lstrip("/") or "index.html"
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root):
            return _json(404, {"message": "Not Found"})
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file():
            if Path(relative).suffix:  # a missing asset is a 404; a client-side route gets the app
                return HttpResponse(404, [("content-type", "text/plain")], b"Not Found")
            candidate = root / "index.html"
        if not candidate.is_file():
            return HttpResponse(200, [("content-type", "text/html; charset=utf-8")], _PLACEHOLDER)
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in {"application/javascript", "application/json"}:
            content_type += "; charset=utf-8"
        data = candidate.read_bytes()
        headers = [("content-type", content_type), ("cache-control", "no-cache")]
        return HttpResponse(200, headers, b"" if method == "HEAD" else data)


_PLACEHOLDER = (
    b"<!doctype html><meta charset=utf-8><title>PhotoVault (local)</title>"
    b"<h1>PhotoVault local stack is running</h1><p>The web app (web/index.html) is not there yet. "
    b"The API answers under <code>/api</code>; see <code>/config.json</code>.</p>"
)
_SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
)


def _make_handler(gateway: LocalGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "PhotoVaultLocal/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            log.debug("%s " + format, self.client_address[0], *args)

        def _body(self, limit: int) -> bytes | None:
            length = int(self.headers.get("content-length") or 0)
            if length > limit:
                return None
            return self.rfile.read(length) if length else b""

        def _send(self, response: HttpResponse) -> None:
            self.send_response(response.status)
            names = {name for name, _ in response.headers}
            for name, value in response.headers:
                if name not in {"content-length", "connection", "transfer-encoding"}:
                    self.send_header(name, value)
            for name, value in _SECURITY_HEADERS:
                if name not in names:
                    self.send_header(name, value)
            self.send_header("content-length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def _dispatch(self) -> None:
            try:
                self._route()
            except Exception:
                log.exception("gateway error on %s %s", self.command, self.path)
                self._send(_json(500, {"message": "Internal Server Error"}))

        def _route(self) -> None:  # noqa: PLR0911 - a routing table
            if gateway.config is None:
                self._send(_json(503, {"message": "Service Unavailable"}))
                return
            parts = urlsplit(self.path)
            path, query, method = parts.path, parts.query, self.command
            host = self.headers.get("host") or f"{gateway.host}:{gateway.port}"
            source_ip = self.client_address[0]
            if path == ROUTE_PREFIX or path.startswith(ROUTE_PREFIX + "/"):
                body = self._body(MAX_API_PAYLOAD)
                if body is None:
                    self.close_connection = True
                    self._send(_json(413, {"message": "Request Entity Too Large"}))
                    return
                self._send(gateway.handle_api(method, path, query, list(self.headers.items()), body, source_ip))
                return
            if path.startswith("/media/"):
                if method not in {"GET", "HEAD"}:
                    self._send(HttpResponse(403, [("content-type", "application/xml")], ACCESS_DENIED_BODY))
                    return
                self._send(gateway.handle_media(method, path, query, host, source_ip))
                return
            if path in {"/cognito", "/cognito/"} and method == "POST":
                body = self._body(1024 * 1024) or b""
                self._send(gateway.handle_cognito(list(self.headers.items()), body))
                return
            if path == "/config.json" and method in {"GET", "HEAD"}:
                response = _json(200, gateway.web_config(f"http://{host}"))
                response.headers.append(("cache-control", "no-store"))
                self._send(response)
                return
            if method in {"GET", "HEAD"}:
                self._send(gateway.handle_static(method, path))
                return
            self._body(MAX_WEB_BODY)
            self._send(
                HttpResponse(405, [("content-type", "text/plain"), ("allow", "GET, HEAD")], b"Method Not Allowed")
            )

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch  # noqa: N815

    return Handler
