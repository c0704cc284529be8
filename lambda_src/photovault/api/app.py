"""The PhotoVault HTTP API: the resolver with one router per resource, the mapping of errors to the contract's
``Error``, strict query strings, the caller's identity and the OpenAPI document generated from all of it.

Paths carry no ``/api`` prefix. CloudFront forwards ``/api/*`` unchanged to API Gateway and the local gateway may or
may not strip it, so the resolver strips a leading ``/api`` itself: ``/api/photos`` and ``/photos`` both reach the
same route. The caller is always the verified JWT ``sub`` (``requestContext.authorizer.jwt.claims.sub``); a request
without one gets 401 on every route that declares the JWT requirement, i.e. all but ``/health``, ``/openapi.json``
and ``/public/*``.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, get_args, get_type_hints

from photovault import composition
from photovault.errors import InvalidInput, PhotoVaultError, Unauthorized
from photovault.observability import logger

if TYPE_CHECKING:  # loaded with the resolver at the first request: Powertools' event handler (~50 ms of imports,
    # all its resolvers and asyncio) and validation (pydantic)
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
    from aws_lambda_powertools.event_handler.api_gateway import Route
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
    from aws_lambda_powertools.event_handler.openapi.exceptions import (
        RequestUnsupportedContentType,
        RequestValidationError,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

_JSON = "application/json"

OPENAPI_TITLE = "PhotoVault API"
OPENAPI_VERSION = "1.0.0"
_MAX_SUB_LENGTH = 128
_JOB_PATH = "/jobs/<job_id>"  # GET jobs.get_job: the one route a deleted account's kept session may still use

# The first segment of a path -> the route modules serving paths under it, in the order they are included. A cold
# start builds no route and no contract model: a request includes only its own resource's routers (the contract's
# pydantic models build on their first use), so the init path stays near bare boto3's (issue 18).
# tests/integration/api/test_api_contract.py checks every route is reachable through its segment.
ROUTE_MODULES: dict[str, tuple[str, ...]] = {
    "health": ("meta",),
    "uploads": ("uploads",),
    "photos": ("photos", "shares"),
    "trash": ("trash",),
    "albums": ("albums",),
    "media": ("media",),
    "search": ("search",),
    "labels": ("search",),
    "places": ("search",),
    "map": ("map",),
    "shares": ("shares",),
    "public": ("public",),
    "jobs": ("jobs",),
    "account": ("account", "notifications"),
    "people": ("people",),
}
_ALL_MODULES = tuple(dict.fromkeys(name for names in ROUTE_MODULES.values() for name in names))

_included: set[str] = set()
# A Lambda handles one request at a time; the local stack's threads may not.
_including = threading.RLock()


def resolver() -> APIGatewayHttpResolver:
    """The resolver with its error mapping, middleware and document route, built at the first request (validation
    loads pydantic); routers join it per resource as requests reach them (``include_routes``)."""
    with _including:
        return _build_resolver()


@cache
def _build_resolver() -> APIGatewayHttpResolver:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.event_handler.openapi.exceptions import (
        RequestUnsupportedContentType,
        RequestValidationError,
    )

    app = APIGatewayHttpResolver(enable_validation=True, strip_prefixes=["/api"])
    app.exception_handler(PhotoVaultError)(_domain_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(RequestUnsupportedContentType)(_unsupported_body)
    app.exception_handler(Exception)(_unexpected)
    app.not_found(_route_not_found)
    app.use(middlewares=[_reject_unknown_query, _authenticate])
    app.get("/openapi.json", include_in_schema=False)(openapi_document)
    return app


def include_routes(modules: tuple[str, ...]) -> None:
    """Import and include these route modules once each."""
    if _included.issuperset(modules):
        return
    with _including:
        for name in modules:
            if name not in _included:
                resolver().include_router(importlib.import_module(f"photovault.api.routes.{name}").router)
                _included.add(name)


def _segment(path: str) -> str:
    path = path.removeprefix("/api") if path.startswith("/api/") else path
    return path.lstrip("/").split("/", 1)[0]


def include_routes_for(path: str) -> None:
    """The routes that could serve ``path`` (none for a path under no resource: the resolver answers 404)."""
    include_routes(ROUTE_MODULES.get(_segment(path), ()))


def route_table() -> list[Route]:
    """Every route of the API (Powertools keeps them in two private lists: static and parametrised paths)."""
    include_routes(_ALL_MODULES)
    return _routes()


def _routes() -> list[Route]:
    """The routes included so far."""
    app = resolver()
    return [*app._static_routes, *app._dynamic_routes]


# ---------------------------------------------------------------- errors


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, *, retry_after: int | None = None
) -> Response[str]:
    from aws_lambda_powertools.event_handler import Response

    from photovault.api.contract import Error, ErrorDetails

    body = Error(code=code, message=message, details=ErrorDetails.model_validate(details) if details else None)
    response: Response[str] = Response(
        status_code=status,
        content_type=_JSON,
        body=body.model_dump_json(exclude_none=True),
    )
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _domain_error(exc: PhotoVaultError) -> Response[str]:
    if exc.retry_after is not None:
        logger.warning("a dependency refused or failed; the client may retry", extra={"error_code": exc.code})
    return error_response(exc.http_status, exc.code, exc.message, exc.details, retry_after=exc.retry_after)


def _validation_error(exc: RequestValidationError) -> Response[str]:
    # GET /photos/actions reached GET /photos/{photo_id} and failed the id's pattern; it names a resource that
    # only takes other methods: 405, as for any other path.
    from photovault.api.contract import FieldError

    event = resolver().current_event
    refused = _method_refused(event.path, event.http_method)
    if refused is not None:
        return refused
    errors = [
        FieldError(field=".".join(str(part) for part in err.get("loc", ())), message=str(err.get("msg", "invalid")))
        for err in exc.errors()
    ]
    first = errors[0].field if errors else ""
    details = {"field": first, "errors": [e.model_dump() for e in errors]}
    return error_response(400, "invalid_input", "The request is not valid.", details)


def _unsupported_body(_exc: RequestUnsupportedContentType) -> Response[str]:
    return error_response(415, "unsupported_media_type", "Send the body as application/json.", {"field": "body"})


def _route_not_found(_exc: NotFoundError) -> Response[str]:
    event = resolver().current_event
    refused = _method_refused(event.path, event.http_method)
    return refused if refused is not None else error_response(404, "not_found", "No such resource.")


def _method_refused(path: str, method: str) -> Response[str] | None:
    """A 405 naming the methods of the resource ``path`` names, when ``method`` is not one of them."""
    allowed = _allowed_methods(path)
    if not allowed or method.upper() in allowed:
        return None
    response = error_response(405, "method_not_allowed", "This method is not allowed here.", {"allowed": allowed})
    response.headers["Allow"] = ", ".join(allowed)
    return response


def _unexpected(_exc: Exception) -> Response[str]:
    logger.exception("unhandled error")
    return error_response(500, "internal_error", "Something went wrong on our side.")


def _allowed_methods(path: str) -> list[str]:
    include_routes_for(path)
    path = path.removeprefix("/api") if path.startswith("/api/") else path
    matching = [route for route in _routes() if route.rule.match(path)]
    # Only the resource the path names: /photos/actions is not also /photos/{id} (literal segments win, as routing).
    fewest = min((route.path.count("<") for route in matching), default=0)
    return sorted({route.method for route in matching if route.path.count("<") == fewest})


# ---------------------------------------------------------------- middleware


@cache
def _declared_names(func: Callable[..., Any]) -> frozenset[str]:
    """The query names a route takes: its parameters' names, or their aliases (``from``, ``to``)."""
    from aws_lambda_powertools.event_handler.openapi.params import Param

    names: set[str] = set()
    for name, annotation in get_type_hints(func, include_extras=True).items():
        aliases = [meta.alias for meta in get_args(annotation)[1:] if isinstance(meta, Param) and meta.alias]
        names.add(aliases[0] if aliases else name)
    return frozenset(names)


