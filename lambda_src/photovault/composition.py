"""The one composition root: the worker's ``IngestPhoto``, the API's services, the purge's ``PurgePhoto`` and the
jobs function's ``RunJobStep``, built from ``Settings`` and the AWS adapters on first use (once per process, so
``/health`` and a cold start pay for nothing they do not use).

``override`` is the one hook to build something else: tests hand in whole use cases, and the local stack hands in
its offline analyzer, embedder and geocoder (and no text generator, so captions are composed) while everything else
stays the AWS adapters on the emulator — S3 Vectors included. Nothing in ``lambda_src`` knows of any implementation
but AWS's.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack, cast

if TYPE_CHECKING:  # the use cases load with the adapters on first use, not at import
    from photovault.account.sessions import Sessions
    from photovault.adapters.dynamodb.albums import DynamoAlbumRepository
    from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
    from photovault.adapters.dynamodb.shares import DynamoShareRepository
    from photovault.api.origin import OriginCheck
    from photovault.jobs.delete_account import DeleteAccount
    from photovault.jobs.runner import RunJobStep
    from photovault.jobs.service import Jobs
    from photovault.library.albums import Albums
    from photovault.library.cursor import CursorCodec
    from photovault.library.service import Library
    from photovault.model import Photo
    from photovault.notifications.digest import DigestConfig, SendDigest
    from photovault.notifications.email import EmailNotifications
    from photovault.people.service import People, PeopleIndex
    from photovault.pipeline.ingest import IngestPhoto
    from photovault.ports import (
        Embedder,
        FaceIndex,
        Geocoder,
        ImageAnalyzer,
        MediaStore,
        MediaUrlSigner,
        TextGenerator,
        VectorIndex,
        WorkQueue,
    )
    from photovault.purge.service import PurgePhoto
    from photovault.settings import Settings
    from photovault.sharing.service import Sharing


T = TypeVar("T")


class ApiServices:
    """The API's use cases. Given (tests), each is used as is; built from the settings (``api()``), each is built at
    its first use, so a request builds only what its route uses and a cold start none of them: the routes load per
    resource (``photovault.api.app``) and so do the use cases behind them (issue 18)."""

    __slots__ = ("_build", "_services")

    def __init__(
        self,
        *,
        library: Library | None = None,
        albums: Albums | None = None,
        sharing: Sharing | None = None,
        jobs: Jobs | None = None,
        sessions: Sessions | None = None,
        people: People | None = None,
        build: _ApiBuild | None = None,
    ) -> None:
        given = {"library": library, "albums": albums, "sharing": sharing, "jobs": jobs, "sessions": sessions}
        self._services: dict[str, object] = {name: part for name, part in given.items() if part is not None}
        if people is not None:
            self._services["people"] = people
        self._build = build

    def _get(self, name: str) -> object:
        if name in self._services:
            return self._services[name]
        if self._build is None:
            raise LookupError(f"no {name} service was given")
        with _lock:  # cached_property does not lock, and the local stack's threads share one process
            return getattr(self._build, name)

    @property
    def library(self) -> Library:
        return cast("Library", self._get("library"))

    @property
    def albums(self) -> Albums:
        return cast("Albums", self._get("albums"))

    @property
    def sharing(self) -> Sharing:
        return cast("Sharing", self._get("sharing"))

    @property
    def jobs(self) -> Jobs:
        return cast("Jobs", self._get("jobs"))

    @property
    def sessions(self) -> Sessions:
        return cast("Sessions", self._get("sessions"))

    @property
    def people(self) -> People | None:
        """Always built from the settings; tests of other routes may leave it out."""
        if self._build is None and "people" not in self._services:
            return None
        return cast("People", self._get("people"))


class Parts(TypedDict, total=False):
    """What ``override`` replaces. Ports (``analyzer``, ``captioner``, ``embedder``, ``geocoder``) go into the use cases
    built next;
    a use case (``ingest``, ``api``) is used as given. ``captioner=None`` means no model: captions are composed."""

    analyzer: ImageAnalyzer
    captioner: TextGenerator | None
    embedder: Embedder
    geocoder: Geocoder | None
    face_index: FaceIndex
    ingest: IngestPhoto
    api: ApiServices
    purge: PurgePhoto
    job_runner: RunJobStep
    origin: OriginCheck | None
    digest_sender: SendDigest
    email_notifications: EmailNotifications
    work_queue: WorkQueue


_lock = threading.RLock()
_parts: Parts = {}
_built: dict[str, object] = {}  # what was built from the settings, by the name of its accessor


def override(**parts: Unpack[Parts]) -> None:
    """Use ``parts`` instead of what would be built from AWS, from the next use on (earlier builds are forgotten)."""
    with _lock:
        _parts.update(parts)
        _built.clear()


def reset() -> None:
    """Forget every override and everything built: the next use builds from the settings again."""
    global _parts  # noqa: PLW0603 — the one per-process container
    with _lock:
        _parts = {}
        _built.clear()


def _one(name: str, build: Callable[[], T]) -> T:
    """The overriding part named ``name``, or what ``build`` makes — once per process (until override/reset)."""
    with _lock:
        if name not in _built:
            given: dict[str, object] = dict(_parts)
            _built[name] = given[name] if name in given else build()
        return cast(T, _built[name])


def ingest() -> IngestPhoto:
    """The worker's use case."""
    return _one("ingest", _build_ingest)


