"""The HTTP API Lambda: Powertools routing and validation, one use case per route, domain errors mapped to JSON.

Paths carry no ``/api`` prefix. CloudFront forwards ``/api/*`` unchanged to API Gateway and the local gateway may or
may not strip it, so the resolver strips a leading ``/api`` itself: ``/api/photos`` and ``/photos`` both reach the
same route. The caller is always the verified JWT ``sub`` (``requestContext.authorizer.jwt.claims.sub``); a request
without one gets 401 on every route except ``/health``, ``/openapi.json`` and ``/public/shares/{token}``.
"""

import inspect
import json
import re
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from photovault.errors import InvalidInput, PhotoVaultError, Unauthorized
from photovault.handlers.api_models import (
    ErrorBody,
    LabelsResponse,
    PhotoDetailResponse,
    PhotoListResponse,
    PublicShareResponse,
    SearchResponse,
    ShareCreatedResponse,
    ShareListResponse,
    ShareRequest,
    UploadRequest,
    UploadResponse,
)
from photovault.handlers.api_wiring import Services, services
from photovault.model import PhotoStatus
from photovault.observability import MetricName, logger, metrics, tracer

OPENAPI_TITLE = "PhotoVault API"
OPENAPI_VERSION = "1.0.0"
_THROTTLED = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
    }
)

app = APIGatewayHttpResolver(enable_validation=True, strip_prefixes=["/api"])
_METHODS_BY_RULE: dict[str, set[str]] = {}
_ROUTE_FUNCTIONS: set[Callable[..., Any]] = set()
RouteT = TypeVar("RouteT", bound=Callable[..., Any])


def _route(method: str, rule: str, **kwargs: Any) -> Callable[[RouteT], RouteT]:
    """``app.route`` that also remembers the rule's methods (so a wrong method gets 405 with ``Allow``) and the
    route functions (whose parameters are the only query parameters accepted)."""
    _METHODS_BY_RULE.setdefault(rule, set()).add(method)
    register: Callable[[RouteT], RouteT] = app.route(rule, method, **kwargs)

    def decorator(func: RouteT) -> RouteT:
        _ROUTE_FUNCTIONS.add(func)
        return register(func)

    return decorator


def _allowed_methods(path: str) -> list[str]:
    path = path[len("/api") :] if path.startswith("/api/") else path
    for rule, methods in _METHODS_BY_RULE.items():
        if re.fullmatch(re.sub(r"<\w+>", "[^/]+", re.escape(rule)), path):
            return sorted(methods)
    return []


# ---------------------------------------------------------------- errors


