"""The ``export`` job ("Download everything"): every original the vault keeps, byte for byte, and a ``metadata.json``
of every photo, as zip parts in S3 — the download job's machinery (bounded steps, one part per step, checkpoints),
fed with the owner's whole catalogue instead of a selection.

The plan step lists every photo item of the owner (trash and unfinished uploads included, a page per Query) and
writes ``metadata.json`` beside the plan: each photo as the API's contract shows it (``GET /photos/{id}`` without
links, which an archive would outlive), with the SHA-256 the pipeline recorded of its original and the file it has in
the archive. The last part carries it; every part's ``manifest.json`` has the SHA-256 of the bytes actually written,
so a person (or a test) can check one against the other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from photovault import keys
from photovault.jobs.download import METADATA_NAME, DownloadConfig, DownloadOriginals
from photovault.jobs.kind import Prepared, StepResult
from photovault.jobs.model import Job
from photovault.model import Photo, PhotoStatus
from photovault.ports import ExportStore, OriginalReader, PhotoCatalog

CATALOG_PAGE = 500
# The photos whose bytes the vault keeps (the same as count against the storage quota).
_KEPT = frozenset({PhotoStatus.READY, PhotoStatus.QUARANTINED})

# (owner, every photo, photo id -> its file name in the archive) -> the bytes of metadata.json
Describe = Callable[[str, Sequence[Photo], Mapping[str, str]], bytes]


class ExportLibrary(DownloadOriginals):
    name: ClassVar[str] = "export"
    empty_ok: ClassVar[bool] = True  # an empty library still exports its (empty) metadata

    def __init__(
        self,
        *,
        catalog: PhotoCatalog,
        originals: OriginalReader,
        exports: ExportStore,
        config: DownloadConfig,
        describe: Describe,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(photos=catalog, originals=originals, exports=exports, config=config, monotonic=monotonic)
        self._catalog = catalog
        self._describe = describe

    @classmethod
    def prepare(cls, owner: str, params: Mapping[str, Any]) -> Prepared:
        return Prepared(job_input={}, total=0)  # how many photos is known once the plan step has listed them

    def step(self, job: Job, job_input: Mapping[str, Any], *, deadline: float) -> StepResult:
        if job.checkpoint.get("phase") != "pack":
            return self._plan(job, [(photo.photo_id, photo) for photo in self._everything(job.owner)])
        return self._pack(job, deadline)

    def included(self, photo: Photo) -> bool:
        return photo.status in _KEPT

    def planned(self, job: Job, selection: list[tuple[str, Photo | None]], entries: list[dict[str, Any]]) -> None:
        photos = [photo for _, photo in selection if photo is not None]
        files = {str(entry["photo_id"]): str(entry["name"]) for entry in entries}
        self._exports.put_bytes(
            keys.export_metadata_key(job.owner, job.job_id),
            self._describe(job.owner, photos, files),
            content_type="application/json",
        )

    def closing_files(self, job: Job) -> list[tuple[str, bytes]]:
        return [(METADATA_NAME, self._exports.get_bytes(keys.export_metadata_key(job.owner, job.job_id)))]

    def _everything(self, owner: str) -> list[Photo]:
        photos: list[Photo] = []
        after: str | None = None
        while True:
            page = self._catalog.catalog(owner, limit=CATALOG_PAGE, after=after)
            photos += page.photos
            if not page.next_position:
                return photos
            after = page.next_position["after"]
