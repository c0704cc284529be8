"""The caller's photos: the timeline (by date taken, a date range, favourites), the needs-attention and month views,
one photo's detail, favourites, trash and restore, and actions on a selection."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import ActionRequest, ActionResults, MonthList, PhotoDetail, PhotoList
from photovault.api.routing import (
    E404,
    E409,
    E415,
    JWT,
    PRIVATE,
    CursorParam,
    LimitParam,
    PhotoIdParam,
    caller,
    ok,
)
from photovault.ports import Collection, LibraryView

router = APIGatewayHttpRouter()
DAY = r"^\d{4}-\d{2}-\d{2}$"


@router.get(
    "/photos",
    summary="The timeline: READY photos in the library by date taken (one page per Query), optionally a date range "
    "or only favourites",
    tags=["photos"],
    security=JWT,
    responses={**ok(200, PhotoList), **PRIVATE},
)
def list_photos(
    cursor: CursorParam = None,
    limit: LimitParam = 30,
    order: Annotated[Literal["taken_desc", "taken_asc"], Query(description="Newest or oldest first")] = "taken_desc",
    since: Annotated[
        str | None, Query(alias="from", pattern=DAY, description="First day taken (YYYY-MM-DD), inclusive")
    ] = None,
    until: Annotated[
        str | None, Query(alias="to", pattern=DAY, description="Last day taken (YYYY-MM-DD), inclusive")
    ] = None,
    favorite: Annotated[bool, Query(description="Only favourites")] = False,
) -> PhotoList:
    view = LibraryView(
        collection=Collection.FAVORITES if favorite else Collection.TIMELINE,
        newest_first=order == "taken_desc",
        since=since,
        until=until,
    )
    gallery = composition.api().library.list_photos(caller(router), view, limit=limit, cursor=cursor)
    return mappers.photo_list(gallery)


@router.get(
    "/photos/attention",
    summary="Uploads that are not in the timeline: unfinished, REJECTED, QUARANTINED, DUPLICATE (with the photo it "
    "repeats) and FAILED, most recently changed first",
    tags=["photos"],
    security=JWT,
    responses={**ok(200, PhotoList), **PRIVATE},
)
def list_attention(cursor: CursorParam = None, limit: LimitParam = 30) -> PhotoList:
    view = LibraryView(collection=Collection.ATTENTION)
    gallery = composition.api().library.list_photos(caller(router), view, limit=limit, cursor=cursor)
    return mappers.photo_list(gallery)


@router.get(
    "/photos/dates",
    summary="The timeline's months with photo counts, newest first (headers and the date scrubber)",
    tags=["photos"],
    security=JWT,
    responses={**ok(200, MonthList), **PRIVATE},
)
def list_months() -> MonthList:
    return mappers.month_list(composition.api().library.months(caller(router)))


@router.post(
    "/photos/actions",
    summary="Favourite, unfavourite, trash, restore, delete forever, add to or remove from an album: up to 100 "
    "photos per call, a result for each",
    tags=["photos"],
    security=JWT,
    responses={**ok(200, ActionResults), **PRIVATE, **E404, **E415},
)
def act(body: ActionRequest) -> ActionResults:
    results = composition.api().library.act(caller(router), body.action, body.photo_ids, body.album_id)
    return mappers.action_results(body.action, results)


@router.get(
    "/photos/<photo_id>",
    summary="One photo: what the pipeline found, its albums, its neighbours in the timeline and short-lived media URLs",
    tags=["photos"],
    security=JWT,
    responses={**ok(200, PhotoDetail), **PRIVATE, **E404},
)
def get_photo(photo_id: PhotoIdParam) -> PhotoDetail:
    return mappers.photo_detail(composition.api().library.get_photo(caller(router), photo_id))


@router.delete(
    "/photos/<photo_id>",
    summary="Move a photo to the trash: gone from the timeline, search, albums and shares until restored; deleted "
    "for good after 30 days",
    tags=["photos"],
    status_code=204,
    security=JWT,
    responses={**ok(204, None, "In the trash"), **PRIVATE, **E404, **E409},
)
def trash_photo(photo_id: PhotoIdParam) -> Response[None]:
    composition.api().library.trash(caller(router), photo_id)
    return Response(status_code=204, body=None)


@router.post(
    "/photos/<photo_id>/restore",
    summary="Bring a photo back from the trash, with its favourite, albums and shares",
    tags=["photos"],
    status_code=204,
    security=JWT,
    responses={**ok(204, None, "In the library"), **PRIVATE, **E404, **E409},
)
def restore_photo(photo_id: PhotoIdParam) -> Response[None]:
    composition.api().library.restore(caller(router), photo_id)
    return Response(status_code=204, body=None)


@router.put(
    "/photos/<photo_id>/favorite",
    summary="Mark a photo in the library as a favourite (idempotent)",
    tags=["photos"],
    status_code=204,
    security=JWT,
    responses={**ok(204, None, "A favourite"), **PRIVATE, **E404, **E409},
)
def favorite_photo(photo_id: PhotoIdParam) -> Response[None]:
    composition.api().library.favorite(caller(router), photo_id, on=True)
    return Response(status_code=204, body=None)


@router.delete(
    "/photos/<photo_id>/favorite",
    summary="Unmark a favourite (idempotent)",
    tags=["photos"],
    status_code=204,
    security=JWT,
    responses={**ok(204, None, "Not a favourite"), **PRIVATE, **E404, **E409},
)
def unfavorite_photo(photo_id: PhotoIdParam) -> Response[None]:
    composition.api().library.favorite(caller(router), photo_id, on=False)
    return Response(status_code=204, body=None)
