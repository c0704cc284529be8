"""People on the single table: the person item (``USER#<sub>`` / ``PERSON#<id>``), one face item per face
(``USER#<sub>#FACE`` / ``FACE#<photo_id>#<face_id>``; while active also in gsi4 ``PER#<sub>#<person_id>`` /
``<taken_sort>#<face_id>``: a person's faces in date order) and the name index (``USER#<sub>#PNAME`` /
``<word>#<person_id>``). Query and point reads only; every partition key comes from the ``owner`` argument.

A person's ``face_count`` moves with ADD after its faces are written (not in one transaction with them: a crash
between the two leaves a count off by the faces of one photo, never a face in another owner's person;
``scripts/recount_faces.py`` sets it back to the person's active faces)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.aws import aws_errors, error_code
from photovault.adapters.dynamodb.codec import deserialize, serialize
from photovault.adapters.dynamodb.table import CONDITION_FAILED, batch_get, batch_write
from photovault.model import BoundingBox
from photovault.people.model import Person, PersonFace
from photovault.ports import FacePage, PeoplePage, Position
from photovault.search.terms import tokens

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_DYNAMODB = "DynamoDB"


def _person_key(owner: str, person_id: str) -> dict[str, str]:
    return {"pk": keys.user_pk(owner), "sk": keys.person_sk(person_id)}


def _face_key(owner: str, photo_id: str, face_id: str) -> dict[str, str]:
    return {"pk": keys.faces_pk(owner), "sk": keys.face_sk(photo_id, face_id)}


def person_item(person: Person) -> dict[str, Any]:
    return {
        **_person_key(person.owner, person.person_id),
        "type": "PERSON",
        "owner": person.owner,
        "person_id": person.person_id,
        "name": person.name,
        "face_count": person.face_count,
        "cover_key": person.cover_key,
        "created_at": person.created_at,
    }


def person_from_item(item: dict[str, Any]) -> Person:
    return Person(
        owner=str(item["owner"]),
        person_id=str(item["person_id"]),
        name=str(item.get("name", "")),
        face_count=int(item.get("face_count", 0)),
        cover_key=str(item.get("cover_key", "")),
        created_at=str(item.get("created_at", "")),
    )


def face_item(face: PersonFace) -> dict[str, Any]:
    box = face.box
    item: dict[str, Any] = {
        **_face_key(face.owner, face.photo_id, face.face_id),
        "type": "FACE",
        "owner": face.owner,
        "face_id": face.face_id,
        "photo_id": face.photo_id,
        "person_id": face.person_id,
        "box": {"left": box.left, "top": box.top, "width": box.width, "height": box.height},
        "confidence": face.confidence,
        "crop_key": face.crop_key,
        "taken": face.taken,
        "active": face.active,
    }
    if face.active:
        item["gsi4pk"] = keys.person_gsi4pk(face.owner, face.person_id)
        item["gsi4sk"] = f"{face.taken}#{face.face_id}"
    return item


def face_from_item(item: dict[str, Any]) -> PersonFace:
    box = item["box"]
    return PersonFace(
        owner=str(item["owner"]),
        face_id=str(item["face_id"]),
        photo_id=str(item["photo_id"]),
        person_id=str(item["person_id"]),
        box=BoundingBox(float(box["left"]), float(box["top"]), float(box["width"]), float(box["height"])),
        confidence=float(item.get("confidence", 0.0)),
        crop_key=str(item.get("crop_key", "")),
        taken=str(item.get("taken", "")),
        active=bool(item.get("active", True)),
    )


class DynamoPeopleRepository:
    """``PeopleRepository`` on the table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @aws_errors(_DYNAMODB)
    def person(self, owner: str, person_id: str) -> Person | None:
        response = self._client.get_item(
            TableName=self._table, Key=serialize(_person_key(owner, person_id)), ConsistentRead=True
        )
        item = response.get("Item")
        return person_from_item(deserialize(item)) if item else None

    @aws_errors(_DYNAMODB)
    def persons(self, owner: str, person_ids: Sequence[str]) -> dict[str, Person]:
        items = batch_get(self._client, self._table, [_person_key(owner, pid) for pid in dict.fromkeys(person_ids)])
        found = [person_from_item(item) for item in items]
        return {person.person_id: person for person in found if person.owner == owner}

    @aws_errors(_DYNAMODB)
    def people(self, owner: str, *, limit: int, start: Position | None) -> PeoplePage:
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :person)",
            "FilterExpression": "face_count > :zero",
            "ExpressionAttributeValues": serialize(
                {":pk": keys.user_pk(owner), ":person": keys.PERSON_PREFIX, ":zero": 0}
            ),
            "Limit": limit,
        }
        if start and start.get("id"):
            args["ExclusiveStartKey"] = serialize(_person_key(owner, start["id"]))
        response = self._client.query(**args)
        people = [person_from_item(deserialize(item)) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        next_position = {"id": str(deserialize(last)["sk"]).removeprefix(keys.PERSON_PREFIX)} if last else None
        return PeoplePage(people=people, next_position=next_position)

    @aws_errors(_DYNAMODB)
    def named(self, owner: str, token: str) -> list[str]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :word)",
            ExpressionAttributeValues=serialize({":pk": keys.names_pk(owner), ":word": f"{token}#"}),
        )
        return [str(deserialize(item)["person_id"]) for item in response.get("Items", [])]

    @aws_errors(_DYNAMODB)
    def faces(self, owner: str, refs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], PersonFace]:
        face_keys = [_face_key(owner, p, f) for p, f in dict.fromkeys(refs)]
        items = batch_get(self._client, self._table, face_keys, ConsistentRead=True)  # moves read, then write
        found = [face_from_item(item) for item in items]
        return {(face.photo_id, face.face_id): face for face in found if face.owner == owner}

    @aws_errors(_DYNAMODB)
    def photo_faces(self, owner: str, photo_id: str) -> list[PersonFace]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :photo)",
            ExpressionAttributeValues=serialize({":pk": keys.faces_pk(owner), ":photo": f"FACE#{photo_id}#"}),
            ConsistentRead=True,
        )
        return [face_from_item(deserialize(item)) for item in response.get("Items", [])]

    @aws_errors(_DYNAMODB)
    def person_faces(self, owner: str, person_id: str, *, limit: int, start: Position | None) -> FacePage:
        args: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI4,
            "KeyConditionExpression": "gsi4pk = :pk",
            "ExpressionAttributeValues": serialize({":pk": keys.person_gsi4pk(owner, person_id)}),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start and start.get("photo") and start.get("face") and start.get("at"):
            face_key = _face_key(owner, start["photo"], start["face"])
            args["ExclusiveStartKey"] = serialize(
                {**face_key, "gsi4pk": keys.person_gsi4pk(owner, person_id), "gsi4sk": start["at"]}
            )
        response = self._client.query(**args)
        faces = [face_from_item(deserialize(item)) for item in response.get("Items", [])]
        more = bool(response.get("LastEvaluatedKey")) and bool(faces)
        last = faces[-1] if faces else None
        position = (
            {"photo": last.photo_id, "face": last.face_id, "at": f"{last.taken}#{last.face_id}"}
            if more and last
            else None
        )
        return FacePage(faces=faces, next_position=position)

    @aws_errors(_DYNAMODB)
    def add(self, faces: Sequence[PersonFace], created: Sequence[Person]) -> None:
        batch_write(
            self._client,
            self._table,
            [{"PutRequest": {"Item": serialize(person_item(p))}} for p in created]
            + [{"PutRequest": {"Item": serialize(face_item(f))}} for f in faces],
        )
        self._counts(faces, +1)

    @aws_errors(_DYNAMODB)
    def remove(self, faces: Sequence[PersonFace]) -> None:
        """Delete the faces (as just read: each one given as active takes one off its person's count)."""
        batch_write(
            self._client,
            self._table,
            [{"DeleteRequest": {"Key": serialize(_face_key(f.owner, f.photo_id, f.face_id))}} for f in faces],
        )
        self._counts(faces, -1)

    @aws_errors(_DYNAMODB)
    def set_active(self, faces: Sequence[PersonFace], active: bool) -> None:
        if not faces:
            return
        current = self.faces(faces[0].owner, [(f.photo_id, f.face_id) for f in faces])
        changing = [f for f in current.values() if f.active != active]
        batch_write(
            self._client,
            self._table,
            [{"PutRequest": {"Item": serialize(face_item(_with(f, active=active)))}} for f in changing],
        )
        self._counts(changing, +1 if active else -1)

    @aws_errors(_DYNAMODB)
    def move(self, faces: Sequence[PersonFace], person_id: str) -> None:
        if not faces:
            return
        current = self.faces(faces[0].owner, [(f.photo_id, f.face_id) for f in faces])
        moving = [f for f in current.values() if f.person_id != person_id]
        batch_write(
            self._client,
            self._table,
            [{"PutRequest": {"Item": serialize(face_item(_with(f, person_id=person_id)))}} for f in moving],
        )
        active = [f for f in moving if f.active]
        self._counts(active, -1)
        self._counts([_with(f, person_id=person_id) for f in active], +1)

    @aws_errors(_DYNAMODB)
    def rename(self, owner: str, person_id: str, name: str) -> Person | None:
        before = self.person(owner, person_id)
        if before is None:
            return None
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=serialize(_person_key(owner, person_id)),
                UpdateExpression="SET #name = :name",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#name": "name"},
                ExpressionAttributeValues=serialize({":name": name}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if error_code(exc) == CONDITION_FAILED:
                return None
            raise
        old, new = set(tokens(before.name)), set(tokens(name))
        batch_write(
            self._client,
            self._table,
            [{"DeleteRequest": {"Key": serialize(self._name_key(owner, w, person_id))}} for w in sorted(old - new)]
            + [
                {"PutRequest": {"Item": serialize({**self._name_key(owner, w, person_id), "person_id": person_id})}}
                for w in sorted(new - old)
            ],
        )
        return person_from_item(deserialize(response["Attributes"]))

    @aws_errors(_DYNAMODB)
    def delete_person(self, owner: str, person_id: str) -> None:
        person = self.person(owner, person_id)
        if person is None:
            return
        words = sorted(set(tokens(person.name)))
        batch_write(
            self._client,
            self._table,
            [{"DeleteRequest": {"Key": serialize(self._name_key(owner, w, person_id))}} for w in words]
            + [{"DeleteRequest": {"Key": serialize(_person_key(owner, person_id))}}],
        )

    def _counts(self, faces: Sequence[PersonFace], sign: int) -> None:
        deltas: dict[tuple[str, str], int] = {}
        for face in faces:
            if face.active:
                deltas[(face.owner, face.person_id)] = deltas.get((face.owner, face.person_id), 0) + sign
        for (owner, person_id), delta in sorted(deltas.items()):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=serialize(_person_key(owner, person_id)),
                    UpdateExpression="ADD face_count :delta",
                    ConditionExpression="attribute_exists(pk)",  # a deleted person is not brought back as a count
                    ExpressionAttributeValues=serialize({":delta": delta}),
                )
            except ClientError as exc:
                if error_code(exc) != CONDITION_FAILED:
                    raise

    @staticmethod
    def _name_key(owner: str, word: str, person_id: str) -> dict[str, str]:
        return {"pk": keys.names_pk(owner), "sk": f"{word}#{person_id}"}


def _with(face: PersonFace, **changes: Any) -> PersonFace:
    return replace(face, **changes)
