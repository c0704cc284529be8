"""What the digest says: how many photos, which are ready, which need attention, and nothing twice."""

from __future__ import annotations

from photovault.model import PhotoStatus
from photovault.notifications.digest import compose, digest_message, digest_owner, entry
from tests.support.fakes import make_photo


def test_one_ready_photo_is_singular() -> None:
    subject, text = compose([entry(make_photo("o", filename="cat.jpg"))])
    assert subject == "PhotoVault: 1 photo processed (1 ready)"
    assert text.startswith("Ready (1):\n- cat.jpg")


def test_photos_are_grouped_by_what_the_person_should_do_and_the_overflow_is_counted() -> None:
    photos = [
        make_photo("o", filename="b.jpg"),
        make_photo("o", filename="A.jpg"),
        make_photo("o", filename="nude.jpg", status=PhotoStatus.QUARANTINED),
        make_photo("o", filename="again.jpg", status=PhotoStatus.DUPLICATE),
    ]
    subject, text = compose([entry(p) for p in photos], more=3)
    assert subject == "PhotoVault: 7 photos processed (2 ready, 1 needs attention)"
    assert "Ready (2):\n- A.jpg\n- b.jpg" in text
    assert "Need attention (1):\n- nude.jpg: quarantined" in text
    assert "Already in your library (1):\n- again.jpg" in text
    assert "…and 3 more." in text


def test_the_same_photo_and_outcome_is_the_same_entry() -> None:
    photo = make_photo("o", filename="x.jpg")
    assert entry(photo) == entry(photo)


def test_only_a_digest_message_names_an_owner() -> None:
    assert digest_owner(digest_message("alice")) == "alice"
    for body in ('{"owner": "alice", "job_id": "j"}', '{"digest": "a#b"}', '{"digest": ""}', "not json", "[]"):
        assert digest_owner(body) is None