def api() -> ApiServices:
    """The API's use cases."""
    return _one("api", _build_api)


def purge() -> PurgePhoto:
    """The purge function's use case."""
    return _one("purge", _build_purge)


def job_runner() -> RunJobStep:
    """The jobs function's use case."""
    return _one("job_runner", _build_job_runner)


def digest_sender() -> SendDigest:
    """The jobs function's other use case: a digest's timer fired."""
    return _one("digest_sender", _build_digest_sender)


def email_notifications() -> EmailNotifications:
    """The owner's e-mail opt-in (the API's account page; account deletion calls ``remove(owner)``)."""
    return _one("email_notifications", _build_email_notifications)


def work_queue() -> WorkQueue:
    """The forwarder's destination: the ingest queue, each message in its owner's group."""
    return _one("work_queue", _build_work_queue)


def origin() -> OriginCheck | None:
    """The API's check that a request came through CloudFront (None where no origin secret is configured). Built on
    its own: ``/health`` pays for one SSM read, not for the whole API."""
    return _one("origin", _build_origin)


# ---------------------------------------------------------------- builders


def _digest_config(settings: Settings) -> DigestConfig:
    from photovault.notifications.digest import DigestConfig

    return DigestConfig(quiet_seconds=settings.digest_quiet_seconds, max_wait_seconds=settings.digest_max_wait_seconds)


def _build_digest_sender() -> SendDigest:
    from photovault.adapters.clients import client
    from photovault.adapters.dynamodb.notifications import DynamoNotificationRepository
    from photovault.adapters.sns import SnsNotifier
    from photovault.adapters.sqs import SqsDigestTimer
    from photovault.notifications.digest import SendDigest
    from photovault.settings import get_settings

    settings = get_settings()
    return SendDigest(
        repo=DynamoNotificationRepository(client("dynamodb"), settings.table_name),
        timer=SqsDigestTimer(client("sqs"), settings.jobs_queue_url),
        mailer=SnsNotifier(client("sns"), settings.events_topic_arn),
        config=_digest_config(settings),
    )


def _build_email_notifications() -> EmailNotifications:
    from photovault.adapters.clients import client
    from photovault.adapters.dynamodb.notifications import DynamoNotificationRepository
    from photovault.adapters.sns import SnsSubscriptions
    from photovault.notifications.email import EmailNotifications
    from photovault.settings import get_settings

    settings = get_settings()
    return EmailNotifications(
        repo=DynamoNotificationRepository(client("dynamodb"), settings.table_name),
        subscriptions=SnsSubscriptions(client("sns"), settings.events_topic_arn),
    )


def _build_work_queue() -> WorkQueue:
    from photovault.adapters.clients import client
    from photovault.adapters.sqs import SqsWorkQueue
    from photovault.settings import get_settings

    return SqsWorkQueue(client("sqs"), get_settings().ingest_queue_url)


def _build_origin() -> OriginCheck | None:
    from photovault.settings import get_settings

    settings = get_settings()
    if not settings.origin_verify_parameter:
        return None
    from photovault.adapters.clients import client
    from photovault.adapters.cloudfront import origin_secrets_loader
    from photovault.api.origin import OriginCheck

    return OriginCheck(origin_secrets_loader(settings.origin_verify_parameter, client("ssm")))


def _analyzer(settings: Settings) -> ImageAnalyzer:
    if "analyzer" in _parts:
        return _parts["analyzer"]
    from photovault.adapters.clients import client
    from photovault.adapters.rekognition import RekognitionAnalyzer

    # The pipeline retries throttling itself, within the Lambda deadline: keep botocore's own retries short.
    return RekognitionAnalyzer(client("rekognition", max_attempts=2), min_confidence=settings.min_label_confidence)