def _error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Response[Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _ok(status: int, model: type[BaseModel] | None, description: str = "OK") -> dict[int, OpenAPIResponse]:
    if model is None:
        return {status: {"description": description}}
    return {status: {"description": description, "content": {"application/json": {"model": model}}}}


def _doc(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


_E400: dict[int, OpenAPIResponse] = {
    400: _doc("Invalid body, parameter or cursor; details.field names the one at fault")
}
_E401: dict[int, OpenAPIResponse] = {401: _doc("No verified user (missing or invalid token)")}
_E404: dict[int, OpenAPIResponse] = {404: _doc("No such resource for this user")}
_E415: dict[int, OpenAPIResponse] = {415: _doc("The request body is not application/json")}
_E429: dict[int, OpenAPIResponse] = {429: _doc("Throttled; retry later")}
_PRIVATE: dict[int, OpenAPIResponse] = {**_E400, **_E401, **_E429}


@app.exception_handler(PhotoVaultError)
def _domain_error(exc: PhotoVaultError) -> Response[Any]:
    return _error(exc.http_status, exc.code, exc.message, exc.details)


@app.exception_handler(RequestValidationError)
def _validation_error(exc: RequestValidationError) -> Response[Any]:
    errors = [
        {"field": ".".join(str(part) for part in err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
        for err in exc.errors()
    ]
    first = errors[0]["field"] if errors else ""
    return _error(400, "invalid_input", "The request is not valid.", {"field": first, "errors": errors})


@app.exception_handler(RequestUnsupportedContentType)
def _unsupported_body(_exc: RequestUnsupportedContentType) -> Response[Any]:
    return _error(415, "unsupported_media_type", "Send the body as application/json.", {"field": "body"})


@app.not_found
def _route_not_found(_exc: NotFoundError) -> Response[Any]:
    allowed = _allowed_methods(app.current_event.path)
    if allowed and app.current_event.http_method.upper() not in allowed:
        response = _error(405, "method_not_allowed", "This method is not allowed here.", {"allowed": allowed})
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return _error(404, "not_found", "No such resource.")


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response[Any]:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
    if code in _THROTTLED:
        logger.warning("throttled by a dependency", extra={"error_code": code})
        response = _error(429, "throttled", "Too many requests; try again shortly.")
        response.headers["Retry-After"] = "1"
        return response
    logger.exception("unhandled error")
    return _error(500, "internal_error", "Something went wrong on our side.")


# ---------------------------------------------------------------- strict query strings


@cache
def _declared_names(func: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(func).parameters)


def _reject_unknown_query(router: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """A query parameter the route does not declare is a 400, not silently ignored (``?owner=`` means nothing)."""
    route = router.context.get("_route")
    given = router.current_event.query_string_parameters or {}
    if route is not None and given and route.func in _ROUTE_FUNCTIONS:
        unknown = sorted(set(given) - _declared_names(route.func))
        if unknown:
            raise InvalidInput(f"Unknown query parameter: {unknown[0]}", details={"field": f"query.{unknown[0]}"})
    return next_middleware(router)


app.use(middlewares=[_reject_unknown_query])


# ---------------------------------------------------------------- caller


def _owner() -> str:
    """The verified user: the JWT ``sub`` the API Gateway authorizer put in the request context."""
    claims = app.current_event.request_context.authorizer.jwt_claim
    sub = claims.get("sub") if isinstance(claims, dict) else None
    if not isinstance(sub, str) or not sub or len(sub) > 128 or "#" in sub or "/" in sub:
        raise Unauthorized("Sign in to use this API.")
    return sub


def _services() -> Services:
    return services()


# ---------------------------------------------------------------- routes


class Health(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(examples=["ok"])


CursorParam = Annotated[str | None, Query(max_length=1024, description="Opaque cursor from the previous page")]
PhotoIdParam = Annotated[str, Path(min_length=1, max_length=64, description="Photo id (UUIDv7)")]
TokenParam = Annotated[str, Path(min_length=1, max_length=128, description="Share token")]


@_route("GET", "/health", summary="Liveness", tags=["meta"], responses={**_ok(200, Health), **_E429})
def health() -> Health:
    return Health(status="ok")


@_route("GET", "/openapi.json", include_in_schema=False)
def openapi_document() -> Response[Any]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_json())


@_route(
    "POST",
    "/uploads",
    summary="Start an upload: creates the PENDING photo and returns a presigned POST",
    tags=["photos"],
    status_code=201,
    responses={
        **_ok(201, UploadResponse, "Created: POST the file to url with fields"),
        **_PRIVATE,
        413: _doc("The declared size is over the upload limit"),
        415: _doc("The photo's content type is not accepted, or the body is not application/json"),
    },
)
def create_upload(body: UploadRequest) -> UploadResponse:
    owner = _owner()
    ticket = _services().library.request_upload(
        owner, filename=body.filename, content_type=body.content_type, size=body.size
    )
    metrics.add_metric(name=MetricName.UPLOADS_REQUESTED, unit=MetricUnit.Count, value=1)
    return UploadResponse.model_validate(ticket, from_attributes=True)


@_route(
    "GET",
    "/photos",
    summary="The caller's photos, newest first",
    tags=["photos"],
    responses={**_ok(200, PhotoListResponse), **_PRIVATE},
)
def list_photos(
    cursor: CursorParam = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
    status: Annotated[PhotoStatus | None, Query()] = None,
) -> PhotoListResponse:
    owner = _owner()
    result = _services().library.list_photos(owner, limit=limit, cursor=cursor, status=status)
    return PhotoListResponse.model_validate(result, from_attributes=True)


@_route(
    "GET",
    "/photos/<photo_id>",
    summary="One photo: every stored field and short-lived media URLs",
    tags=["photos"],
    responses={**_ok(200, PhotoDetailResponse), **_PRIVATE, **_E404},
)
def get_photo(photo_id: PhotoIdParam) -> PhotoDetailResponse:
    owner = _owner()
    return PhotoDetailResponse.model_validate(_services().library.get_photo(owner, photo_id), from_attributes=True)


@_route(
    "DELETE",
    "/photos/<photo_id>",
    summary="Delete a photo: original, derivatives, search terms, hash record, facets and shares",
    tags=["photos"],
    status_code=204,
    responses={**_ok(204, None, "Deleted"), **_PRIVATE, **_E404},
)
def delete_photo(photo_id: PhotoIdParam) -> Response[None]:
    owner = _owner()
    _services().library.delete_photo(owner, photo_id)
    return Response(status_code=204, body=None)


@_route(
    "GET",
    "/search",
    summary="Photos matching every word of q, newest first, each with why it matched",
    tags=["search"],
    responses={**_ok(200, SearchResponse), **_PRIVATE},
)
def search(
    q: Annotated[str, Query(min_length=1, max_length=200, description="Plain words; all must match")],
    cursor: CursorParam = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> SearchResponse:
    owner = _owner()
    result = _services().library.search(owner, query=q, limit=limit, cursor=cursor)
    return SearchResponse.model_validate(result, from_attributes=True)


@_route(
    "GET",
    "/labels",
    summary="The caller's labels with photo counts",
    tags=["search"],
    responses={**_ok(200, LabelsResponse), **_PRIVATE},
)
def labels() -> LabelsResponse:
    owner = _owner()
    return LabelsResponse.model_validate(_services().library.labels(owner), from_attributes=True)


@_route(
    "POST",
    "/photos/<photo_id>/shares",
    summary="Create a share link for a photo",
    tags=["shares"],
    status_code=201,
    responses={
        **_ok(201, ShareCreatedResponse, "Created"),
        **_PRIVATE,
        **_E404,
        **_E415,
        409: _doc("The photo cannot be shared (not READY, quarantined, rejected)"),
    },
)
def create_share(photo_id: PhotoIdParam, body: ShareRequest) -> ShareCreatedResponse:
    owner = _owner()
    created = _services().sharing.create(owner, photo_id, expires_in=body.expires_in, max_views=body.max_views)
    metrics.add_metric(name=MetricName.SHARES_CREATED, unit=MetricUnit.Count, value=1)
    return ShareCreatedResponse.model_validate(created, from_attributes=True)


@_route(
    "GET",
    "/shares",
    summary="The caller's share links, newest first",
    tags=["shares"],
    responses={**_ok(200, ShareListResponse), **_PRIVATE},
)
def list_shares(cursor: CursorParam = None, limit: Annotated[int, Query(ge=1, le=100)] = 50) -> ShareListResponse:
    owner = _owner()
    return ShareListResponse.model_validate(
        _services().sharing.list(owner, limit=limit, cursor=cursor), from_attributes=True
    )


@_route(
    "DELETE",
    "/shares/<token>",
    summary="Revoke a share link (idempotent)",
    tags=["shares"],
    status_code=204,
    responses={**_ok(204, None, "Revoked"), **_PRIVATE, **_E404},
)
def revoke_share(token: TokenParam) -> Response[None]:
    owner = _owner()
    _services().sharing.revoke(owner, token)
    return Response(status_code=204, body=None)


@_route(
    "GET",
    "/public/shares/<token>",
    summary="Open a share link (no sign-in): caption and a preview URL valid for at most 5 minutes",
    tags=["public"],
    responses={
        **_ok(200, PublicShareResponse),
        **_E400,
        **_E404,
        **_E429,
        410: _doc("The link expired, was revoked or has no views left"),
    },
)
def view_share(token: TokenParam) -> PublicShareResponse:
    shared = _services().sharing.view(token)
    metrics.add_metric(name=MetricName.SHARE_VIEWS, unit=MetricUnit.Count, value=1)
    return PublicShareResponse.model_validate(shared, from_attributes=True)


# ---------------------------------------------------------------- document and entry point


@cache
def openapi_json() -> str:
    """The OpenAPI document generated from the routes and models above (served and written by ``make openapi``)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

    document = json.loads(
        app.get_openapi_json_schema(
            title=OPENAPI_TITLE,
            version=OPENAPI_VERSION,
            description=__doc__,
            servers=[Server(url="/api")],
            security_schemes={"cognito": HTTPBearer(bearerFormat="JWT")},
        )
    )
    # Everything but the public routes needs the Cognito JWT (API Gateway's authorizer enforces it).
    for path, operations in document.get("paths", {}).items():
        if path in ("/health",) or path.startswith("/public/"):
            continue
        for operation in operations.values():
            operation["security"] = [{"cognito": []}]
    return json.dumps(document, indent=2, sort_keys=True)


def _reject_non_json_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Every body this API takes is JSON: anything else is 415 before a parser (multipart, form) gets to it."""
    if not event.get("body"):
        return None
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return None
    body = {
        "code": "unsupported_media_type",
        "message": "Send the body as application/json.",
        "details": {"field": "body"},
    }
    return {
        "statusCode": 415,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = _reject_non_json_body(event) or app.resolve(event, context)
    headers = response.setdefault("headers", {})
    headers.setdefault("Cache-Control", "no-store")  # personal data and short-lived signed URLs: never cache
    return response
