"""People from faces, with in-memory fakes of the face index and the repository: grouping, tenancy, trash and
restore, rename, merge and taking a wrong face out."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from photovault.errors import InvalidInput, NotFound
from photovault.library.cursor import CursorCodec
from photovault.model import BoundingBox, Photo
from photovault.people.clustering import choose_person
from photovault.people.model import PersonFace
from photovault.people.service import People, PeopleIndex, face_ref
from photovault.ports import FaceMatch
from tests.support.fake_ai import solid_jpeg
from tests.support.fake_people import FakeFaceIndex, InMemoryPeopleRepository, ScriptedFace, looks
from tests.support.fakes import Clock, FakeObjects, FakeSigner, make_photo

ALICE_OWNER = "11111111-1111-1111-1111-111111111111"
BOB_OWNER = "22222222-2222-2222-2222-222222222222"
LEFT = BoundingBox(left=0.1, top=0.2, width=0.2, height=0.25)
RIGHT = BoundingBox(left=0.6, top=0.2, width=0.2, height=0.25)


@dataclass
class PeopleWorld:
    index: FakeFaceIndex
    repo: InMemoryPeopleRepository
    objects: FakeObjects
    indexer: PeopleIndex
    people: People

    def photo_of(self, owner: str, *faces: tuple[str, BoundingBox], shade: int = 0) -> tuple[Photo, bytes]:
        step = len(self.index.script)
        image = solid_jpeg((40 + 30 * (step % 6), 60 + 30 * (step // 6) + shade, 140))
        assert looks(image) not in self.index.script
        self.index.script[looks(image)] = tuple(ScriptedFace(who, box) for who, box in faces)
        return make_photo(owner), image


@pytest.fixture
def world() -> PeopleWorld:
    index, repo, objects, clock = FakeFaceIndex(), InMemoryPeopleRepository(), FakeObjects(), Clock()
    return PeopleWorld(
        index=index,
        repo=repo,
        objects=objects,
        indexer=PeopleIndex(index=index, repo=repo, media=objects, clock=clock),
        people=People(
            repo=repo,
            media=FakeSigner(),
            cursors=CursorCodec(b"unit-test-cursor-secret-0123456789"),
            media_url_expiry_seconds=600,
            clock=clock,
        ),
    )


def listed(world: PeopleWorld, owner: str) -> dict[str, int]:
    """Each listed person's name (or id) → face count."""
    page = world.people.list_people(owner, limit=50, cursor=None)
    return {shown.person.name or shown.person.person_id: shown.person.face_count for shown in page.items}


def test_faces_of_the_same_person_in_two_photos_make_one_person_and_another_face_another(world: PeopleWorld) -> None:
    for faces in ((("alice", LEFT),), (("alice", RIGHT), ("bob", LEFT))):
        photo, image = world.photo_of(ALICE_OWNER, *faces)
        run = world.indexer.index_photo(photo, image)
        assert run.faces == len(faces)

    assert sorted(listed(world, ALICE_OWNER).values()) == [1, 2]


def test_each_face_gets_a_crop_among_its_photos_derivatives(world: PeopleWorld) -> None:
    photo, image = world.photo_of(ALICE_OWNER, ("alice", LEFT))
    world.indexer.index_photo(photo, image)

    (face,) = world.repo.photo_faces(ALICE_OWNER, photo.photo_id)
    assert face.crop_key.startswith(f"media/{photo.media_id}/face-")
    assert world.objects.data[face.crop_key][:4] == b"RIFF"  # a WebP, like the other derivatives