def _captioner(settings: Settings) -> TextGenerator | None:
    if "captioner" in _parts:
        return _parts["captioner"]
    from photovault.adapters.bedrock import BedrockTextGenerator
    from photovault.adapters.clients import client

    return BedrockTextGenerator(client("bedrock-runtime", max_attempts=2, read_timeout=30), settings.bedrock_model_id)


def _embedder(settings: Settings) -> Embedder:
    if "embedder" in _parts:
        return _parts["embedder"]
    from photovault.adapters.clients import client
    from photovault.adapters.titan import TitanEmbedder

    # Retried by the pipeline like analysis (throttling), and by the API not at all: a search answers by words then.
    runtime = client("bedrock-runtime", max_attempts=2, read_timeout=20)
    return TitanEmbedder(runtime, settings.embedding_model_id, settings.embedding_dimension)


def _geocoder(settings: Settings) -> Geocoder | None:
    """Places from GPS: the configured Amazon Location place index, or None (no place names) when there is none."""
    if "geocoder" in _parts:
        return _parts["geocoder"]
    if not settings.place_index:
        return None
    from photovault.adapters.clients import client
    from photovault.adapters.location import LocationGeocoder

    # Retried by the pipeline within the Lambda deadline, like analysis: keep botocore's own retries short.
    return LocationGeocoder(client("location", max_attempts=2, read_timeout=10), settings.place_index)


def _search_by_meaning(settings: Settings) -> tuple[Embedder, VectorIndex] | None:
    """The embedder and the vector index, or None when no vector bucket is configured (search by words only)."""
    if not (settings.vector_bucket and settings.vector_index):
        return None
    from photovault.adapters.clients import client
    from photovault.adapters.s3vectors import S3VectorIndex

    embedder = _embedder(settings)
    index = S3VectorIndex(
        client("s3vectors", max_attempts=2),
        bucket=settings.vector_bucket,
        index=settings.vector_index,
        dimension=embedder.dimension,
    )
    return embedder, index


def _face_index(settings: Settings) -> FaceIndex | None:
    """The injected face index (the local stack's), else Rekognition collections under the configured prefix; None
    when neither."""
    if "face_index" in _parts:
        return _parts["face_index"]
    if not settings.face_collection_prefix:
        return None
    from photovault.adapters.clients import client
    from photovault.adapters.rekognition_faces import RekognitionFaceIndex

    return RekognitionFaceIndex(client("rekognition", max_attempts=2), prefix=settings.face_collection_prefix)


def _people_index(
    settings: Settings, media: MediaStore, meter: Callable[[int], None] | None = None
) -> PeopleIndex | None:
    """Faces into people: the injected face index (the local stack's), else Rekognition collections under the
    configured prefix; None when neither (faces are then detected but not grouped)."""
    from photovault.adapters.clients import client
    from photovault.adapters.dynamodb.people import DynamoPeopleRepository
    from photovault.people.service import PeopleIndex

    index = _face_index(settings)
    if index is None:
        return None
    repo = DynamoPeopleRepository(client("dynamodb"), settings.table_name)
    return PeopleIndex(index=index, repo=repo, media=media, meter=meter)


def _count_face_calls(calls: int) -> None:
    """The API's face index calls (a restore indexes again) into the AI spend; the worker counts its own."""
    from aws_lambda_powertools.metrics import MetricUnit

    from photovault.observability import MetricName, metrics

    if calls:
        metrics.add_metric(name=MetricName.FACE_INDEX_CALLS, unit=MetricUnit.Count, value=calls)


