"""The ``download`` job: the originals of a selection of photos as zip parts in S3, each written in one step.

Step 1 (plan) reads the selected photos (the owner's partition only), decides which can be downloaded and under which
unique, safe name, and stores that plan beside the parts. Every later step writes one part: it copies originals in
plan order into a zip streamed to S3 until the part holds ``max_part_bytes`` or ``max_part_photos`` or the step's
time is up, adds a ``manifest.json`` (every file with its SHA-256, and what was left out and why), and records the
part in the checkpoint. A step that dies is simply run again: its unfinished upload is aborted and the same part is
rewritten from the same place in the plan, so no photo is ever in two parts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from photovault import ids, keys
from photovault.errors import InvalidInput, ObjectMissing
from photovault.jobs.archive import MANIFEST_NAME, UniqueNames, ZipStream, safe_name
from photovault.jobs.kind import Prepared, StepResult
from photovault.jobs.model import Job, JobFailed, JobOutput, Progress
from photovault.model import Photo, PhotoStatus
from photovault.ports import ExportStore, OriginalReader, PhotoReader

MAX_SELECTION = 10_000
METADATA_NAME = "metadata.json"
RESERVED_NAMES = (MANIFEST_NAME, METADATA_NAME)  # no original is ever named like the files an archive adds
PLAN_VERSION = 1
ZIP_TYPE = "application/zip"


@dataclass(frozen=True, slots=True)
class DownloadConfig:
    max_part_bytes: int = 1024**3  # a part is one step's work: well inside the function's timeout
    max_part_photos: int = 2_000
    chunk_bytes: int = 1024 * 1024  # read size per original: what is in memory per photo at a time


def downloadable(photo: Photo) -> bool:
    """Whose original a download includes: READY photos (an upload still processing, or refused, has no photo to
    give; the library adds "and not in the trash")."""
    return photo.status is PhotoStatus.READY


def part_filename(job: Job, part: int) -> str:
    """What the browser saves part ``part`` as: ``photovault-2026-05-01-<job>-part-1.zip``."""
    return f"photovault-{job.created_at[:10]}-{job.job_id[-8:]}-part-{part}.zip"


class DownloadOriginals:
    name: ClassVar[str] = "download"
    empty_ok: ClassVar[bool] = False  # a selection of which nothing can be downloaded is a failure

    def __init__(
        self,
        *,
        photos: PhotoReader,
        originals: OriginalReader,
        exports: ExportStore,
        config: DownloadConfig,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._photos = photos
        self._originals = originals
        self._exports = exports
        self._config = config
        self._monotonic = monotonic

    @classmethod
    def prepare(cls, owner: str, params: Mapping[str, Any]) -> Prepared:
        photo_ids = params.get("photo_ids")
        if not isinstance(photo_ids, list) or not photo_ids or len(photo_ids) > MAX_SELECTION:
            raise InvalidInput(
                f"Select between 1 and {MAX_SELECTION} photos to download.", details={"field": "body.photo_ids"}
            )
        if not all(isinstance(pid, str) and ids.is_photo_id(pid) for pid in photo_ids):
            raise InvalidInput("Every photo id must be a photo id.", details={"field": "body.photo_ids"})
        unique = sorted(set(photo_ids))  # upload order, each once
        return Prepared(job_input={"photo_ids": unique}, total=len(unique))

    def step(self, job: Job, job_input: Mapping[str, Any], *, deadline: float) -> StepResult:
        if job.checkpoint.get("phase") != "pack":
            photo_ids = [str(pid) for pid in job_input["photo_ids"]]
            found = self._photos.get_many(job.owner, photo_ids)
            return self._plan(job, [(photo_id, found.get(photo_id)) for photo_id in photo_ids])
        return self._pack(job, deadline)

    def included(self, photo: Photo) -> bool:
        """Whose original goes into the archive (the export kind widens it)."""
        return downloadable(photo)

    def planned(self, job: Job, selection: list[tuple[str, Photo | None]], entries: list[dict[str, Any]]) -> None:
        """Called once the plan is made, before it is stored (the export writes its ``metadata.json`` here)."""

    def closing_files(self, job: Job) -> list[tuple[str, bytes]]:
        """Files the last part carries besides the originals and its manifest (the export's ``metadata.json``)."""
        return []

    # -- step 1: which photos, under which names ---------------------------------------------------------------
    def _plan(self, job: Job, selection: list[tuple[str, Photo | None]]) -> StepResult:
        names = UniqueNames(RESERVED_NAMES)
        entries: list[dict[str, Any]] = []
        skipped: list[dict[str, str]] = []
        for photo_id, photo in selection:
            if photo is None:  # deleted, or never this owner's: nothing about it is read or revealed
                skipped.append({"photo_id": photo_id, "reason": "not_found"})
            elif not self.included(photo):
                skipped.append({"photo_id": photo_id, "reason": f"status_{photo.status.value.lower()}"})
            else:
                facts = photo.facts
                entries.append(
                    {
                        "photo_id": photo_id,
                        "name": names.claim(safe_name(photo.filename, photo.content_type)),
                        "filename": photo.filename,
                        "content_type": photo.content_type,
                        "size": facts.size_bytes if facts else 0,
                        "sha256": facts.sha256 if facts else None,
                        "taken_at": facts.taken_at if facts else None,
                        "uploaded_at": photo.created_at,
                    }
                )
        if not entries and not self.empty_ok:
            raise JobFailed("nothing_to_download", "None of the selected photos can be downloaded.")
        self.planned(job, selection, entries)
        plan = {"version": PLAN_VERSION, "entries": entries, "skipped": skipped}
        self._exports.put_bytes(
            keys.export_plan_key(job.owner, job.job_id),
            json.dumps(plan, separators=(",", ":")).encode(),
            content_type="application/json",
        )
        return StepResult(
            checkpoint={"phase": "pack", "next": 0, "skipped": len(skipped)},
            progress=Progress(done=len(skipped), total=len(selection)),
            extra={"planned": len(entries), "skipped": len(skipped)},
        )

    # -- every other step: one part ----------------------------------------------------------------------------
    def _pack(self, job: Job, deadline: float) -> StepResult:
        plan = json.loads(self._exports.get_bytes(keys.export_plan_key(job.owner, job.job_id)))
        entries: list[dict[str, Any]] = plan["entries"]
        start = int(job.checkpoint["next"])
        number = len(job.outputs) + 1
        key = keys.export_part_key(job.owner, job.job_id, number)
        # A step that died left its upload unfinished: drop it, so this part is written once, from the same place.
        self._exports.abort_unfinished(keys.export_prefix(job.owner, job.job_id))
        packed: list[dict[str, Any]] = []
        missing: list[dict[str, str]] = []
        size = 0
        index = start
        sink = self._exports.open_part(key, content_type=ZIP_TYPE)
        try:
            with ZipStream(sink) as archive:
                while index < len(entries):
                    entry = entries[index]
                    if packed and (
                        size + int(entry["size"]) > self._config.max_part_bytes
                        or len(packed) >= self._config.max_part_photos
                        or self._monotonic() >= deadline
                    ):
                        break
                    index += 1
                    written = self._copy(archive, job.owner, entry)
                    if written is None:
                        missing.append({"photo_id": entry["photo_id"], "reason": "original_missing"})
                        continue
                    packed.append(written)
                    size += int(written["size"])
                last = index >= len(entries)
                extra = self.closing_files(job) if last else []
                if packed or extra:
                    manifest = self._manifest(job, number, packed, missing, plan["skipped"] if last else [])
                    archive.add_bytes(MANIFEST_NAME, manifest)
                for name, data in extra:
                    archive.add_bytes(name, data, modified=job.created_at)
            stored = sink.close() if packed or extra else None
        except BaseException:
            sink.abort()
            raise
        if stored is None:
            sink.abort()
        outputs = job.outputs
        if stored is not None:
            name = part_filename(job, number)
            outputs = (*outputs, JobOutput(name, stored.key, stored.version_id, stored.size, len(packed)))
        skipped = int(job.checkpoint.get("skipped", 0))
        return StepResult(
            checkpoint={"phase": "pack", "next": index, "skipped": skipped},
            progress=Progress(done=skipped + index, total=job.progress.total),
            outputs=outputs,
            done=last,
            extra={"part": number if stored else None, "photos": len(packed), "bytes": size, "missing": len(missing)},
        )

    def _copy(self, archive: ZipStream, owner: str, entry: Mapping[str, Any]) -> dict[str, Any] | None:
        """Copy one original into the archive; None when it is gone. The key is built from the job's owner and a
        photo id of the plan, never taken from anywhere else."""
        chunks = self._originals.chunks(
            keys.originals_key(owner, str(entry["photo_id"])), chunk_size=self._config.chunk_bytes
        )
        try:
            first = next(chunks, b"")  # the object is looked up before the entry exists, so a missing one adds none
        except ObjectMissing:
            return None

        def everything() -> Any:
            yield first
            yield from chunks

        written = archive.add(
            str(entry["name"]),
            everything(),
            size_hint=int(entry["size"]),
            modified=entry.get("taken_at") or entry["uploaded_at"],
        )
        return {**entry, "size": written.size, "sha256": written.sha256}

    @staticmethod
    def _manifest(
        job: Job,
        number: int,
        packed: list[dict[str, Any]],
        missing: list[dict[str, str]],
        skipped: list[dict[str, str]],
    ) -> bytes:
        document = {
            "job_id": job.job_id,
            "part": number,
            "created_at": job.created_at,
            "files": [
                {
                    "name": item["name"],
                    "photo_id": item["photo_id"],
                    "original_filename": item["filename"],
                    "content_type": item["content_type"],
                    "size_bytes": item["size"],
                    "sha256": item["sha256"],
                    "taken_at": item["taken_at"],
                    "uploaded_at": item["uploaded_at"],
                }
                for item in packed
            ],
            "left_out": [*missing, *skipped],
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode()
