"""Case — the library's pages as it grows: timeline, album, trash and smart search at 1 k → 100 k photos (issue 18).

One user's library is seeded on moto as the search case seeds it (photo, content-hash and term items through
BatchWriteItem); at the first size 30 photos go to the trash and 60 into an album through the real use cases
(``Library.act``), so the trash and the album stay the same size while the library grows a hundredfold. At each size
the API's use cases answer, over the real DynamoDB adapters with every response counted (as the search case counts):

- timeline: the first page and the one after it (``Library.list_photos``, cursor included);
- album: the album's first page (``Albums.photos``);
- trash: the trash listing;
- smart search: ``Library.search`` with meaning on (the hybrid path: word postings fused with the nearest photos),
  for a word whose matches stay the same. Its vectors sit in a per-owner matrix (the emulator's S3 Vectors layout),
  its embedder is the tests' concept embedder; the vector query's own latency is the vector_search case's.

Goals: each page's DynamoDB items read at the largest size within 1.1× of the smallest (flat in library size), and
the smart search's p95 of its own time (the query minus the time inside the emulator: embedding, fusion, mapping)
likewise within 1.25×. The local vector query is the emulator's too: it compares the query with every vector of the
library (S3 Vectors answers from an approximate index), so it is reported per size and judged by the vector_search
case's p95 goal at 100 k photos, not here. Its time inside moto is reported, not judged: moto answers every Query by
sorting the whole table (its p95 there grew 3× from 1 k to 10 k photos for the same 36 items read), which
DynamoDB does not; what DynamoDB's time follows, the items read, is judged flat.

- people: the people page (``People.list_people``) and one person's faces (``People.faces``). At the first size
  PEOPLE persons with FACES_EACH faces each are written through the people repository (as the worker's
  ``PeopleIndex`` writes them), from photos of the first thousand, so they too stay while the library grows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import CaseResult, Mode, Sample, log, ratio
from benchmarks.rig import QUIET_ENV, environment
from benchmarks.search import OWNER, PAGE, RARE, CountingClient, _seed

CASE = "pages"
TRASHED = 30
ALBUM_MEMBERS = 60
PEOPLE = 8
FACES_EACH = 5  # the first PEOPLE × FACES_EACH photos hold one face each
FLAT_READS = 1.1
FLAT_P95 = 1.25
SET_UP_FROM = 100 + TRASHED + 70 + ALBUM_MEMBERS  # the photos the trash and the album are taken from (below)
SMART_QUERY = RARE  # 12 word matches at every size; meaning adds the nearest photos of the whole library


class TimedClient(CountingClient):
    """The counting client that also sums the seconds spent inside the emulator (every call, read or not)."""

    emulator_seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        target = super().__getattr__(name)
        if not callable(target):
            return target

        def timed(**kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return target(**kwargs)
            finally:
                self.emulator_seconds += time.perf_counter() - started

        return timed


class _Media:
    """Signs nothing: the pages' URLs are not what is measured."""

    def sign(self, key: str, *, expires_at: int) -> str:
        return f"https://media.invalid/{key}?Expires={expires_at}"

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a page must not call {name}")


@dataclass
class OwnerMatrix:
    """The vector index as the local emulator keeps it: one matrix per owner, cosine by one matrix product. Its query
    is exhaustive, so it grows with the library (S3 Vectors answers from an approximate nearest-neighbour index):
    it counts as emulator time, as DynamoDB's does, and its p95 at 100 k photos has its own goal (vector_search)."""

    vectors: dict[str, list[tuple[str, np.ndarray]]] = field(default_factory=dict)
    _matrix: dict[str, tuple[list[str], np.ndarray]] = field(default_factory=dict)
    seconds: float = 0.0  # spent answering queries

    def put(self, owner: str, photo_id: str, embedding: Any) -> None:
        vector = np.asarray(embedding.vector, dtype=np.float32)
        self.vectors.setdefault(owner, []).append((photo_id, vector / np.linalg.norm(vector)))
        self._matrix.pop(owner, None)

    def query(self, owner: str, vector: Sequence[float], *, top_k: int) -> list[Any]:
        started = time.perf_counter()
        try:
            return self._query(owner, vector, top_k=top_k)
        finally:
            self.seconds += time.perf_counter() - started

    def _query(self, owner: str, vector: Sequence[float], *, top_k: int) -> list[Any]:
        from photovault.ports import VectorHit

        if owner not in self._matrix:
            rows = self.vectors.get(owner, [])
            self._matrix[owner] = ([pid for pid, _ in rows], np.stack([v for _, v in rows]))
        keys, matrix = self._matrix[owner]
        query = np.asarray(vector, dtype=np.float32)
        scores = matrix @ (query / np.linalg.norm(query))
        best = np.argpartition(-scores, min(top_k, len(keys) - 1))[:top_k]
        return [VectorHit(photo_id=keys[i], similarity=float(scores[i])) for i in best[np.argsort(-scores[best])]]

    def delete(self, owner: str, photo_id: str) -> None:
        raise AssertionError("the benchmark deletes no vector")