def _build_ingest() -> IngestPhoto:
    from photovault.adapters.clients import client
    from photovault.adapters.dynamodb.notifications import DynamoNotificationRepository
    from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
    from photovault.adapters.s3 import S3MediaStore, S3OriginalStore, S3VersionDeleter
    from photovault.adapters.sns import SnsNotifier
    from photovault.adapters.sqs import SqsDigestTimer
    from photovault.images import ImageLimits
    from photovault.notifications.digest import DigestNotices
    from photovault.pipeline.ingest import IngestConfig, IngestPhoto
    from photovault.settings import get_settings

    settings = get_settings()
    meaning = _search_by_meaning(settings)
    # Without the jobs queue there are no digests: no SQS client either (a client is ~10 ms of a cold start).
    digests = (
        DigestNotices(
            repo=DynamoNotificationRepository(client("dynamodb"), settings.table_name),
            timer=SqsDigestTimer(client("sqs"), settings.jobs_queue_url),
            config=_digest_config(settings),
        )
        if settings.jobs_queue_url
        else None
    )
    media = S3MediaStore(client("s3"), settings.derivatives_bucket)
    return IngestPhoto(
        originals=S3OriginalStore(client("s3")),
        media=media,
        repository=DynamoPhotoRepository(client("dynamodb"), settings.table_name),
        analyzer=_analyzer(settings),
        captioner=_captioner(settings),
        notifier=SnsNotifier(client("sns"), settings.events_topic_arn),
        uploads=S3VersionDeleter(client("s3"), settings.originals_bucket),
        config=IngestConfig(
            limits=ImageLimits.from_settings(settings),
            moderation_threshold=settings.moderation_threshold,
            min_label_confidence=settings.min_label_confidence,
            caption_max_tokens=settings.caption_max_tokens,
            max_deliveries=settings.ingest_max_receive_count,
            originals_bucket=settings.originals_bucket,
            pending_lifetime_seconds=settings.pending_lifetime_seconds,
        ),
        embedder=meaning[0] if meaning else None,
        vectors=meaning[1] if meaning else None,
        digests=digests,
        geocoder=_geocoder(settings),
        people=_people_index(settings, media),
    )


def _build_api() -> ApiServices:
    """What every route shares, now: the settings, the clients and the signing key (read from SSM once per
    process). The use cases themselves build at their first use (``_ApiBuild``)."""
    from photovault.adapters.clients import client
    from photovault.adapters.cloudfront import ssm_key_loader
    from photovault.observability import logger
    from photovault.settings import get_settings

    settings = get_settings()
    dynamodb, s3 = client("dynamodb"), client("s3")
    if settings.signing_key_parameter:
        pem = ssm_key_loader(settings.signing_key_parameter, client("ssm"))()
    else:
        # No key configured (a misconfigured stack): media URLs cannot be signed, and cursors only hold within
        # this process. Say so loudly rather than failing every request.
        logger.warning("SIGNING_KEY_PARAMETER is not set: media URLs will fail and cursors are per-process")
        pem = ""
    return ApiServices(build=_ApiBuild(settings, dynamodb, s3, pem))


