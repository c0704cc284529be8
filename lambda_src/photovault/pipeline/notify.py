"""The owner's notification: a human-readable message plus attributes a per-user SNS subscription filters on."""

from __future__ import annotations

from photovault.model import Photo, PhotoStatus
from photovault.ports import PhotoEvent

_SUBJECTS = {
    PhotoStatus.READY: "Your photo is ready",
    PhotoStatus.REJECTED: "Your upload could not be used",
    PhotoStatus.QUARANTINED: "Your photo was hidden",
    PhotoStatus.DUPLICATE: "You already have this photo",
}


def photo_event(photo: Photo) -> PhotoEvent:
    name = photo.filename or photo.photo_id
    lines = [f"{name}: {photo.status.value.lower()}."]
    if photo.status is PhotoStatus.READY:
        labels = [label.name for label in (photo.analysis.labels if photo.analysis else ())][:5]
        if labels:
            lines.append("Found: " + ", ".join(labels) + ".")
        if photo.caption:
            lines.append(f"Caption: {photo.caption.text}")
    elif photo.reason:
        lines.append(photo.reason)
    return PhotoEvent(
        owner=photo.owner,
        photo_id=photo.photo_id,
        status=photo.status,
        subject=_SUBJECTS.get(photo.status, "PhotoVault update"),
        message="\n".join(lines),
    )
