"""Account deletion's erasers: one per store that holds something of the owner, in the order they must run. Each
erases the owner's things in its store a bounded batch at a time and says where to go on, so a deletion of any size
runs in steps (``jobs.delete_account``) and a step that dies is simply run again (every batch deletes what it finds).

The order is the design: links first (nothing stays reachable), then the jobs that could still write and the quota
item (a purge of a removed photo gives bytes back to it only while it exists, so none can write there later); then
what is found only through the photo items — vectors, derivatives (``media/<media_id>/`` names no owner), search
terms and content hashes — before the photo items themselves go; the originals bucket by the owner's prefixes (every
version and delete marker, duplicates' and replayed uploads' leftovers included, and unfinished exports); the rest of
the table; the user last. The face index (one Rekognition collection per owner) and the owner's face and person-name
partitions go with ``faces`` (before ``library``); the e-mail subscription with ``email`` (before ``user``: the
unsubscribe needs the opt-in item, which ``library`` would delete). A store added later is one more entry.

The photo items' removal also reaches the purge function through the table's stream, as every removal does; by then
each of its cleanup steps finds nothing, and it stays the safety net for a pipeline run that wrote something for a
photo while it was being erased.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from photovault import keys
from photovault.model import Photo
from photovault.ports import (
    AccountItems,
    ExportStore,
    FaceIndex,
    PhotoCatalog,
    PhotoLeftovers,
    UserDirectory,
    VectorIndex,
    VersionedBucket,
)

_JOB_ITEMS = "JOB"  # the sort keys of job items (JOB#<id>) and of their inputs (JOBINPUT#<id>)
BATCH = 100  # items per table batch, photos per catalogue page: each well under a second
PARALLEL = 8  # per-photo erasures in flight (boto3 clients are thread-safe; the adapters hold no state)


@dataclass(frozen=True, slots=True)
class Scope:
    owner: str
    job_id: str  # the deletion's own job: the table eraser keeps its items until the very end


@dataclass(frozen=True, slots=True)
class Erased:
    removed: int
    resume: str | None  # where the next call goes on; None once the store holds nothing more of the owner


@dataclass(frozen=True, slots=True)
class Eraser:
    """One store's share of a deletion. ``run(scope, resume, deadline)`` erases from ``resume`` (None: the start)
    until it is done or ``deadline`` (``time.monotonic()``) has passed."""

    name: str
    run: Callable[[Scope, str | None, float], Erased]


class EmailOptOut(Protocol):
    def remove(self, owner: str) -> object:
        """Unsubscribe the owner's e-mail and forget the opt-in (idempotent)."""


@dataclass(frozen=True, slots=True)
class Stores:
    """What the erasers work on: the adapters of each store (``vectors`` is None where search by meaning is off)."""

    catalog: PhotoCatalog
    items: AccountItems
    leftovers: PhotoLeftovers
    originals: VersionedBucket
    derivatives: VersionedBucket
    exports: ExportStore
    users: UserDirectory
    vectors: VectorIndex | None
    monotonic: Callable[[], float]
    faces: FaceIndex | None = None  # None where people are off (no face index configured)
    email: EmailOptOut | None = None  # None where there is no events topic


def erasers(stores: Stores) -> list[Eraser]:
    """Every store's eraser, in order (the module docstring says why this order)."""
    return [
        Eraser("shares", partial(_shares, stores)),
        Eraser("jobs", partial(_other_jobs, stores)),
        Eraser("quota", partial(_quota, stores)),
        *([Eraser("vectors", partial(_vectors, stores))] if stores.vectors is not None else []),
        Eraser("derivatives", partial(_derivatives, stores)),
        Eraser("index", partial(_index, stores)),
        Eraser("originals", partial(_originals, stores)),
        Eraser("faces", partial(_faces, stores)),
        *([Eraser("email", partial(_email, stores))] if stores.email is not None else []),
        Eraser("library", partial(_library, stores)),
        Eraser("user", partial(_user, stores)),
    ]


def _shares(stores: Stores, scope: Scope, _resume: str | None, deadline: float) -> Erased:
    return _drain(stores, deadline, lambda: stores.items.delete_shares(scope.owner, limit=BATCH))


def _other_jobs(stores: Stores, scope: Scope, _resume: str | None, deadline: float) -> Erased:
    """Every other job of the owner (no later step of theirs can start: a claim of a missing job is refused)."""
    batch = _partition_batch(stores.items, keys.user_pk(scope.owner), prefix=_JOB_ITEMS, keep=_own_job(scope))
    return _drain(stores, deadline, batch)


def _quota(stores: Stores, scope: Scope, _resume: str | None, deadline: float) -> Erased:
    return _drain(stores, deadline, _partition_batch(stores.items, keys.quota_pk(scope.owner)))


def _vectors(stores: Stores, scope: Scope, resume: str | None, deadline: float) -> Erased:
    vectors = stores.vectors
    assert vectors is not None  # the eraser is only in the list with an index

    def page(photos: list[Photo]) -> int:
        if photos:
            vectors.delete_many(scope.owner, [photo.photo_id for photo in photos])
        return len(photos)

    return _per_photo_page(stores, scope, resume, deadline, page)


def _faces(stores: Stores, scope: Scope, resume: str | None, deadline: float) -> Erased:
    """The owner's face index (the whole collection at once), then the face items and the person-name index
    (persons themselves are in the owner's partition: ``library``). ``resume`` counts the partitions done."""
    removed = 0
    if resume is None and stores.faces is not None:
        removed += stores.faces.forget_owner(scope.owner)
    partitions = [keys.faces_pk(scope.owner), keys.names_pk(scope.owner)]
    done = int(resume) if resume else 0
    while done < len(partitions):
        drained = _drain(stores, deadline, _partition_batch(stores.items, partitions[done]))
        removed += drained.removed
        if drained.resume is not None:
            return Erased(removed, str(done))
        done += 1
    return Erased(removed, None)


