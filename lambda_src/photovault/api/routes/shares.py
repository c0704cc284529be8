"""The caller's share links: create one for a photo, list them, revoke one."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import Share, ShareList, ShareRequest
from photovault.api.routing import (
    E404,
    E415,
    JWT,
    PRIVATE,
    CursorParam,
    LimitParam,
    PhotoIdParam,
    TokenParam,
    caller,
    error,
    ok,
)
from photovault.observability import MetricName, metrics

router = APIGatewayHttpRouter()


@router.post(
    "/photos/<photo_id>/shares",
    summary="Create a share link for a photo",
    tags=["shares"],
    status_code=201,
    security=JWT,
    responses={
        **ok(201, Share, "Created"),
        **PRIVATE,
        **E404,
        **E415,
        409: error("The photo cannot be shared (not READY, quarantined, rejected)"),
    },
)
def create_share(photo_id: PhotoIdParam, body: ShareRequest) -> Share:
    link = composition.api().sharing.create(
        caller(router), photo_id, expires_in=body.expires_in, max_views=body.max_views
    )
    metrics.add_metric(name=MetricName.SHARES_CREATED, unit=MetricUnit.Count, value=1)
    return mappers.share(link)


@router.get(
    "/shares",
    summary="The caller's share links (photos and albums), newest first",
    tags=["shares"],
    security=JWT,
    responses={**ok(200, ShareList), **PRIVATE},
)
def list_shares(cursor: CursorParam = None, limit: LimitParam = 50) -> ShareList:
    return mappers.share_list(composition.api().sharing.list(caller(router), limit=limit, cursor=cursor))


@router.delete(
    "/shares/<token>",
    summary="Revoke a share link (idempotent)",
    tags=["shares"],
    status_code=204,
    security=JWT,
    responses={**ok(204, None, "Revoked"), **PRIVATE, **E404},
)
def revoke_share(token: TokenParam) -> Response[None]:
    composition.api().sharing.revoke(caller(router), token)
    return Response(status_code=204, body=None)
