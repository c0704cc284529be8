"""The caller's albums: create, list, show, rename or choose a cover, delete; their photos in date order; adding and
removing photos; share links to an album."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import (
    ActionResults,
    Album,
    AlbumCreateRequest,
    AlbumList,
    AlbumUpdateRequest,
    PhotoIdsRequest,
    PhotoList,
    Share,
    ShareRequest,
)
from photovault.api.routing import (
    E404,
    E409,
    E415,
    JWT,
    PRIVATE,
    AlbumIdParam,
    CursorParam,
    LimitParam,
    caller,
    ok,
)
from photovault.library.service import Action
from photovault.observability import MetricName, metrics

router = APIGatewayHttpRouter()


@router.get(
    "/albums",
    summary="The caller's albums, newest first, each with its photo count and cover",
    tags=["albums"],
    security=JWT,
    responses={**ok(200, AlbumList), **PRIVATE},
)
def list_albums(cursor: CursorParam = None, limit: LimitParam = 30) -> AlbumList:
    return mappers.album_list(composition.api().albums.list_albums(caller(router), limit=limit, cursor=cursor))


@router.post(
    "/albums",
    summary="Create an empty album (add photos with POST /albums/{album_id}/photos)",
    tags=["albums"],
    status_code=201,
    security=JWT,
    responses={**ok(201, Album, "Created"), **PRIVATE, **E415},
)
def create_album(body: AlbumCreateRequest) -> Album:
    return mappers.album(composition.api().albums.create(caller(router), name=body.name))


@router.get(
    "/albums/<album_id>",
    summary="One album: name, photo count, cover",
    tags=["albums"],
    security=JWT,
    responses={**ok(200, Album), **PRIVATE, **E404},
)
def get_album(album_id: AlbumIdParam) -> Album:
    return mappers.album(composition.api().albums.get(caller(router), album_id))


@router.patch(
    "/albums/<album_id>",
    summary="Rename an album and/or choose its cover (null: its first photo)",
    tags=["albums"],
    security=JWT,
    responses={**ok(200, Album), **PRIVATE, **E404, **E409, **E415},
)
def update_album(album_id: AlbumIdParam, body: AlbumUpdateRequest) -> Album:
    clear_cover = "cover_photo_id" in body.model_fields_set and body.cover_photo_id is None
    view = composition.api().albums.update(
        caller(router), album_id, name=body.name, cover_photo_id=body.cover_photo_id, clear_cover=clear_cover
    )
    return mappers.album(view)


@router.delete(
    "/albums/<album_id>",
    summary="Delete an album and its share links; its photos stay in the library",
    tags=["albums"],
    status_code=204,
    security=JWT,
    responses={**ok(204, None, "Deleted"), **PRIVATE, **E404},
)
def delete_album(album_id: AlbumIdParam) -> Response[None]:
    composition.api().albums.delete(caller(router), album_id)
    return Response(status_code=204, body=None)


@router.get(
    "/albums/<album_id>/photos",
    summary="An album's photos in date order (one page per Query)",
    tags=["albums"],
    security=JWT,
    responses={**ok(200, PhotoList), **PRIVATE, **E404},
)
def album_photos(
    album_id: AlbumIdParam,
    cursor: CursorParam = None,
    limit: LimitParam = 30,
    order: Annotated[Literal["taken_asc", "taken_desc"], Query(description="Oldest or newest first")] = "taken_asc",
) -> PhotoList:
    gallery = composition.api().albums.photos(
        caller(router), album_id, newest_first=order == "taken_desc", limit=limit, cursor=cursor
    )
    return mappers.photo_list(gallery)


@router.post(
    "/albums/<album_id>/photos",
    summary="Add up to 100 photos of the library to an album (idempotent), a result for each",
    tags=["albums"],
    security=JWT,
    responses={**ok(200, ActionResults), **PRIVATE, **E404, **E415},
)
def add_photos(album_id: AlbumIdParam, body: PhotoIdsRequest) -> ActionResults:
    results = composition.api().library.act(caller(router), Action.ADD_TO_ALBUM, body.photo_ids, album_id)
    return mappers.action_results(Action.ADD_TO_ALBUM, results)


@router.delete(
    "/albums/<album_id>/photos",
    summary="Take up to 100 photos out of an album (they stay in the library), a result for each",
    tags=["albums"],
    security=JWT,
    responses={**ok(200, ActionResults), **PRIVATE, **E404, **E415},
)
def remove_photos(album_id: AlbumIdParam, body: PhotoIdsRequest) -> ActionResults:
    results = composition.api().library.act(caller(router), Action.REMOVE_FROM_ALBUM, body.photo_ids, album_id)
    return mappers.action_results(Action.REMOVE_FROM_ALBUM, results)


@router.post(
    "/albums/<album_id>/shares",
    summary="Create a share link for an album: whoever holds it sees the album's photos in the library",
    tags=["shares"],
    status_code=201,
    security=JWT,
    responses={**ok(201, Share, "Created"), **PRIVATE, **E404, **E415},
)
def share_album(album_id: AlbumIdParam, body: ShareRequest) -> Share:
    link = composition.api().sharing.create_for_album(
        caller(router), album_id, expires_in=body.expires_in, max_views=body.max_views
    )
    metrics.add_metric(name=MetricName.SHARES_CREATED, unit=MetricUnit.Count, value=1)
    return mappers.share(link)