def test_the_same_portrait_in_two_libraries_makes_two_people_that_never_meet(world: PeopleWorld) -> None:
    mine, image = world.photo_of(ALICE_OWNER, ("alice", LEFT))
    world.indexer.index_photo(mine, image)
    theirs = make_photo(BOB_OWNER)
    world.indexer.index_photo(theirs, image)  # the very same bytes

    (alice_person,) = world.people.list_people(ALICE_OWNER, limit=10, cursor=None).items
    (bob_person,) = world.people.list_people(BOB_OWNER, limit=10, cursor=None).items
    assert alice_person.person.person_id != bob_person.person.person_id
    assert alice_person.person.face_count == bob_person.person.face_count == 1
    with pytest.raises(NotFound):
        world.people.get(BOB_OWNER, alice_person.person.person_id)
    assert {owner for _, owner in world.index.calls} == {ALICE_OWNER, BOB_OWNER}
    assert world.index.collections[ALICE_OWNER].keys().isdisjoint(world.index.collections[BOB_OWNER].keys())


def test_trash_takes_faces_out_of_people_and_restore_puts_them_back_with_their_name(world: PeopleWorld) -> None:
    photo, image = world.photo_of(ALICE_OWNER, ("alice", LEFT))
    world.indexer.index_photo(photo, image)
    other, other_image = world.photo_of(ALICE_OWNER, ("alice", RIGHT))
    world.indexer.index_photo(other, other_image)
    (person,) = world.people.list_people(ALICE_OWNER, limit=10, cursor=None).items
    world.people.rename(ALICE_OWNER, person.person.person_id, "Alice")
    world.objects.put(f"media/{photo.media_id}/preview.webp", image, "image/webp")

    world.indexer.forget_photo(ALICE_OWNER, photo.photo_id, keep_records=True)
    assert listed(world, ALICE_OWNER) == {"Alice": 1}
    assert len(world.index.collections[ALICE_OWNER]) == 1

    world.indexer.restore_photo(photo)
    assert listed(world, ALICE_OWNER) == {"Alice": 2}
    assert len(world.index.collections[ALICE_OWNER]) == 2


def test_deleting_a_photo_removes_its_faces_and_a_person_with_none_left_is_not_listed(world: PeopleWorld) -> None:
    photo, image = world.photo_of(ALICE_OWNER, ("alice", LEFT))
    world.indexer.index_photo(photo, image)

    world.indexer.forget_photo(ALICE_OWNER, photo.photo_id, keep_records=False)

    assert listed(world, ALICE_OWNER) == {}
    assert world.repo.photo_faces(ALICE_OWNER, photo.photo_id) == []
    assert world.index.collections[ALICE_OWNER] == {}


def test_processing_a_photo_again_keeps_its_faces_people_and_adds_no_faces(world: PeopleWorld) -> None:
    photo, image = world.photo_of(ALICE_OWNER, ("alice", LEFT), ("bob", RIGHT))
    world.indexer.index_photo(photo, image)
    before = {face.person_id for face in world.repo.photo_faces(ALICE_OWNER, photo.photo_id)}

    world.indexer.index_photo(photo, image)

    after = world.repo.photo_faces(ALICE_OWNER, photo.photo_id)
    assert {face.person_id for face in after} == before and len(after) == 2
    assert len(world.index.collections[ALICE_OWNER]) == 2


def test_rename_then_find_by_name_merge_and_take_a_wrong_face_out(world: PeopleWorld) -> None:
    first, image = world.photo_of(ALICE_OWNER, ("alice", LEFT))
    world.indexer.index_photo(first, image)
    second, image2 = world.photo_of(ALICE_OWNER, ("alice-in-a-hat", LEFT))  # not recognised as her
    world.indexer.index_photo(second, image2)
    one, two = (shown.person for shown in world.people.list_people(ALICE_OWNER, limit=10, cursor=None).items)

    world.people.rename(ALICE_OWNER, one.person_id, "  Alice   Liddell ")
    assert world.people.get(ALICE_OWNER, one.person_id).person.name == "Alice Liddell"
    assert set(world.people.named(ALICE_OWNER, "alice")) == {one.person_id}
    assert world.people.named(BOB_OWNER, "alice") == {}

    merged = world.people.merge(ALICE_OWNER, one.person_id, two.person_id)
    assert merged.person.face_count == 2 and merged.person.name == "Alice Liddell"
    with pytest.raises(NotFound):
        world.people.get(ALICE_OWNER, two.person_id)
    assert set(world.people.photo_ids(ALICE_OWNER, one.person_id, limit=10)) == {first.photo_id, second.photo_id}

    wrong = next(
        s.face
        for s in world.people.faces(ALICE_OWNER, one.person_id, limit=10, cursor=None).items
        if s.face.photo_id == second.photo_id
    )
    after = world.people.remove_face(ALICE_OWNER, one.person_id, face_ref(wrong))
    assert after.person.face_count == 1
    assert sorted(listed(world, ALICE_OWNER).values()) == [1, 1]