@dataclass
class Rig:
    """The use cases over the counting client, and what the first size set up (the album's id, one person's id)."""

    library: Any
    albums: Any
    people: Any
    counting: TimedClient
    album_id: str = ""
    person_id: str = ""
    second_page: str | None = None  # the timeline's cursor after its first page, at the current size


def _timeline_first(rig: Rig) -> Any:
    from photovault.ports import Collection, LibraryView

    return rig.library.list_photos(OWNER, LibraryView(Collection.TIMELINE), limit=PAGE, cursor=None)


def _timeline_second(rig: Rig) -> Any:
    from photovault.ports import Collection, LibraryView

    return rig.library.list_photos(OWNER, LibraryView(Collection.TIMELINE), limit=PAGE, cursor=rig.second_page)


def _album(rig: Rig) -> Any:
    return rig.albums.photos(OWNER, rig.album_id, newest_first=True, limit=PAGE, cursor=None)


def _trash(rig: Rig) -> Any:
    from photovault.ports import Collection, LibraryView

    return rig.library.list_photos(OWNER, LibraryView(Collection.TRASH), limit=PAGE * 2, cursor=None)


def _smart_search(rig: Rig) -> Any:
    return rig.library.search(OWNER, query=SMART_QUERY, limit=PAGE, cursor=None)


def _people(rig: Rig) -> Any:
    return rig.people.list_people(OWNER, limit=60, cursor=None)  # the route's default page


def _person_faces(rig: Rig) -> Any:
    return rig.people.faces(OWNER, rig.person_id, limit=60, cursor=None)


# name -> (one page, how many items it must show at every size).
PAGES: dict[str, tuple[Callable[[Rig], Any], int]] = {
    "timeline, first page": (_timeline_first, PAGE),
    "timeline, second page": (_timeline_second, PAGE),
    "album page": (_album, PAGE),
    "trash listing": (_trash, TRASHED),
    "smart search": (_smart_search, PAGE),
    "people page": (_people, PEOPLE),
    "a person's faces": (_person_faces, FACES_EACH),
}
SMART = "smart search"


def _shown(page: Any) -> int:
    return len(page.items)


def _rig(raw: Any, table: str) -> Rig:
    from photovault.adapters.dynamodb.albums import DynamoAlbumRepository
    from photovault.adapters.dynamodb.people import DynamoPeopleRepository
    from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
    from photovault.adapters.dynamodb.shares import DynamoShareRepository
    from photovault.library.albums import Albums, AlbumsConfig
    from photovault.library.cursor import CursorCodec
    from photovault.library.service import Library, LibraryConfig
    from photovault.people.service import People
    from tests.support.fake_meaning import ConceptEmbedder

    counting = TimedClient(raw)
    photos = DynamoPhotoRepository(counting, table)
    album_repo = DynamoAlbumRepository(counting, table)
    media: Any = _Media()
    cursors = CursorCodec(b"benchmark-cursor-secret-32-bytes")
    library = Library(
        repo=photos,
        index=photos,
        albums=album_repo,
        presigner=media,
        media=media,
        cursors=cursors,
        config=LibraryConfig(),
        embedder=ConceptEmbedder(),
        vectors=OwnerMatrix(),
    )
    albums = Albums(
        albums=album_repo,
        photos=photos,
        shares=DynamoShareRepository(counting, table),
        media=media,
        cursors=cursors,
        config=AlbumsConfig(),
    )
    people = People(
        repo=DynamoPeopleRepository(counting, table), media=media, cursors=cursors, media_url_expiry_seconds=3600
    )
    return Rig(library, albums, people, counting)


