"""People through the API on moto, with the real dlib face index (``make run``'s) on real portraits: the same
portrait in two users' libraries makes a person in each that never merge and neither can see; naming, finding by
name and the person facet; trash and restore; merge and taking a face out; crops without metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib.cbook
import pytest
from PIL import Image, ImageOps
from skimage import data

from photovault import composition, keys
from photovault.adapters.dynamodb.people import DynamoPeopleRepository
from photovault.adapters.s3 import S3MediaStore
from photovault.model import Photo
from photovault.people.service import PeopleIndex
from scripts.local_stack.offline.face_index import DlibFaceIndex, TableDescriptors
from tests.integration.api.apitools import assert_documented, call, seed_through_pipeline
from tests.integration.api.conftest import Stack
from tests.support.fakes import make_photo

pytestmark = pytest.mark.xdist_group("offline-analyzer")

ALICE, BOB = "alice-0001", "bob-0002"


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


ASTRONAUT = Image.fromarray(data.astronaut())
with Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg")) as _opened:
    GRACE = _opened.convert("RGB")


@dataclass
class Pipeline:
    """The worker's people step, on the stack: faces of a seeded photo into its owner's people."""

    stack: Stack
    people: PeopleIndex

    def upload(self, owner: str, image: Image.Image) -> Photo:
        photo = make_photo(owner, labels=[("Person", 99.0)])
        seed_through_pipeline(self.stack.dynamodb, self.stack.table, photo)
        rendition = jpeg(image)
        self.stack.s3.put_object(
            Bucket=self.stack.derivatives, Key=keys.derivative_key(photo, "preview"), Body=rendition
        )
        self.people.index_photo(photo, rendition)
        return photo


@pytest.fixture
def pipeline(stack: Stack) -> Pipeline:
    index = DlibFaceIndex(TableDescriptors(stack.dynamodb, stack.table))
    composition.override(face_index=index)  # the api's trash and restore use the same index
    media = S3MediaStore(stack.s3, stack.derivatives)
    return Pipeline(
        stack, PeopleIndex(index=index, repo=DynamoPeopleRepository(stack.dynamodb, stack.table), media=media)
    )


def people(sub: str) -> list[dict[str, object]]:
    response = call("GET", "/people", sub=sub)
    assert_documented("GET", "/people", response)
    assert response.status == 200
    items: list[dict[str, object]] = response.json["items"]
    return items


def found(sub: str, **query: str) -> set[str]:
    response = call("GET", "/search", sub=sub, query=query)
    assert_documented("GET", "/search", response)
    assert response.status == 200, response.text
    return {item["photo"]["id"] for item in response.json["items"]}


def test_the_same_portrait_in_two_libraries_makes_a_person_in_each_that_never_merge(pipeline: Pipeline) -> None:
    alice_photos = {
        pipeline.upload(ALICE, ASTRONAUT).photo_id,
        pipeline.upload(ALICE, ImageOps.mirror(ASTRONAUT)).photo_id,
    }
    bob_photo = pipeline.upload(BOB, ASTRONAUT).photo_id  # the very same portrait

    (alices,) = people(ALICE)
    (bobs,) = people(BOB)
    assert alices["face_count"] == 2 and bobs["face_count"] == 1
    assert alices["id"] != bobs["id"]
    for path in (f"/people/{alices['id']}", f"/people/{alices['id']}/faces"):
        assert call("GET", path, sub=BOB).status == 404
    assert call("PATCH", f"/people/{alices['id']}", sub=BOB, body={"name": "Mine"}).status == 404
    assert call("POST", f"/people/{bobs['id']}/merge", sub=BOB, body={"person_id": alices["id"]}).status == 404

    renamed = call("PATCH", f"/people/{alices['id']}", sub=ALICE, body={"name": "Alice"})
    assert renamed.status == 200 and renamed.json["name"] == "Alice"
    assert found(ALICE, q="alice") == alice_photos
    response = call("GET", "/search", sub=ALICE, query={"q": "alice"})
    assert {m["field"] for item in response.json["items"] for m in item["matches"]} == {"person"}
    assert found(ALICE, person=str(alices["id"])) == alice_photos
    assert found(BOB, q="alice") == set()
    assert found(BOB, person=str(alices["id"])) == set()
    assert found(BOB, person=str(bobs["id"])) == {bob_photo}


def test_trash_takes_the_face_out_of_its_person_and_restore_puts_it_back(pipeline: Pipeline) -> None:
    first = pipeline.upload(ALICE, ASTRONAUT)
    pipeline.upload(ALICE, ImageOps.mirror(ASTRONAUT))
    (person,) = people(ALICE)
    call("PATCH", f"/people/{person['id']}", sub=ALICE, body={"name": "Eileen Collins"})

    assert call("DELETE", f"/photos/{first.photo_id}", sub=ALICE).status == 204
    assert [(p["id"], p["face_count"]) for p in people(ALICE)] == [(person["id"], 1)]
    assert first.photo_id not in found(ALICE, q="eileen")

    assert call("POST", f"/photos/{first.photo_id}/restore", sub=ALICE).status == 204
    assert [(p["id"], p["name"], p["face_count"]) for p in people(ALICE)] == [(person["id"], "Eileen Collins", 2)]
    assert first.photo_id in found(ALICE, q="collins")


def test_merge_two_people_then_take_a_wrong_face_out(pipeline: Pipeline) -> None:
    pipeline.upload(ALICE, ASTRONAUT)
    grace = pipeline.upload(ALICE, GRACE)
    one, two = people(ALICE)

    merged = call("POST", f"/people/{one['id']}/merge", sub=ALICE, body={"person_id": two["id"]})
    assert merged.status == 200 and merged.json["face_count"] == 2
    assert [p["id"] for p in people(ALICE)] == [one["id"]]

    faces = call("GET", f"/people/{one['id']}/faces", sub=ALICE)
    assert_documented("GET", "/people/{person_id}/faces", faces)
    wrong = next(face for face in faces.json["items"] if face["photo_id"] == grace.photo_id)
    after = call("DELETE", f"/people/{one['id']}/faces/{wrong['id']}", sub=ALICE)
    assert after.status == 200 and after.json["face_count"] == 1
    assert sorted(p["face_count"] for p in people(ALICE)) == [1, 1]
    assert call("DELETE", f"/people/{one['id']}/faces/{wrong['id']}", sub=ALICE).status == 404


def test_face_crops_are_derivatives_without_metadata(pipeline: Pipeline, stack: Stack) -> None:
    photo = pipeline.upload(ALICE, ASTRONAUT)
    (person,) = people(ALICE)
    assert str(person["cover_url"]).startswith("https://")

    prefix = keys.photo_media_prefix(photo)
    listed = stack.s3.list_objects_v2(Bucket=stack.derivatives, Prefix=f"{prefix}face-")["Contents"]
    (crop,) = [stack.s3.get_object(Bucket=stack.derivatives, Key=obj["Key"])["Body"].read() for obj in listed]
    with Image.open(io.BytesIO(crop)) as image:
        assert image.format == "WEBP" and not image.getexif() and "icc_profile" not in image.info
        assert max(image.size) <= 160