class _ApiBuild:
    """Each of the API's use cases and the parts they share, each built once, at its first use."""

    def __init__(self, settings: Settings, dynamodb: Any, s3: Any, pem: str) -> None:
        self.settings, self.dynamodb, self.s3, self.pem = settings, dynamodb, s3, pem

    @cached_property
    def cursors(self) -> CursorCodec:
        from photovault.library.cursor import CursorCodec, derive_secret

        return CursorCodec(derive_secret(self.pem.encode()) if self.pem else os.urandom(32))

    @cached_property
    def media(self) -> MediaUrlSigner:
        from photovault.adapters.cloudfront import CloudFrontSigner

        pem = self.pem

        def load_key() -> str:
            if not pem:
                raise RuntimeError("no CloudFront signing key configured (SIGNING_KEY_PARAMETER)")
            return pem

        return CloudFrontSigner(
            key_pair_id=self.settings.cloudfront_key_pair_id, base_url=self.settings.media_base_url, load_key=load_key
        )

    @cached_property
    def photos(self) -> DynamoPhotoRepository:
        from photovault.adapters.dynamodb.photos import DynamoPhotoRepository

        return DynamoPhotoRepository(self.dynamodb, self.settings.table_name)

    @cached_property
    def album_repo(self) -> DynamoAlbumRepository:
        from photovault.adapters.dynamodb.albums import DynamoAlbumRepository

        return DynamoAlbumRepository(self.dynamodb, self.settings.table_name)

    @cached_property
    def shares(self) -> DynamoShareRepository:
        from photovault.adapters.dynamodb.shares import DynamoShareRepository

        return DynamoShareRepository(self.dynamodb, self.settings.table_name)

    @cached_property
    def people(self) -> People:
        from photovault.adapters.dynamodb.people import DynamoPeopleRepository
        from photovault.people.service import People

        return People(
            repo=DynamoPeopleRepository(self.dynamodb, self.settings.table_name),
            media=self.media,
            cursors=self.cursors,
            media_url_expiry_seconds=self.settings.media_url_expiry_seconds,
        )

    @cached_property
    def library(self) -> Library:
        from photovault.adapters.s3 import S3MediaStore, S3UploadPresigner
        from photovault.library.quota import QuotaLimits
        from photovault.library.service import Library, LibraryConfig
        from photovault.search.hybrid import Floors

        settings = self.settings
        meaning = _search_by_meaning(settings)
        return Library(
            repo=self.photos,
            index=self.photos,
            albums=self.album_repo,
            presigner=S3UploadPresigner(self.s3, settings.originals_bucket),
            media=self.media,
            cursors=self.cursors,
            config=LibraryConfig(
                max_upload_bytes=settings.max_upload_bytes,
                upload_url_expiry_seconds=settings.upload_url_expiry_seconds,
                media_url_expiry_seconds=settings.media_url_expiry_seconds,
                min_label_confidence=settings.min_label_confidence,
                pending_grace_seconds=settings.pending_grace_seconds,
                quota=QuotaLimits(
                    uploads_per_hour=settings.quota_uploads_per_hour,
                    pending=settings.quota_pending_uploads,
                    bytes=settings.quota_bytes,
                ),
            ),
            embedder=meaning[0] if meaning else None,
            vectors=meaning[1] if meaning else None,
            floors=Floors(floor=settings.similarity_floor, show_floor=settings.similarity_show_floor),
            people=self.people,
            people_index=_people_index(settings, S3MediaStore(self.s3, settings.derivatives_bucket), _count_face_calls),
        )

    @cached_property
    def albums(self) -> Albums:
        from photovault.library.albums import Albums, AlbumsConfig

        return Albums(
            albums=self.album_repo,
            photos=self.photos,
            shares=self.shares,
            media=self.media,
            cursors=self.cursors,
            config=AlbumsConfig(media_url_expiry_seconds=self.settings.media_url_expiry_seconds),
        )

    @cached_property
    def sharing(self) -> Sharing:
        from photovault.sharing.service import Sharing, SharingConfig

        return Sharing(
            shares=self.shares,
            photos=self.photos,
            albums=self.album_repo,
            media=self.media,
            cursors=self.cursors,
            config=SharingConfig(
                share_url_expiry_seconds=self.settings.share_url_expiry_seconds,
                site_url=self.settings.media_base_url,
            ),
        )

    @cached_property
    def jobs(self) -> Jobs:
        return _build_jobs(self.settings)

    @cached_property
    def sessions(self) -> Sessions:
        from photovault.account.sessions import Sessions
        from photovault.adapters.dynamodb.sessions import DynamoSessionRepository

        return Sessions(DynamoSessionRepository(self.dynamodb, self.settings.table_name))


def _build_jobs(settings: Settings) -> Jobs:
    from photovault.adapters.clients import client
    from photovault.adapters.dynamodb.jobs import DynamoJobRepository
    from photovault.adapters.s3 import S3ExportStore
    from photovault.adapters.sqs import SqsJobQueue
    from photovault.jobs.delete_account import DeleteAccount
    from photovault.jobs.download import DownloadOriginals
    from photovault.jobs.export import ExportLibrary
    from photovault.jobs.service import Jobs, JobsConfig

    return Jobs(
        repo=DynamoJobRepository(client("dynamodb"), settings.table_name),
        queue=SqsJobQueue(client("sqs"), settings.jobs_queue_url),
        links=S3ExportStore(client("s3"), settings.originals_bucket),
        # POST /jobs offers download and export (the contract's JobRequest); delete_account only comes through
        # POST /account/deletion, which seals the account first.
        kinds={kind.name: kind for kind in (DownloadOriginals, ExportLibrary, DeleteAccount)},
        config=JobsConfig(retention_seconds=settings.exports_retention_days * 86_400),
    )


def _build_purge() -> PurgePhoto:
    from photovault.adapters.clients import client
    from photovault.adapters.dynamodb.albums import DynamoAlbumRepository
    from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
    from photovault.adapters.dynamodb.shares import DynamoShareRepository
    from photovault.adapters.s3 import S3MediaStore, S3VersionDeleter
    from photovault.purge.service import PurgePhoto, cleanup_steps
    from photovault.settings import get_settings

    settings = get_settings()
    dynamodb, s3 = client("dynamodb"), client("s3")
    meaning = _search_by_meaning(settings)
    return PurgePhoto(
        cleanup_steps(
            shares=DynamoShareRepository(dynamodb, settings.table_name),
            albums=DynamoAlbumRepository(dynamodb, settings.table_name),
            leftovers=DynamoPhotoRepository(dynamodb, settings.table_name),
            originals=S3VersionDeleter(s3, settings.originals_bucket),
            derivatives=S3VersionDeleter(s3, settings.derivatives_bucket),
            vectors=meaning[1] if meaning else None,
            people=_people_index(settings, S3MediaStore(s3, settings.derivatives_bucket)),
        )
    )