def _embed(rig: Rig, photo_ids: list[str], start: int) -> None:
    """Each seeded photo's vector, from its caption as the worker would embed it."""
    from benchmarks.search import _terms_of
    from photovault.model import Caption

    embedder, vectors = rig.library._embedder, rig.library._vectors
    for index, photo_id in enumerate(photo_ids[start:], start=start):
        caption = Caption(f"A photo of a {' and a '.join(_terms_of(index))}.", "bench", "1", False)
        vectors.put(OWNER, photo_id, embedder.embed_photo(b"", analysis=None, caption=caption))


def _set_up(rig: Rig, ids: list[str]) -> None:
    """The trash and the album, once, from the first thousand photos, through the real use cases."""
    from photovault.library.service import Action

    outcomes = rig.library.act(OWNER, Action.TRASH, ids[100 : 100 + TRASHED])  # photos 100–129
    assert all(o.outcome.value == "ok" for o in outcomes), outcomes
    rig.album_id = rig.albums.create(OWNER, name="Benchmark album").album.album_id
    members = ids[200 : 200 + ALBUM_MEMBERS]  # photos 200–259
    outcomes = rig.library.act(OWNER, Action.ADD_TO_ALBUM, members, album_id=rig.album_id)
    assert all(o.outcome.value == "ok" for o in outcomes), outcomes
    _set_up_people(rig, ids[: PEOPLE * FACES_EACH])


def _set_up_people(rig: Rig, ids: list[str]) -> None:
    """PEOPLE persons of FACES_EACH faces, one face per photo, written as the worker's people step writes them."""
    from photovault.model import BoundingBox
    from photovault.people.model import Person, PersonFace

    repo = rig.people._repo
    box = BoundingBox(0.3, 0.2, 0.25, 0.3)
    for number in range(PEOPLE):
        person_id = f"{number:032x}"  # a person id's shape: 32 hex digits
        photos = ids[number * FACES_EACH : (number + 1) * FACES_EACH]
        faces = [
            PersonFace(
                OWNER,
                f"face-{photo_id}",
                photo_id,
                person_id,
                box,
                99.0,
                f"media/bench/face-{photo_id}.webp",
                f"2025-01-{1 + index:02d}T12:00:00#{photo_id}",
            )
            for index, photo_id in enumerate(photos)
        ]
        repo.add(faces, [Person(OWNER, person_id, cover_key=faces[0].crop_key, created_at="2025-01-01T00:00:00Z")])
    rig.person_id = f"{0:032x}"


def plan(mode: Mode) -> tuple[tuple[int, ...], int]:
    """(library sizes, repetitions per page) for a mode."""
    if mode is Mode.SMOKE:
        return (300, 400), 1
    if mode is Mode.QUICK:
        return (1_000, 10_000), 20
    return (1_000, 100_000), 30


