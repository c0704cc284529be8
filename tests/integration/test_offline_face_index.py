"""The offline face index (``make run``'s stand-in for Rekognition face collections) on real portraits that ship in
installed wheels: scikit-image's astronaut (Eileen Collins) and matplotlib's Grace Hopper. dlib's detector and face
descriptor models are real; nothing is downloaded."""

from __future__ import annotations

import io

import boto3
import matplotlib.cbook
import pytest
from moto import mock_aws
from PIL import Image, ImageOps
from skimage import data

from scripts.local_stack.offline.face_index import DlibFaceIndex, MemoryDescriptors, TableDescriptors
from tests.support.aws import create_table

pytestmark = pytest.mark.xdist_group("offline-analyzer")

ALICE, BOB = "alice-0001", "bob-0002"


def jpeg(image: Image.Image, *, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


def grace_hopper() -> Image.Image:
    with Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg")) as opened:
        return opened.convert("RGB")


@pytest.fixture(scope="module")
def index() -> DlibFaceIndex:
    return DlibFaceIndex(MemoryDescriptors())


@pytest.mark.parametrize("side", [512, 1024])
def test_the_astronaut_has_one_face_and_its_box_is_her_head(index: DlibFaceIndex, side: int) -> None:
    image = astronaut().resize((side, side))

    (face,) = index.index(ALICE, f"astronaut-{side}", jpeg(image), max_faces=15)

    assert 0.3 < face.box.left < 0.4 and 0.1 < face.box.top < 0.2 and 0.15 < face.box.width < 0.25


def test_a_cat_has_no_face(index: DlibFaceIndex) -> None:
    assert index.index(ALICE, "chelsea", jpeg(Image.fromarray(data.chelsea())), max_faces=15) == ()


def test_the_same_person_matches_across_a_flip_a_crop_and_recompression_and_another_does_not() -> None:
    index = DlibFaceIndex(MemoryDescriptors())
    (original,) = index.index(ALICE, "a1", jpeg(astronaut()), max_faces=15)
    (flipped,) = index.index(ALICE, "a2", jpeg(ImageOps.mirror(astronaut()), quality=60), max_faces=15)
    (cropped,) = index.index(ALICE, "a3", jpeg(astronaut().crop((60, 0, 460, 400)).resize((640, 640))), max_faces=15)
    (grace,) = index.index(ALICE, "g1", jpeg(grace_hopper()), max_faces=15)

    matches = {match.face_id: match.similarity for match in index.search(ALICE, original.face_id, limit=10)}
    assert set(matches) == {flipped.face_id, cropped.face_id}
    assert all(50 < similarity <= 100 for similarity in matches.values())
    assert index.search(ALICE, grace.face_id, limit=10) == ()


def test_one_owners_faces_are_never_found_from_another_owners_index() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        create_table(client, "faces-test")
        index = DlibFaceIndex(TableDescriptors(client, "faces-test"))
        portrait = jpeg(astronaut())
        (alices,) = index.index(ALICE, "a1", portrait, max_faces=15)
        (bobs,) = index.index(BOB, "b1", portrait, max_faces=15)  # the very same photo, in Bob's library
        (alices_again,) = index.index(ALICE, "a2", jpeg(ImageOps.mirror(astronaut())), max_faces=15)

        assert [m.face_id for m in index.search(ALICE, alices.face_id, limit=10)] == [alices_again.face_id]
        assert index.search(BOB, bobs.face_id, limit=10) == ()
        assert index.search(BOB, alices.face_id, limit=10) == ()  # Alice's face id means nothing in Bob's index

        index.remove(ALICE, [alices_again.face_id])
        assert index.search(ALICE, alices.face_id, limit=10) == ()


def test_a_face_too_blurred_to_recognise_is_not_indexed(index: DlibFaceIndex) -> None:
    """A 25-px face blown up to photo size is found by the detector, but its descriptor would match strangers."""
    tiny = Image.fromarray((data.lfw_subset()[0] * 255).astype("uint8")).convert("RGB")
    blown_up = tiny.resize((240, 240), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (480, 480), (128, 128, 128))
    canvas.paste(blown_up, (120, 80))

    assert index.index(ALICE, "blurred", jpeg(canvas), max_faces=15) == ()
    assert len(index.index(ALICE, "sharp", jpeg(astronaut()), max_faces=15)) == 1
