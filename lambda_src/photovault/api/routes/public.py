"""What a share link's holder sees, without signing in: one photo, or an album a page at a time."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import PublicAlbum, PublicShare
from photovault.api.routing import E404, PUBLIC, CursorParam, TokenParam, error, ok
from photovault.observability import MetricName, metrics

router = APIGatewayHttpRouter()


@router.get(
    "/public/shares/<token>",
    summary="Open a share link (no sign-in): caption and a preview URL valid for at most 5 minutes",
    tags=["public"],
    responses={
        **ok(200, PublicShare),
        **PUBLIC,
        **E404,
        410: error("The link expired, was revoked or has no views left"),
    },
)
def view_share(token: TokenParam) -> PublicShare:
    shared = composition.api().sharing.view(token)
    metrics.add_metric(name=MetricName.SHARE_VIEWS, unit=MetricUnit.Count, value=1)
    return mappers.public_share(shared)


@router.get(
    "/public/albums/<token>",
    summary="Open an album link (no sign-in): its title and its photos, captions and URLs valid for at most 5 minutes; "
    "opening it (no cursor) counts one view",
    tags=["public"],
    responses={
        **ok(200, PublicAlbum),
        **PUBLIC,
        **E404,
        410: error("The link expired, was revoked or has no views left"),
    },
)
def view_album(token: TokenParam, cursor: CursorParam = None) -> PublicAlbum:
    shared = composition.api().sharing.view_album(token, cursor=cursor)
    if cursor is None:
        metrics.add_metric(name=MetricName.SHARE_VIEWS, unit=MetricUnit.Count, value=1)
    return mappers.public_album(shared)
