"""The caller's people: faces grouped into persons — list, show, name, merge, a person's faces, and taking a wrong
face out. Another user's person is a 404 like a missing one."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from photovault import composition
from photovault.api import mappers
from photovault.api.contract import Person, PersonFaceList, PersonList, PersonMergeRequest, PersonUpdateRequest
from photovault.api.routing import E404, E415, JWT, PRIVATE, CursorParam, LimitParam, caller, ok
from photovault.errors import NotFound
from photovault.people.service import People

router = APIGatewayHttpRouter()

PersonIdParam = Annotated[str, Path(min_length=1, max_length=64, description="Person id")]
FaceIdParam = Annotated[str, Path(min_length=1, max_length=128, description="Face id (from GET /people/{id}/faces)")]


def _people() -> People:
    people = composition.api().people
    if people is None:
        raise NotFound("No such person.")
    return people


@router.get(
    "/people",
    summary="The caller's people (faces grouped by who they are), named ones first, each with a face crop",
    tags=["people"],
    security=JWT,
    responses={**ok(200, PersonList), **PRIVATE},
)
def list_people(cursor: CursorParam = None, limit: LimitParam = 60) -> PersonList:
    return mappers.person_list(_people().list_people(caller(router), limit=limit, cursor=cursor))


@router.get(
    "/people/<person_id>",
    summary="One person: name, face count, a face crop",
    tags=["people"],
    security=JWT,
    responses={**ok(200, Person), **PRIVATE, **E404},
)
def get_person(person_id: PersonIdParam) -> Person:
    return mappers.person(_people().get(caller(router), person_id))


@router.patch(
    "/people/<person_id>",
    summary="Name a person (search finds their photos by the name)",
    tags=["people"],
    security=JWT,
    responses={**ok(200, Person), **PRIVATE, **E404, **E415},
)
def rename_person(person_id: PersonIdParam, body: PersonUpdateRequest) -> Person:
    return mappers.person(_people().rename(caller(router), person_id, body.name))


@router.get(
    "/people/<person_id>/faces",
    summary="A person's faces, newest taken first, each with its crop and photo",
    tags=["people"],
    security=JWT,
    responses={**ok(200, PersonFaceList), **PRIVATE, **E404},
)
def person_faces(person_id: PersonIdParam, cursor: CursorParam = None, limit: LimitParam = 60) -> PersonFaceList:
    return mappers.person_faces(_people().faces(caller(router), person_id, limit=limit, cursor=cursor))


@router.post(
    "/people/<person_id>/merge",
    summary="Merge another person into this one (they are the same person): the other's faces move here",
    tags=["people"],
    security=JWT,
    responses={**ok(200, Person), **PRIVATE, **E404, **E415},
)
def merge_people(person_id: PersonIdParam, body: PersonMergeRequest) -> Person:
    return mappers.person(_people().merge(caller(router), person_id, body.person_id))


@router.delete(
    "/people/<person_id>/faces/<face_id>",
    summary="Take a wrongly grouped face out of a person (it becomes a person of its own)",
    tags=["people"],
    security=JWT,
    responses={**ok(200, Person), **PRIVATE, **E404},
)
def remove_face(person_id: PersonIdParam, face_id: FaceIdParam) -> Person:
    return mappers.person(_people().remove_face(caller(router), person_id, face_id))
