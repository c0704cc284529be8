"""The purge use case: run every cleanup step for a photo item that was removed, idempotently.

A REMOVE can be delivered more than once (stream retries, bisected batches, a replay), so every step deletes what
exists and counts it, and a step that finds nothing is a success. The steps are independent: one failing (an S3
outage) does not keep the others from running, and the record is retried as a whole afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from photovault import keys
from photovault.model import Photo
from photovault.ports import AlbumRepository, PhotoLeftovers, ShareRepository, VectorIndex, VersionedBucket

if TYPE_CHECKING:  # the purge function never decodes images: it needs the people index, not its imports
    from photovault.people.service import PeopleIndex


class Removal(StrEnum):
    """Who removed the photo item."""

    USER = "user"  # a request: delete forever, empty trash, account deletion
    EXPIRED = "expired"  # DynamoDB's TTL process: 30 days in the trash, or an upload whose bytes never came


@dataclass(frozen=True, slots=True)
class CleanupStep:
    """One kind of thing a removed photo leaves behind. ``run`` deletes what is left of it and says how many."""

    name: str
    run: Callable[[Photo], int]


# The steps whose counts are S3 object versions (the ``PurgedObjects`` metric).
OBJECT_STEPS = frozenset({"originals", "derivatives"})


def cleanup_steps(
    *,
    shares: ShareRepository,
    albums: AlbumRepository,
    leftovers: PhotoLeftovers,
    originals: VersionedBucket,
    derivatives: VersionedBucket,
    vectors: VectorIndex | None = None,
    people: PeopleIndex | None = None,
) -> list[CleanupStep]:
    """Everything a purge removes, in order: links first (nothing may be reachable), then the table's items and the
    photo's vector (search by meaning; where one is configured) and its faces (out of the owner's face index and
    people), then the bytes."""
    steps = [
        CleanupStep("shares", lambda photo: shares.delete_for_photo(photo.owner, photo.photo_id)),
        # Memberships normally left with the trash; any still there (a photo removed without passing through the
        # trash, as account deletion will) go here, each album's count down once.
        CleanupStep("albums", albums.detach),
        CleanupStep("index", leftovers.remove_leftovers),
        CleanupStep(
            "originals", lambda photo: originals.delete_all_versions(keys.originals_key(photo.owner, photo.photo_id))
        ),
        CleanupStep(
            "derivatives",
            lambda photo: derivatives.delete_all_versions_under(keys.photo_media_prefix(photo)),
        ),
    ]
    if vectors is not None:
        steps.insert(3, CleanupStep("vectors", lambda photo: _forget_vector(vectors, photo)))
    if people is not None:
        step = CleanupStep("faces", lambda photo: people.purge_photo(photo.owner, photo.photo_id))
        steps.insert(3, step)
    return steps


def _forget_vector(vectors: VectorIndex, photo: Photo) -> int:
    vectors.delete(photo.owner, photo.photo_id)  # idempotent: a photo never embedded (or purged before) is fine
    return 1


@dataclass(frozen=True, slots=True)
class PurgeOutcome:
    photo_id: str
    removed: Mapping[str, int]  # step name -> how many things it deleted

    @property
    def objects(self) -> int:
        return sum(count for name, count in self.removed.items() if name in OBJECT_STEPS)


class PurgeIncomplete(Exception):
    """Some steps failed; the others ran. Retrying the whole purge is safe (every step is idempotent)."""

    def __init__(self, photo_id: str, removed: Mapping[str, int], failures: Mapping[str, str]) -> None:
        super().__init__(f"purge of {photo_id} incomplete: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
        self.removed = dict(removed)
        self.failures = dict(failures)


class PurgePhoto:
    def __init__(self, steps: Sequence[CleanupStep]) -> None:
        names = [step.name for step in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"cleanup steps must have distinct names: {names}")
        self._steps = tuple(steps)

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self._steps)

    def __call__(self, photo: Photo) -> PurgeOutcome:
        removed: dict[str, int] = {}
        failures: dict[str, str] = {}
        for step in self._steps:
            try:
                removed[step.name] = step.run(photo)
            except Exception as exc:  # every step gets its chance; the record is retried as a whole
                failures[step.name] = f"{type(exc).__name__}: {exc}"
        if failures:
            raise PurgeIncomplete(photo.photo_id, removed, failures)
        return PurgeOutcome(photo_id=photo.photo_id, removed=removed)
