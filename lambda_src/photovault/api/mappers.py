"""Domain → contract: the one place a response body is built. Each function names every field it sends, so a new
domain or storage attribute reaches no client until someone adds it to the contract and here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from photovault.api import contract
from photovault.jobs.service import ShownJob
from photovault.library.service import Action
from photovault.library.views import (
    ActionResult,
    AlbumListing,
    AlbumView,
    Gallery,
    MapView,
    MediaLinks,
    Outcome,
    PhotoView,
    SearchPage,
    ShownPhoto,
    UploadTicket,
)
from photovault.model import Album, Photo, PhotoStatus
from photovault.people.service import FaceList, PeopleList, ShownPerson, face_ref
from photovault.pipeline.caption import is_composed
from photovault.ports import LabelCount, MonthCount
from photovault.search.index import findable_labels
from photovault.sharing.views import SharedAlbum, SharedPhoto, ShareLink, ShareLinks

# A status whose photo carries a reason for its owner (FAILED is shown like REJECTED).
_EXPLAINED = frozenset({PhotoStatus.REJECTED, PhotoStatus.QUARANTINED, PhotoStatus.DUPLICATE, PhotoStatus.FAILED})


def upload_created(ticket: UploadTicket) -> contract.UploadCreated:
    return contract.UploadCreated(
        photo_id=ticket.photo.photo_id,
        url=ticket.post.url,
        fields=dict(ticket.post.fields),
        expires_at=ticket.expires_at,
        max_bytes=ticket.max_bytes,
    )


def media_urls(links: MediaLinks) -> contract.MediaUrls:
    return contract.MediaUrls(
        expires_at=links.expires_at, thumb=links.thumb, preview=links.preview, original=links.original
    )


def _reason(photo: Photo) -> contract.PhotoReason | None:
    if photo.status not in _EXPLAINED or not (photo.reason_code or photo.reason):
        return None
    return contract.PhotoReason(code=photo.reason_code or photo.status.value.lower(), message=photo.reason or "")


def photo_summary(shown: ShownPhoto) -> contract.PhotoSummary:
    photo, facts = shown.photo, shown.photo.facts
    return contract.PhotoSummary(
        id=photo.photo_id,
        status=photo.status,
        filename=photo.filename,
        uploaded_at=photo.created_at,
        taken_at=facts.taken_at if facts else None,
        day=photo.local_time[:10],
        favorite=photo.favorite,
        trashed_at=photo.trashed_at,
        width=facts.width if facts else None,
        height=facts.height if facts else None,
        caption=photo.caption.text if photo.caption else None,
        reason=_reason(photo),
        duplicate_of=photo.duplicate_of,
        urls=media_urls(shown.links),
        retry=contract.PhotoRetry(attempts=shown.retry.attempts, cause=shown.retry.cause, since=shown.retry.since)
        if shown.retry
        else None,
    )


def photo_list(gallery: Gallery) -> contract.PhotoList:
    return contract.PhotoList(items=[photo_summary(shown) for shown in gallery.items], cursor=gallery.cursor)


def trash_list(gallery: Gallery) -> contract.TrashList:
    return contract.TrashList(items=[photo_summary(shown) for shown in gallery.items], cursor=gallery.cursor)


def month_list(months: list[MonthCount]) -> contract.MonthList:
    return contract.MonthList(
        items=[contract.MonthCount(month=m.month, count=m.count) for m in months],
        total=sum(m.count for m in months),
    )


def action_results(action: Action, results: Sequence[ActionResult]) -> contract.ActionResults:
    ok = sum(1 for r in results if r.outcome is Outcome.OK)
    return contract.ActionResults(
        action=action,
        results=[contract.ActionOutcome(id=r.photo_id, result=r.outcome.value) for r in results],
        ok=ok,
        failed=len(results) - ok,
    )


def media_url_list(items: Sequence[ShownPhoto]) -> contract.MediaUrlList:
    return contract.MediaUrlList(
        items=[contract.PhotoMedia(id=shown.photo.photo_id, urls=media_urls(shown.links)) for shown in items]
    )


def album(view: AlbumView) -> contract.Album:
    a = view.album
    return contract.Album(
        id=a.album_id,
        name=a.name,
        photo_count=a.photo_count,
        cover=photo_summary(view.cover) if view.cover else None,
        cover_chosen=a.cover_photo_id is not None,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def album_list(listing: AlbumListing) -> contract.AlbumList:
    return contract.AlbumList(items=[album(view) for view in listing.items], cursor=listing.cursor)


def photo_detail(view: PhotoView) -> contract.PhotoDetail:
    shown = view.shown
    photo, facts, analysis = shown.photo, shown.photo.facts, shown.photo.analysis
    processed_at = photo.provenance.get("processed_at")
    return contract.PhotoDetail(
        **dict(photo_summary(shown)),
        content_type=photo.content_type,
        format=facts.format if facts else None,
        size_bytes=facts.size_bytes if facts else None,
        camera=contract.Camera(make=facts.camera_make, model=facts.camera_model)
        if facts and (facts.camera_make or facts.camera_model)
        else None,
        location=contract.GeoPoint(
            latitude=facts.gps.latitude, longitude=facts.gps.longitude, altitude=facts.gps.altitude
        )
        if facts and facts.gps
        else None,
        place=contract.PlaceName(city=photo.place.city, region=photo.place.region, country=photo.place.country)
        if photo.place
        else None,
        caption_source=("composed" if is_composed(photo.caption) else "model") if photo.caption else None,
        # Exactly what the index holds for the photo: the labels search finds it by, never a second threshold.
        labels=[
            contract.DetailLabel(name=label.name, confidence=label.confidence, parents=list(label.parents))
            for label in findable_labels(photo)
        ],
        colors=[
            contract.Color(hex=color.hex, percent=color.pixel_percent, name=color.simplified)
            for color in (analysis.properties.dominant_colors if analysis and analysis.properties else ())
        ],
        faces=[
            contract.DetailFace(
                box=contract.Box(left=face.box.left, top=face.box.top, width=face.box.width, height=face.box.height),
                confidence=face.confidence,
                age_low=face.age_low,
                age_high=face.age_high,
                emotion=face.emotions[0][0] if face.emotions else None,
                smile=face.smile,
            )
            for face in (analysis.faces if analysis else ())
        ],
        text=[
            contract.TextLine(text=line.text, confidence=line.confidence)
            for line in (analysis.text if analysis else ())
        ],
        processed_at=processed_at if isinstance(processed_at, str) else None,
        albums=[contract.AlbumRef(id=a.album_id, name=a.name) for a in view.albums],
        neighbours=contract.Neighbours(
            previous=photo_summary(view.previous) if view.previous else None,
            next=photo_summary(view.next) if view.next else None,
        ),
    )


def search_results(page: SearchPage) -> contract.SearchResults:
    return contract.SearchResults(
        query=page.query,
        label=page.label,
        person=page.person,
        terms=list(page.terms),
        partial=page.partial,
        items=[
            contract.SearchHit(
                photo=photo_summary(hit.shown),
                matches=[
                    contract.MatchReason(term=m.term, field=m.match.field, confidence=m.match.confidence)
                    for m in hit.matches
                ],
                similarity=None if hit.similarity is None else round(hit.similarity, 4),
            )
            for hit in page.items
        ],
        cursor=page.cursor,
    )


def label_list(facets: list[LabelCount]) -> contract.LabelList:
    return contract.LabelList(items=[contract.LabelFacet(label=f.label, count=f.count) for f in facets])


def share(link: ShareLink) -> contract.Share:
    s = link.share
    return contract.Share(
        token=s.token,
        url=link.url,
        kind=s.kind,
        photo_id=s.photo_id or None,
        album_id=s.album_id,
        created_at=s.created_at,
        expires_at=s.expires_at,
        max_views=s.max_views,
        views=s.views,
        state=link.state,
    )


def share_list(links: ShareLinks) -> contract.ShareList:
    return contract.ShareList(items=[share(link) for link in links.items], cursor=links.cursor)


def public_share(shared: SharedPhoto) -> contract.PublicShare:
    preview = shared.photo.derivatives.get("preview") or {}
    return contract.PublicShare(
        caption=shared.photo.caption.text if shared.photo.caption else None,
        preview=contract.PublicPreview(
            url=shared.preview_url,
            width=_int_or_none(preview.get("width")),
            height=_int_or_none(preview.get("height")),
            expires_at=shared.preview_expires_at,
        ),
        expires_at=shared.link_expires_at,
    )


def public_album(shared: SharedAlbum) -> contract.PublicAlbum:
    def image(photo: Photo, kind: str, url: str) -> contract.PublicPreview:
        size = photo.derivatives.get(kind) or {}
        return contract.PublicPreview(
            url=url,
            width=_int_or_none(size.get("width")),
            height=_int_or_none(size.get("height")),
            expires_at=shared.urls_expire_at,
        )

    return contract.PublicAlbum(
        title=shared.title,
        items=[
            contract.PublicAlbumPhoto(
                caption=item.photo.caption.text if item.photo.caption else None,
                thumb=image(item.photo, "thumb", item.thumb_url),
                preview=image(item.photo, "preview", item.preview_url),
            )
            for item in shared.items
        ],
        cursor=shared.cursor,
        expires_at=shared.link_expires_at,
    )


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def job(shown: ShownJob) -> contract.Job:
    j = shown.job
    return contract.Job(
        id=j.job_id,
        kind=_job_kind(j.kind),
        state=j.state,
        progress=contract.JobProgress(done=j.progress.done, total=j.progress.total),
        created_at=j.created_at,
        updated_at=j.updated_at,
        expires_at=j.expires_at,
        files=[
            contract.JobFile(
                name=link.output.name,
                url=link.url,
                expires_at=link.expires_at,
                size_bytes=link.output.size_bytes,
                photos=link.output.items,
            )
            for link in shown.links
        ],
        error=contract.JobFailure(code=j.error.code, message=j.error.message) if j.error else None,
    )


_JOB_KINDS: dict[str, contract.JobKindName] = {
    "download": "download",
    "export": "export",
    "delete_account": "delete_account",
}


def _job_kind(kind: str) -> contract.JobKindName:
    if kind not in _JOB_KINDS:  # a kind stored by a newer deployment: a bug to surface, not a shape to guess
        raise ValueError(f"unknown job kind {kind!r}")
    return _JOB_KINDS[kind]


def place_list(facets: list[LabelCount]) -> contract.PlaceList:
    return contract.PlaceList(items=[contract.PlaceFacet(place=f.label, count=f.count) for f in facets])


def map_points(view: MapView) -> contract.MapPoints:
    return contract.MapPoints(
        items=[
            contract.MapPoint(id=point.photo_id, lat=round(point.latitude, 5), lon=round(point.longitude, 5))
            for point in view.points
        ],
        cursor=view.cursor,
    )


def person(shown: ShownPerson) -> contract.Person:
    p = shown.person
    return contract.Person(id=p.person_id, name=p.name, face_count=p.face_count, cover_url=shown.cover_url)


def person_list(listing: PeopleList) -> contract.PersonList:
    return contract.PersonList(items=[person(shown) for shown in listing.items], cursor=listing.cursor)


def person_faces(listing: FaceList) -> contract.PersonFaceList:
    return contract.PersonFaceList(
        items=[
            contract.PersonFace(
                id=face_ref(shown.face),
                photo_id=shown.face.photo_id,
                crop_url=shown.crop_url,
                box=contract.Box(
                    left=shown.face.box.left,
                    top=shown.face.box.top,
                    width=shown.face.box.width,
                    height=shown.face.box.height,
                ),
            )
            for shown in listing.items
        ],
        cursor=listing.cursor,
    )


def exported_photo(photo: Photo, albums: Sequence[Album], file: str | None) -> dict[str, Any]:
    """One photo of an export's ``metadata.json``: what ``GET /photos/{id}`` shows of it (the contract's
    ``PhotoDetail``) without its links, which an archive outlives, nor its neighbours; with the SHA-256 the pipeline
    recorded of its original and the name of that original in the archive (null when the vault keeps no bytes)."""
    detail = photo_detail(PhotoView(shown=ShownPhoto(photo=photo, links=MediaLinks(expires_at=0)), albums=list(albums)))
    shown = detail.model_dump(mode="json", exclude={"urls", "neighbours", "retry"})
    return {**shown, "sha256": photo.facts.sha256 if photo.facts else None, "file": file}


def export_metadata(
    photos: Sequence[Photo], albums: Sequence[Album], files: Mapping[str, str], *, exported_at: str
) -> dict[str, Any]:
    """The whole ``metadata.json`` of an export: every photo (in upload order) and every album."""
    by_id = {album.album_id: album for album in albums}
    return {
        "format": "photovault-export/1",
        "exported_at": exported_at,
        "photos": [
            exported_photo(photo, [by_id[a] for a in photo.album_ids if a in by_id], files.get(photo.photo_id))
            for photo in photos
        ],
        "albums": [{"id": album.album_id, "name": album.name, "created_at": album.created_at} for album in albums],
    }
