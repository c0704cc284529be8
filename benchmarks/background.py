"""Case 7 — background work: the download job's archive throughput against a plain copy, and the purge's time per
photo against the API's synchronous delete.

Both on moto (in-process), through the real adapters. Archive: ``N`` originals of ``S`` bytes; the download kind
writes one part (a zip streamed through an S3 multipart upload, every entry hashed) — megabytes of originals per
second; baseline: the same originals copied one by one (GetObject + PutObject, the least any archive has to move),
measured in the same run, interleaved. Purge: a photo with three versions of its original, two of each derivative,
two share links and its terms, purged from its old image by ``PurgePhoto``; baseline: what a person's requests do
synchronously to an identical photo before the purge starts (``Library.trash`` then ``Library.delete_forever``).
moto is not S3: the ratios say what the code adds, not what AWS will do.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import CaseResult, Mode, log, ratio
from benchmarks.rig import QUIET_ENV, environment

CASE = "background"
REGION = "eu-west-1"
TABLE = "bench-photos"
ORIGINALS = "bench-originals-123456789012"
DERIVATIVES = "bench-derivatives-123456789012"
MB = 1024 * 1024


def run(mode: Mode, workdir: Path) -> CaseResult:
    """Measure archive MB/s against a plain copy, and purge ms per photo against the synchronous delete."""
    from moto import mock_aws

    result = CaseResult(CASE)
    photos, size, runs = {Mode.SMOKE: (3, 50_000, 1), Mode.QUICK: (12, 2 * MB, 3), Mode.FULL: (30, 3 * MB, 5)}[mode]
    with environment(QUIET_ENV, drop=("AWS_ENDPOINT_URL", "AWS_PROFILE")), mock_aws():
        rig = _Rig()
        log(f"  {CASE}: {photos} originals of {size / MB:.1f} MB archived vs copied, {runs} runs each, interleaved")
        archived, copied = [], []
        for index in range(runs):
            owner = str(uuid.uuid4())
            ids = rig.seed_originals(owner, photos, size)
            for archive in (True, False) if index % 2 == 0 else (False, True):
                (archived if archive else copied).append(rig.archive(owner, ids) if archive else rig.copy(owner, ids))
        total_mb = photos * size / MB
        zipped = result.metric("download: originals archived per second", [total_mb / t for t in archived], "MB/s")
        plain = result.metric("baseline: originals copied per second", [total_mb / t for t in copied], "MB/s")
        result.goal(
            "archive throughput vs plain copy",
            ratio(zipped.median, plain.median),
            0.5,
            at_least=True,
            detail=f"{zipped.median:.0f} MB/s ÷ {plain.median:.0f} MB/s (zip, SHA-256 and multipart included)",
        )
    # The purge in a fresh emulator: moto answers ListObjectVersions by walking the whole bucket (S3 reads only the
    # prefix), so the archive phase's hundreds of megabytes made each purge take seconds (12× the baseline, measured).
    with environment(QUIET_ENV, drop=("AWS_ENDPOINT_URL", "AWS_PROFILE")), mock_aws():
        rig = _Rig()
        purged, deleted = [], []
        for index in range(runs + 2):
            for purge in (True, False) if index % 2 == 0 else (False, True):
                (purged if purge else deleted).append(rig.purge_one() if purge else rig.delete_one())
        purge_ms = result.metric(
            "purge per photo (7 object versions, 2 shares, terms)", [t * 1e3 for t in purged], "ms"
        )
        delete_ms = result.metric(
            "baseline: synchronous trash + delete forever per photo", [t * 1e3 for t in deleted], "ms"
        )
        result.goal(
            "purge vs synchronous trash + delete forever per photo",
            ratio(purge_ms.median, delete_ms.median),
            2.0,
            detail=f"{purge_ms.median:.0f} ms ÷ {delete_ms.median:.0f} ms (the purge also removes old versions)",
        )
    return result


class _Rig:
    """Table, versioned buckets and the use cases, on the active moto mock."""

    def __init__(self) -> None:
        import boto3

        from photovault.adapters.dynamodb.albums import DynamoAlbumRepository
        from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
        from photovault.adapters.dynamodb.shares import DynamoShareRepository
        from photovault.adapters.s3 import (
            MIN_PART_BYTES,
            S3ExportStore,
            S3OriginalReader,
            S3VersionDeleter,
        )
        from photovault.jobs.download import DownloadConfig, DownloadOriginals
        from photovault.purge.service import PurgePhoto, cleanup_steps
        from tests.support.aws import create_table

        self.ddb = boto3.client("dynamodb", region_name=REGION)
        self.s3 = boto3.client("s3", region_name=REGION)
        create_table(self.ddb, TABLE)
        for bucket in (ORIGINALS, DERIVATIVES):
            self.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        self.photos = DynamoPhotoRepository(self.ddb, TABLE)
        self.shares = DynamoShareRepository(self.ddb, TABLE)
        self.albums = DynamoAlbumRepository(self.ddb, TABLE)
        self.download = DownloadOriginals(
            photos=self.photos,
            originals=S3OriginalReader(self.s3, ORIGINALS),
            exports=S3ExportStore(self.s3, ORIGINALS, part_bytes=MIN_PART_BYTES),
            config=DownloadConfig(),
        )
        self.purge = PurgePhoto(
            cleanup_steps(
                shares=self.shares,
                albums=self.albums,
                leftovers=self.photos,
                originals=S3VersionDeleter(self.s3, ORIGINALS),
                derivatives=S3VersionDeleter(self.s3, DERIVATIVES),
            )
        )
        self.library = _library(self.photos, self.albums, self.s3)

    def seed_originals(self, owner: str, count: int, size: int) -> list[str]:
        from photovault import keys
        from photovault.adapters.dynamodb.codec import photo_item, serialize
        from tests.support.fakes import make_photo

        ids = []
        for _ in range(count):
            data = os.urandom(size)
            photo = make_photo(owner)
            assert photo.facts is not None
            facts = dataclasses.replace(photo.facts, size_bytes=size, sha256=hashlib.sha256(data).hexdigest())
            photo = dataclasses.replace(photo, facts=facts)
            self.ddb.put_item(TableName=TABLE, Item=serialize(photo_item(photo)))
            self.s3.put_object(Bucket=ORIGINALS, Key=keys.originals_key(owner, photo.photo_id), Body=data)
            ids.append(photo.photo_id)
        return ids

    def archive(self, owner: str, photo_ids: list[str]) -> float:
        from photovault.jobs.model import Job, JobState, Progress

        job = Job(owner, str(uuid.uuid4()), "download", JobState.RUNNING, "2026-05-01T00:00:00Z", "", 0)
        planned = self.download.step(job, {"photo_ids": sorted(photo_ids)}, deadline=float("inf"))
        job = dataclasses.replace(job, checkpoint=planned.checkpoint, progress=Progress(0, len(photo_ids)))
        started = time.perf_counter()
        packed = self.download.step(job, {}, deadline=float("inf"))
        elapsed = time.perf_counter() - started
        assert packed.done and packed.outputs[0].items == len(photo_ids)
        return elapsed

    def copy(self, owner: str, photo_ids: list[str]) -> float:
        from photovault import keys

        started = time.perf_counter()
        for photo_id in photo_ids:
            data = self.s3.get_object(Bucket=ORIGINALS, Key=keys.originals_key(owner, photo_id))["Body"].read()
            self.s3.put_object(Bucket=ORIGINALS, Key=f"copies/{owner}/{photo_id}", Body=data)
        return time.perf_counter() - started

    def photo_with_everything(self) -> Any:
        """A processed photo (item, terms, hash, facets), 3 original versions, 2 of each derivative, 2 shares."""
        from photovault import keys
        from photovault.ports import Share
        from tests.integration.api.apitools import seed_through_pipeline
        from tests.support.fakes import make_photo

        owner = str(uuid.uuid4())
        photo = make_photo(owner, labels=[("Lighthouse", 97.0), ("Sea", 90.0)], text=["welcome", "harbour"])
        seed_through_pipeline(self.ddb, TABLE, photo)
        for _ in range(3):
            self.s3.put_object(Bucket=ORIGINALS, Key=keys.originals_key(owner, photo.photo_id), Body=os.urandom(1000))
        for kind in ("thumb", "preview"):
            for _ in range(2):
                key = keys.derivative_key(photo, kind)
                self.s3.put_object(Bucket=DERIVATIVES, Key=key, Body=os.urandom(500))
        for n in range(2):
            self.shares.create(Share(f"{uuid.uuid4().hex}{n}", owner, photo.photo_id, "2026-01-01T00:00:00Z", 2**31))
        return self.photos.get(owner, photo.photo_id)

    def purge_one(self) -> float:
        from photovault import keys
        from photovault.adapters.dynamodb.codec import serialize

        photo = self.photo_with_everything()
        key = serialize({"pk": keys.user_pk(photo.owner), "sk": keys.photo_sk(photo.photo_id)})
        self.ddb.delete_item(TableName=TABLE, Key=key)  # what the stream reports; the purge's work starts here
        return _timed(lambda: self.purge(photo))

    def delete_one(self) -> float:
        photo = self.photo_with_everything()

        def trash_and_delete_forever() -> None:
            self.library.trash(photo.owner, photo.photo_id)
            self.library.delete_forever(photo.owner, photo.photo_id)

        return _timed(trash_and_delete_forever)


def _library(photos: Any, albums: Any, s3: Any) -> Any:
    from photovault.adapters.s3 import S3UploadPresigner
    from photovault.library.cursor import CursorCodec
    from photovault.library.service import Library, LibraryConfig
    from tests.support.fakes import FakeSigner

    return Library(
        repo=photos,
        index=photos,
        albums=albums,
        presigner=S3UploadPresigner(s3, ORIGINALS),
        media=FakeSigner(),
        cursors=CursorCodec(b"bench-cursor-secret-0123456789abcdef"),
        config=LibraryConfig(),
    )


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
