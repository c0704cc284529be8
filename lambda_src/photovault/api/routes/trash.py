"""The trash: what was moved there, and deleting one photo for good before its 30 days are up."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import TrashList
from photovault.api.routing import E404, E409, JWT, PRIVATE, CursorParam, LimitParam, PhotoIdParam, caller, ok
from photovault.ports import Collection, LibraryView

router = APIGatewayHttpRouter()


@router.get(
    "/trash",
    summary="The trash, most recently trashed first",
    tags=["trash"],
    security=JWT,
    responses={**ok(200, TrashList), **PRIVATE},
)
def list_trash(cursor: CursorParam = None, limit: LimitParam = 30) -> TrashList:
    view = LibraryView(collection=Collection.TRASH)
    return mappers.trash_list(composition.api().library.list_photos(caller(router), view, limit=limit, cursor=cursor))


@router.delete(
    "/trash/photos/<photo_id>",
    summary="Delete a photo in the trash for good: its original, derivatives, terms and links follow within minutes",
    tags=["trash"],
    status_code=204,
    security=JWT,
    responses={**ok(204, None, "Deleted"), **PRIVATE, **E404, **E409},
)
def delete_forever(photo_id: PhotoIdParam) -> Response[None]:
    composition.api().library.delete_forever(caller(router), photo_id)
    return Response(status_code=204, body=None)