def _email(stores: Stores, scope: Scope, _resume: str | None, _deadline: float) -> Erased:
    email = stores.email
    assert email is not None  # the eraser is only in the list with a topic
    email.remove(scope.owner)
    return Erased(1, None)


def _user(stores: Stores, scope: Scope, _resume: str | None, _deadline: float) -> Erased:
    return Erased(int(stores.users.delete_user(scope.owner)), None)


def _own_job(scope: Scope) -> Sequence[str]:
    return (keys.job_sk(scope.job_id), keys.job_input_sk(scope.job_id))


def _drain(stores: Stores, deadline: float, batch: Callable[[], int]) -> Erased:
    """Run ``batch`` until it finds nothing more (done) or time is up (go on next step)."""
    removed = 0
    while True:
        count = batch()
        removed += count
        if not count:
            return Erased(removed, None)
        if stores.monotonic() >= deadline:
            return Erased(removed, "more")


def _per_photo_page(
    stores: Stores, scope: Scope, resume: str | None, deadline: float, each_page: Callable[[list[Photo]], int]
) -> Erased:
    """Walk the owner's photo items a page at a time from ``resume`` (the last photo id handled)."""
    removed, after = 0, resume
    while True:
        page = stores.catalog.catalog(scope.owner, limit=BATCH, after=after)
        removed += each_page(page.photos)
        if not page.next_position:
            return Erased(removed, None)
        after = page.next_position["after"]
        if stores.monotonic() >= deadline:
            return Erased(removed, after)


def _derivatives(stores: Stores, scope: Scope, resume: str | None, deadline: float) -> Erased:
    """Each photo's render folder (every version), then the folder of photos rendered before media ids."""
    if resume != "legacy":
        walked = _per_photo_page(
            stores,
            scope,
            resume,
            deadline,
            lambda photos: sum(
                stores.derivatives.delete_all_versions_under(keys.photo_media_prefix(p)) for p in photos
            ),
        )
        if walked.resume is not None:
            return walked
        removed = walked.removed
    else:
        removed = 0
    removed += stores.derivatives.delete_all_versions_under(keys.owner_legacy_media_prefix(scope.owner))
    return Erased(removed, None)


def _each(photos: list[Photo], work: Callable[[Photo], int]) -> int:
    """``work`` for every photo of a page, a few at a time: each is a couple of round trips that wait on the network."""
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return sum(pool.map(work, photos))


def _media_folders(derivatives: VersionedBucket, photos: list[Photo]) -> int:
    return _each(photos, lambda photo: derivatives.delete_all_versions_under(keys.photo_media_prefix(photo)))


def _partition_batch(items: AccountItems, pk: str, *, prefix: str = "", keep: Sequence[str] = ()) -> Callable[[], int]:
    return lambda: items.delete_partition(pk, limit=BATCH, prefix=prefix, keep=keep)


def _index(stores: Stores, scope: Scope, resume: str | None, deadline: float) -> Erased:
    """Search terms and content hashes (found through the photo items), then album memberships (through the albums)."""
    if resume != "albums":
        walked = _per_photo_page(
            stores, scope, resume, deadline, lambda photos: _each(photos, stores.leftovers.remove_leftovers)
        )
        if walked.resume is not None:
            return walked
        if stores.monotonic() >= deadline:
            return Erased(walked.removed, "albums")
        removed = walked.removed
    else:
        removed = 0
    for album_id in stores.items.album_ids(scope.owner):
        membership = keys.membership_pk(scope.owner, album_id)
        removed += _drain(stores, float("inf"), _partition_batch(stores.items, membership)).removed
    return Erased(removed, None)


def _originals(stores: Stores, scope: Scope, _resume: str | None, _deadline: float) -> Erased:
    """Every version and delete marker under the owner's prefixes of the originals bucket (whatever the items say:
    a replayed upload, a duplicate's bytes, an upload whose photo was deleted), and exports' unfinished uploads."""
    exports = keys.owner_exports_prefix(scope.owner)
    removed = stores.exports.abort_unfinished(exports)
    removed += stores.originals.delete_all_versions_under(keys.owner_uploads_prefix(scope.owner))
    removed += stores.originals.delete_all_versions_under(exports)
    return Erased(removed, None)


# The owner's partitions that hold only counters, deleted whole before the owner's own partition.
_COUNTER_PARTITIONS: tuple[Callable[[str], str], ...] = (keys.facet_pk, keys.months_pk, keys.quota_pk)


def _library(stores: Stores, scope: Scope, resume: str | None, deadline: float) -> Erased:
    """The counters' partitions, then the owner's own partition (photos, albums, sessions, anything else) but the
    deletion's own job, which goes last of all. ``resume`` counts the partitions done."""
    partitions = [pk(scope.owner) for pk in _COUNTER_PARTITIONS] + [keys.user_pk(scope.owner)]
    done = int(json.loads(resume)) if resume else 0
    removed = 0
    while done < len(partitions):
        pk = partitions[done]
        keep = _own_job(scope) if pk == keys.user_pk(scope.owner) else ()
        drained = _drain(stores, deadline, _partition_batch(stores.items, pk, keep=keep))
        removed += drained.removed
        if drained.resume is not None:
            return Erased(removed, json.dumps(done))
        done += 1
        if done < len(partitions) and stores.monotonic() >= deadline:
            return Erased(removed, json.dumps(done))
    return Erased(removed, None)


def forget_job(stores: Stores, scope: Scope) -> None:
    """The deletion's own job and its input: the very last items of the owner."""
    stores.items.forget_job(scope.owner, scope.job_id)
