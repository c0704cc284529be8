"""The local front door: one HTTP server that routes by path, as CloudFront's behaviours do in AWS.

- ``/api/*``       → the HTTP API (:mod:`~scripts.local_stack.http_api`: JWT authorizer, payload 2.0, ``api.handler``)
- ``/media/*``     → the signed-URL edge on the derivatives bucket (:mod:`~scripts.local_stack.edge`)
- ``/cognito/``    → the Cognito user-pools API, same origin (:mod:`~scripts.local_stack.cognito_proxy`)
- ``/config.json`` → the web app's runtime configuration (:mod:`~scripts.local_stack.static`)
- ``/_local/outbox`` → what Cognito would have e-mailed (:mod:`~scripts.local_stack.outbox`; local only)
- anything else   → the single-page app in ``web/`` with the SPA rewrite (:mod:`~scripts.local_stack.static`)

The server is threaded (a daemon thread per connection) with a listen backlog of 128: the stdlib default of 5 reset
connections as soon as twenty clients connected at once.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from scripts.local_stack.cognito_proxy import MAX_BODY as MAX_COGNITO_BODY
from scripts.local_stack.cognito_proxy import CognitoProxy
from scripts.local_stack.config import HOST, ResourceSpec
from scripts.local_stack.edge import MediaEdge
from scripts.local_stack.http_api import MAX_API_PAYLOAD, HttpApi
from scripts.local_stack.outbox import PATH as OUTBOX_PATH
from scripts.local_stack.responses import HttpResponse, json_response
from scripts.local_stack.static import StaticSite, WebConfig

log = logging.getLogger(__name__)

_SPEC = ResourceSpec.load()
ROUTE_PREFIX = _SPEC.api_route_prefix
# The routes as "METHOD /path" without the prefix, split by authorization: tests/infra/test_drift.py compares them
# with terraform's aws_apigatewayv2_route resources (both come from resources.json).
PROTECTED_ROUTES: tuple[str, ...] = tuple(route for route, authorized in _SPEC.api_routes if authorized)
PUBLIC_ROUTES: tuple[str, ...] = tuple(route for route, authorized in _SPEC.api_routes if not authorized)

LISTEN_BACKLOG = 128
_IDLE_CONNECTION_SECONDS = 120  # a keep-alive connection holds a thread; idle ones are closed
_SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
)


@dataclass(frozen=True)
class Jobs:
    """What the gateway routes to; built by the stack once the emulator is provisioned."""

    api: HttpApi
    # CloudFront's origin custom header on the api origin (X-Origin-Verify): the api function refuses requests
    # without it, so only requests through this gateway (the CloudFront stand-in) reach the routes.
    origin_header: tuple[str, str]
    media: MediaEdge
    cognito: CognitoProxy
    site: StaticSite
    web_config: WebConfig


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # a second `make run` right after Ctrl-C must bind again
    request_queue_size = LISTEN_BACKLOG

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client went away (a closed tab, a timeout): nobody is left to answer
        log.exception("gateway error with %s", client_address)


class LocalGateway:
    """Binds on construction (so the port — hence MEDIA_BASE_URL and the CORS origin — is known before the rest of
    the stack is provisioned); :meth:`configure` then attaches the jobs, and :meth:`start` serves. Until then every
    request is a 503."""

    def __init__(self, *, host: str = HOST, port: int = 0) -> None:
        self.jobs: Jobs | None = None
        self._server = _Server((host, port), _make_handler(self))
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread: threading.Thread | None = None

    def configure(self, jobs: Jobs) -> None:
        self.jobs = jobs

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()  # within serve_forever's poll interval; requests in flight are abandoned
            self._thread.join(5)
            self._thread = None
        self._server.server_close()


def _make_handler(gateway: LocalGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "PhotoVaultLocal/1"
        timeout = _IDLE_CONNECTION_SECONDS

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
                response = self._route()
            except ConnectionError:
                raise  # reading the request failed: the client is gone (handled by the server)
            except Exception:
                log.exception("gateway error on %s %s", self.command, self.path)
                response = json_response(500, {"message": "Internal Server Error"})
            self._send(response)

        def _route(self) -> HttpResponse:  # noqa: PLR0911 - the routing table
            jobs = gateway.jobs
            if jobs is None:
                return json_response(503, {"message": "Service Unavailable"})
            parts = urlsplit(self.path)
            path, query, method = parts.path, parts.query, self.command
            host = self.headers.get("host") or f"{gateway.host}:{gateway.port}"
            if path == ROUTE_PREFIX or path.startswith(ROUTE_PREFIX + "/"):
                body = self._body(MAX_API_PAYLOAD)
                if body is None:
                    self.close_connection = True  # the unread body would be taken for the next request
                    return json_response(413, {"message": "Request Entity Too Large"})
                # Like CloudFront: a client's own copy of the origin header is replaced, never passed on.
                header_name = jobs.origin_header[0].lower()
                headers = [(k, v) for k, v in self.headers.items() if k.lower() != header_name]
                headers.append(jobs.origin_header)
                return jobs.api.handle(method, path, query, headers, body, self.client_address[0])
            if path.startswith("/media/"):
                return jobs.media.handle(method, path, query, host, self.client_address[0])
            if path in {"/cognito", "/cognito/"} and method == "POST":
                body = self._body(MAX_COGNITO_BODY)
                if body is None:
                    self.close_connection = True
                    return json_response(413, {"message": "Request Entity Too Large"})
                return jobs.cognito.handle(list(self.headers.items()), body)
            if path == OUTBOX_PATH and method in {"GET", "HEAD"}:
                return jobs.cognito.outbox.handle(method)
            if path == "/config.json" and method in {"GET", "HEAD"}:
                response = json_response(200, jobs.web_config.document(f"http://{host}"))
                response.headers.append(("cache-control", "no-store"))
                return response
            if method in {"GET", "HEAD"}:
                return jobs.site.handle(method, path)
            self.close_connection = True  # a body we do not read must not be taken for the next request
            return HttpResponse(405, [("content-type", "text/plain"), ("allow", "GET, HEAD")], b"Method Not Allowed")

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch  # noqa: N815

    return Handler