def run(mode: Mode, workdir: Path) -> CaseResult:
    """Seed, read each page, count — at each library size — and judge the flat-in-size goals."""
    del workdir
    result = CaseResult(CASE)
    sizes, repetitions = plan(mode)
    reads: dict[str, dict[int, int]] = {name: {} for name in PAGES}
    times: dict[str, dict[int, list[float]]] = {name: {} for name in PAGES}
    own_times: dict[str, dict[int, list[float]]] = {name: {} for name in PAGES}
    vector_times: dict[int, list[float]] = {}
    with environment(QUIET_ENV, drop=("AWS_ENDPOINT_URL",)):
        import boto3
        from moto import mock_aws

        from tests.support.aws import REGION, create_table

        with mock_aws():
            raw = boto3.session.Session(region_name=REGION).client("dynamodb", region_name=REGION)
            table = "photovault-bench-pages"
            create_table(raw, table)
            rig = _rig(raw, table)
            base_ms = int(time.time() * 1000) - 400 * 86_400_000
            seeded, photo_ids = 0, []
            for size in sizes:
                started = time.perf_counter()
                if seeded == 0:
                    # The trash and the album first, while the table is small: moto copies the whole table for
                    # every TransactWriteItems (its rollback), which at 1 k photos took minutes for these 90 writes.
                    _seed(raw, table, 0, SET_UP_FROM, base_ms, photo_ids)
                    _set_up(rig, photo_ids)
                    seeded = SET_UP_FROM
                embedded = len(rig.library._vectors.vectors.get(OWNER, []))
                _seed(raw, table, seeded, size, base_ms, photo_ids)
                _embed(rig, photo_ids, embedded)
                seeded = size
                log(f"  {CASE}: seeded {size:,} photos in {time.perf_counter() - started:.1f} s")
                rig.second_page = _timeline_first(rig).cursor
                # A listing's reads are the same every time: one warm-up, one counted read. The smart search is
                # also timed, `repetitions` times, interleaved with the listings so load from elsewhere falls alike.
                counts: dict[str, list[int]] = {name: [] for name in PAGES}
                durations: dict[str, list[float]] = {name: [] for name in PAGES}
                own_time: dict[str, list[float]] = {name: [] for name in PAGES}
                vector_time: dict[str, list[float]] = {name: [] for name in PAGES}
                for round_number in range(repetitions + 1):
                    for name, (page, expected) in PAGES.items():
                        if round_number > 1 and name != SMART:
                            continue
                        with rig.counting.measure() as counter:
                            started, inside = time.perf_counter(), rig.counting.emulator_seconds
                            matrix = rig.library._vectors.seconds
                            shown = _shown(page(rig))
                            elapsed = time.perf_counter() - started
                            vector_query = rig.library._vectors.seconds - matrix
                            own = elapsed - (rig.counting.emulator_seconds - inside) - vector_query
                        if round_number == 0:  # warm-up, and the check that the page shows what it should
                            if shown != expected:
                                result.notes.append(f"{name} at {size:,}: showed {shown} items, expected {expected}")
                            continue
                        counts[name].append(counter.items)
                        durations[name].append(elapsed * 1e3)
                        own_time[name].append(own * 1e3)
                        vector_time[name].append(vector_query * 1e3)
                for name in PAGES:
                    if len(set(counts[name])) != 1:
                        result.notes.append(f"{name} at {size:,}: items read varied between runs {counts[name]}")
                    reads[name][size] = max(counts[name])
                    times[name][size] = durations[name]
                    own_times[name][size] = own_time[name]
                    vector_times[size] = vector_time[SMART]
                    log(
                        f"    {name:22} {reads[name][size]:4} items, p50 {statistics.median(durations[name]):.1f} ms,"
                        f" p95 {_p95(durations[name]):.1f} ms on moto"
                    )
    small, large = sizes[0], sizes[-1]
    for name in PAGES:
        for size in sizes:
            result.metric(
                f"{name} @ {size:,} photos: items read", [reads[name][size]], "items", note=_latency(times[name][size])
            )
        result.goal(
            f"{name}: items read @ {large:,} vs @ {small:,}",
            ratio(reads[name][large], reads[name][small]),
            FLAT_READS,
            detail=f"{reads[name][small]} → {reads[name][large]} DynamoDB items",
        )
    smart_small, smart_large = _p95(own_times[SMART][small]), _p95(own_times[SMART][large])
    result.metric(f"{SMART} latency @ {large:,} photos", times[SMART][large], "ms", note="on moto, in all")
    result.metric(f"{SMART} own time @ {large:,} photos", own_times[SMART][large], "ms", note="outside the emulator")
    for size in sizes:
        result.metric(
            f"{SMART}: local vector query @ {size:,} photos",
            vector_times[size],
            "ms",
            note="exhaustive (the emulator's); S3 Vectors is approximate",
        )
    result.goal(
        f"{SMART}: p95 of its own time @ {large:,} vs @ {small:,}",
        ratio(smart_large, smart_small),
        FLAT_P95,
        detail=(
            f"p95 {smart_small:.1f} → {smart_large:.1f} ms outside the emulator ({repetitions} queries each, "
            f"interleaved); on moto in all {_p95(times[SMART][small]):.0f} → {_p95(times[SMART][large]):.0f} ms"
        ),
    )
    result.notes.append(
        "timeline, album and trash latency on moto is in latest.json only: moto answers a GSI Query by walking the "
        "whole table, so its latency grows with the table in a way DynamoDB's does not; items read is the measure."
    )
    result.data.update(
        sizes=list(sizes),
        items_read=reads,
        latency_ms_on_moto={
            name: {size: Sample(tuple(v)).to_json() for size, v in by.items()} for name, by in times.items()
        },
        trashed=TRASHED,
        album_members=ALBUM_MEMBERS,
    )
    return result


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def _latency(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.1f} ms, p95 {_p95(values):.1f} ms on moto"