def test_another_users_person_or_face_is_not_found(world: PeopleWorld) -> None:
    photo, image = world.photo_of(ALICE_OWNER, ("alice", LEFT))
    world.indexer.index_photo(photo, image)
    (person,) = world.people.list_people(ALICE_OWNER, limit=10, cursor=None).items
    (face,) = world.repo.photo_faces(ALICE_OWNER, photo.photo_id)
    pid = person.person.person_id

    for attempt in (
        lambda: world.people.rename(BOB_OWNER, pid, "Mine"),
        lambda: world.people.faces(BOB_OWNER, pid, limit=10, cursor=None),
        lambda: world.people.remove_face(BOB_OWNER, pid, face_ref(face)),
        lambda: world.people.merge(BOB_OWNER, pid, pid),
    ):
        with pytest.raises((NotFound, InvalidInput)):
            attempt()
    assert world.people.get(ALICE_OWNER, pid).person.name == ""


def _face(person_id: str, photo_id: str, face_id: str, *, active: bool = True) -> PersonFace:
    return PersonFace(ALICE_OWNER, face_id, photo_id, person_id, LEFT, 99.0, "k", "t", active)


def test_a_face_joins_the_person_whose_faces_vote_most_and_never_one_taken_in_the_same_photo() -> None:
    known = {
        ("p1", "a"): _face("anna", "p1", "a"),
        ("p2", "b"): _face("anna", "p2", "b"),
        ("p3", "c"): _face("carl", "p3", "c"),
        ("p4", "d"): _face("dora", "p4", "d", active=False),  # in the trash: no vote
    }
    matches = [FaceMatch("c", "p3", 99.0), FaceMatch("a", "p1", 80.0), FaceMatch("b", "p2", 80.0)]
    assert choose_person(matches, known, photo_id="new", taken=()) == "anna"
    assert choose_person(matches, known, photo_id="new", taken={"anna"}) == "carl"
    assert choose_person([FaceMatch("d", "p4", 99.0)], known, photo_id="new", taken=()) is None
    assert choose_person([FaceMatch("x", "p9", 99.0)], known, photo_id="new", taken=()) is None  # no record: ignored
    assert choose_person([FaceMatch("a", "p1", 99.0)], known, photo_id="p1", taken=()) is None  # same photo


def test_the_purge_of_a_trashed_photo_removes_its_faces_and_leaves_counts_as_the_trash_set_them(
    world: PeopleWorld,
) -> None:
    photo, image = world.photo_of(ALICE_OWNER, ("alice", LEFT))
    world.indexer.index_photo(photo, image)
    other, other_image = world.photo_of(ALICE_OWNER, ("alice", RIGHT))
    world.indexer.index_photo(other, other_image)
    world.indexer.forget_photo(ALICE_OWNER, photo.photo_id, keep_records=True)

    assert world.indexer.purge_photo(ALICE_OWNER, photo.photo_id) == 1
    assert world.indexer.purge_photo(ALICE_OWNER, photo.photo_id) == 0  # a replayed REMOVE changes nothing

    assert world.repo.photo_faces(ALICE_OWNER, photo.photo_id) == []
    assert list(listed(world, ALICE_OWNER).values()) == [1]
    assert len(world.index.collections[ALICE_OWNER]) == 1