def _registered(route: Route) -> bool:
    """A route of the API, not the stand-in Powertools makes for its not-found handler."""
    return any(route is known for known in _routes())


def _reject_unknown_query(router: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """A query parameter the route does not declare is a 400, not silently ignored (``?owner=`` means nothing).
    Powertools runs the middleware for its not-found handler too: that one answers 404/405, whatever the query."""
    route: Route | None = router.context.get("_route")
    given = router.current_event.query_string_parameters or {}
    if route is not None and given and _registered(route):
        unknown = sorted(set(given) - _declared_names(route.func))
        if unknown:
            raise InvalidInput(f"Unknown query parameter: {unknown[0]}", details={"field": f"query.{unknown[0]}"})
    return next_middleware(router)


def _authenticate(router: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """On a route that declares the JWT requirement, the caller is the verified ``sub`` or the request is a 401; a token
    issued before the user signed out everywhere is a 401 too (``photovault.account.sessions``: one GetItem)."""
    from photovault.api.routing import ORIGIN_KEY, OWNER_KEY  # loaded with the route's module

    route: Route | None = router.context.get("_route")
    if route is not None and route.security:
        claims = router.current_event.request_context.authorizer.jwt_claim
        sub = claims.get("sub") if isinstance(claims, dict) else None
        if not isinstance(sub, str) or not sub or len(sub) > _MAX_SUB_LENGTH or "#" in sub or "/" in sub:
            raise Unauthorized("Sign in to use this API.")
        origin = _id_claim(claims.get("origin_jti"))
        # A deleted account's kept session may still follow its deletion job (and nothing else).
        reading_job = router.context.get("_route_args", {}).get("job_id") if route.path == _JOB_PATH else None
        composition.api().sessions.check(sub, _epoch_claim(claims.get("iat")), origin, reading_job=reading_job)
        router.context[OWNER_KEY] = sub
        router.context[ORIGIN_KEY] = origin
    return next_middleware(router)


def _id_claim(value: Any) -> str | None:
    """A token id claim (a UUID from Cognito), or None."""
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def _epoch_claim(value: Any) -> int | None:
    """A numeric claim as API Gateway passes it (a string of digits), or None."""
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() and len(text) <= 12 else None


# ---------------------------------------------------------------- document and entry point


def openapi_document() -> Any:  # a Response; Powertools resolves a route's annotations, and this module's Response
    # is only a name for type checkers (imported with the resolver)
    from aws_lambda_powertools.event_handler import Response

    return Response(status_code=200, content_type=_JSON, body=openapi_json())


@cache
def openapi_json() -> str:
    """The OpenAPI document generated from the routes and the contract (served, and written by ``make openapi``)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

    from photovault.api.routing import SECURITY_SCHEME

    include_routes(_ALL_MODULES)
    document = json.loads(
        resolver().get_openapi_json_schema(
            title=OPENAPI_TITLE,
            version=OPENAPI_VERSION,
            description=__doc__,
            servers=[Server(url="/api")],
            security_schemes={SECURITY_SCHEME: HTTPBearer(bearerFormat="JWT")},
        )
    )
    # Powertools documents its own 422 body for invalid requests; this API answers those with a 400 ``Error``
    # (``_validation_error``), so the document must not promise a shape no client will ever receive.
    too_large = {
        "description": "The request body is larger than 64 KB (the body gate, before any route)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"].pop("422", None)
            if "requestBody" in operation:
                operation["responses"].setdefault("413", too_large)
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        document["components"]["schemas"].pop(name, None)
    return json.dumps(document, indent=2, sort_keys=True)  # stable and diff-friendly: docs/openapi.json


# The largest body any route takes is a bulk action's 100 ids (~5 KB); API Gateway would pass up to 10 MB.
MAX_BODY_BYTES = 64 * 1024
# Bodies are flat objects with an occasional list: deeper nesting is an attack on the parser, not a request.
MAX_BODY_DEPTH = 16


def _as_lambda_response(response: Response[str]) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": _JSON, **response.headers},
        "body": response.body,
        "isBase64Encoded": False,
    }


def _body_gate(event: dict[str, Any]) -> dict[str, Any] | None:
    """Every body this API takes is a small JSON document: anything else is answered here, before a parser (the
    resolver's, multipart, form) gets to it. 415 for another media type, 413 past MAX_BODY_BYTES, 400 for what is
    not JSON a client could mean: malformed, nested past MAX_BODY_DEPTH, NaN/Infinity, numbers too long to convert
    (json.loads raises RecursionError or ValueError on those, which would otherwise be a 500)."""
    body = event.get("body")
    if not body:
        return None
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        return _as_lambda_response(
            error_response(415, "unsupported_media_type", "Send the body as application/json.", {"field": "body"})
        )
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        return _as_lambda_response(
            error_response(
                413,
                "payload_too_large",
                f"The request body is larger than {MAX_BODY_BYTES // 1024} KB.",
                {"field": "body", "max_bytes": MAX_BODY_BYTES},
            )
        )
    problem = _json_problem(body, base64_encoded=bool(event.get("isBase64Encoded")))
    if problem is None:
        return None
    return _as_lambda_response(error_response(400, "invalid_input", problem, {"field": "body"}))


def _json_problem(body: str, *, base64_encoded: bool) -> str | None:
    """Why ``body`` is not a JSON document this API could take, or None."""
    try:
        text = base64.b64decode(body, validate=True).decode("utf-8") if base64_encoded else body
    except (binascii.Error, UnicodeDecodeError):
        return "The request body is not UTF-8 JSON."
    depth, deepest, in_string, escaped = 0, 0, False, False
    for char in text:  # bounded by MAX_BODY_BYTES; a few ms at most
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    if deepest > MAX_BODY_DEPTH:
        return f"The request body nests deeper than {MAX_BODY_DEPTH} levels."

    def no_constants(name: str) -> None:
        raise ValueError(f"{name} is not a JSON number")

    try:
        json.loads(text, parse_constant=no_constants)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, over-long integers, NaN/Infinity
        return f"The request body is not valid JSON: {str(exc)[:120]}"
    return None


def _not_through_cloudfront(event: dict[str, Any]) -> dict[str, Any] | None:
    """A request without CloudFront's origin secret skipped the WAF and the rate rules: 403 (api/origin.py)."""
    from photovault import composition

    check = composition.origin()
    if check is None or check.accepts(event.get("headers")):
        return None
    logger.warning("refused a request that did not come through CloudFront")
    return _as_lambda_response(error_response(403, "forbidden", "Use PhotoVault through its web address."))


def resolve(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """One request: the CloudFront check, the body gate, the resolver, and no caching of anything this API answers."""
    response = _not_through_cloudfront(event) or _body_gate(event)
    if response is None:
        include_routes_for(str(event.get("rawPath") or event.get("path") or ""))
        response = resolver().resolve(event, context)
    headers = response.setdefault("headers", {})
    headers.setdefault("Cache-Control", "no-store")  # personal data and short-lived signed URLs: never cache
    return response
