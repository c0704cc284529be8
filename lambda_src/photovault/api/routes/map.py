"""The owner's map: where their geotagged photos were taken, compact enough to draw thousands of markers."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import MapPoints
from photovault.api.routing import JWT, PRIVATE, CursorParam, caller, ok

router = APIGatewayHttpRouter()
# A map wants every point at once: pages are larger than a grid's (each point is ~80 bytes: id and position).
MAX_MAP_PAGE = 1000


@router.get(
    "/map",
    summary="The caller's geotagged photos in the timeline (id and position; thumbnails through POST /media/urls), "
    "newest taken first; private to the caller, never in a share",
    tags=["photos"],
    security=JWT,
    responses={**ok(200, MapPoints), **PRIVATE},
)
def map_points(
    cursor: CursorParam = None,
    limit: Annotated[int, Query(ge=1, le=MAX_MAP_PAGE, description="At most this many points")] = 500,
) -> MapPoints:
    return mappers.map_points(composition.api().library.map_points(caller(router), limit=limit, cursor=cursor))