def _build_job_runner() -> RunJobStep:
    from photovault.adapters.clients import client
    from photovault.adapters.dynamodb.jobs import DynamoJobRepository
    from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
    from photovault.adapters.s3 import S3ExportStore, S3OriginalReader
    from photovault.adapters.sqs import SqsJobQueue
    from photovault.jobs.download import DownloadConfig, DownloadOriginals
    from photovault.jobs.export import ExportLibrary
    from photovault.jobs.runner import RunJobStep
    from photovault.settings import get_settings

    settings = get_settings()
    dynamodb, s3 = client("dynamodb"), client("s3")
    photos = DynamoPhotoRepository(dynamodb, settings.table_name)
    originals = S3OriginalReader(s3, settings.originals_bucket)
    exports = S3ExportStore(s3, settings.originals_bucket, part_bytes=settings.export_upload_part_bytes)
    config = DownloadConfig(
        max_part_bytes=settings.export_part_max_bytes, max_part_photos=settings.export_part_max_photos
    )
    download = DownloadOriginals(photos=photos, originals=originals, exports=exports, config=config)
    export = ExportLibrary(
        catalog=photos, originals=originals, exports=exports, config=config, describe=_export_describer(settings)
    )
    return RunJobStep(
        jobs=DynamoJobRepository(dynamodb, settings.table_name),
        queue=SqsJobQueue(client("sqs"), settings.jobs_queue_url),
        kinds={kind.name: kind for kind in (download, export, _build_delete_account(settings))},
    )


def _export_describer(settings: Settings) -> Callable[[str, Sequence[Photo], Mapping[str, str]], bytes]:
    """``metadata.json`` of an export: the contract's shapes (``api.mappers``), with the owner's albums."""
    import json

    from photovault.adapters.clients import client
    from photovault.adapters.dynamodb.albums import DynamoAlbumRepository
    from photovault.api import mappers
    from photovault.model import iso_epoch

    albums_repo = DynamoAlbumRepository(client("dynamodb"), settings.table_name)

    def describe(owner: str, photos: Sequence[Photo], files: Mapping[str, str]) -> bytes:
        albums, start = [], None
        while True:
            page = albums_repo.list_albums(owner, limit=100, start=start)
            albums += page.albums
            if not page.next_position:
                break
            start = page.next_position
        document = mappers.export_metadata(photos, albums, files, exported_at=iso_epoch(time.time()))
        return json.dumps(document, indent=1, ensure_ascii=False).encode()

    return describe


def _build_delete_account(settings: Settings) -> DeleteAccount:
    """Account deletion: every store's eraser (``account.erasure``) on the AWS adapters."""
    from photovault.account.erasure import Stores, erasers
    from photovault.account.sessions import Sessions
    from photovault.adapters.clients import client
    from photovault.adapters.cognito import CognitoUsers
    from photovault.adapters.dynamodb.erasure import DynamoAccountItems
    from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
    from photovault.adapters.dynamodb.sessions import DynamoSessionRepository
    from photovault.adapters.s3 import S3ExportStore, S3VersionDeleter
    from photovault.jobs.delete_account import DeleteAccount

    dynamodb, s3 = client("dynamodb"), client("s3")
    photos = DynamoPhotoRepository(dynamodb, settings.table_name)
    meaning = _search_by_meaning(settings)
    stores = Stores(
        catalog=photos,
        items=DynamoAccountItems(dynamodb, settings.table_name),
        leftovers=photos,
        originals=S3VersionDeleter(s3, settings.originals_bucket),
        derivatives=S3VersionDeleter(s3, settings.derivatives_bucket),
        exports=S3ExportStore(s3, settings.originals_bucket),
        users=CognitoUsers(client("cognito-idp"), settings.user_pool_id),
        vectors=meaning[1] if meaning else None,
        monotonic=time.monotonic,
        faces=_face_index(settings),
        email=email_notifications() if settings.events_topic_arn else None,
    )
    return DeleteAccount(
        sessions=Sessions(DynamoSessionRepository(dynamodb, settings.table_name)),
        erasers=erasers(stores),
        stores=stores,
    )
