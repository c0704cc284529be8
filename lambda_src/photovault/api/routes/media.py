"""Renewing media URLs without a reload: a page open longer than the URLs' lifetime asks for fresh ones."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import MediaUrlList, PhotoIdsRequest
from photovault.api.routing import E415, JWT, PRIVATE, caller, ok

router = APIGatewayHttpRouter()


@router.post(
    "/media/urls",
    summary="Fresh thumb and preview URLs for up to 100 of the caller's READY photos (others are absent)",
    tags=["photos"],
    security=JWT,
    responses={**ok(200, MediaUrlList), **PRIVATE, **E415},
)
def renew(body: PhotoIdsRequest) -> MediaUrlList:
    return mappers.media_url_list(composition.api().library.media_urls(caller(router), body.photo_ids))
