"""What every route module shares: the JWT requirement a route declares, the verified caller, the path and query
parameters, and the documented error responses."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from photovault import ids
from photovault.api.contract import Error

SECURITY_SCHEME = "cognito"
# A route declaring this requires API Gateway's Cognito JWT authorizer: the OpenAPI document, the 401 for a request
# without a verified ``sub`` (``photovault.api.app``) and the check against terraform/resources.json all read it.
JWT: list[dict[str, list[str]]] = [{SECURITY_SCHEME: []}]
OWNER_KEY = "owner"
ORIGIN_KEY = "origin"  # the verified token's ``origin_jti`` (its authentication), or None

CursorParam = Annotated[str | None, Query(max_length=1024, description="Opaque cursor from the previous page")]
LimitParam = Annotated[int, Query(ge=1, le=100, description="At most this many items")]
# The id's own shape is in the document, so /photos/{photo_id} never stands for /photos/attention or /photos/dates to
# a client (or a fuzzer) that reads it; a malformed id is a 400 (a 404 would speak of a photo that cannot exist).
PhotoIdParam = Annotated[str, Path(pattern=ids.PHOTO_ID_PATTERN, description="Photo id (UUIDv7)")]
AlbumIdParam = Annotated[str, Path(min_length=1, max_length=64, description="Album id (UUIDv7)")]
TokenParam = Annotated[str, Path(min_length=1, max_length=128, description="Share token")]


def caller(router: Router) -> str:
    """The verified user (the JWT ``sub``) of the request a ``JWT`` route is handling."""
    owner = router.context.get(OWNER_KEY)
    if not isinstance(owner, str):  # a route that reads the caller without declaring JWT: a bug, not a 401
        raise RuntimeError("caller() on a route without security=JWT")
    return owner


def token_origin(router: Router) -> str | None:
    """The authentication the token of the request a ``JWT`` route is handling comes from (its ``origin_jti``)."""
    value = router.context.get(ORIGIN_KEY)
    return value if isinstance(value, str) else None


def ok(status: int, model: type[BaseModel] | None, description: str = "OK") -> dict[int, OpenAPIResponse]:
    if model is None:
        return {status: {"description": description}}
    return {status: {"description": description, "content": {"application/json": {"model": model}}}}


def error(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": Error}}}


E400: dict[int, OpenAPIResponse] = {
    400: error("Invalid body, parameter or cursor; details.field names the one at fault")
}
E401: dict[int, OpenAPIResponse] = {401: error("No verified user (missing or invalid token)")}
E404: dict[int, OpenAPIResponse] = {404: error("No such resource for this user")}
E409: dict[int, OpenAPIResponse] = {
    409: error("Not possible in the resource's state (e.g. not in the library, being processed, not in the trash)")
}
E415: dict[int, OpenAPIResponse] = {415: error("The request body is not application/json")}
E429: dict[int, OpenAPIResponse] = {429: error("Throttled; retry after Retry-After seconds")}
E503: dict[int, OpenAPIResponse] = {503: error("A dependency is unavailable; retry after Retry-After seconds")}
PRIVATE: dict[int, OpenAPIResponse] = {**E400, **E401, **E429, **E503}
PUBLIC: dict[int, OpenAPIResponse] = {**E400, **E429, **E503}
