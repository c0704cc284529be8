"""The single-table key schema: every pk/sk and GSI key the code writes or reads is built here."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from photovault import ids

if TYPE_CHECKING:
    from photovault.model import Photo

PHOTO_PREFIX = "PHOTO#"
ALBUM_PREFIX = "ALBUM#"


def user_pk(owner: str) -> str:
    return f"USER#{owner}"


def photo_sk(photo_id: str) -> str:
    return f"{PHOTO_PREFIX}{photo_id}"


def photo_id_from_sk(sk: str) -> str:
    return sk.removeprefix(PHOTO_PREFIX)


def photo_item_owner(pk: str, sk: str) -> str | None:
    """The owner when ``pk``/``sk`` are a photo item's keys (``USER#<sub>`` / ``PHOTO#<id>``), else None. Term items
    share the ``PHOTO#`` sort key under ``USER#<sub>#T#<term>``; a sub never contains ``#`` (the API refuses it)."""
    owner = pk.removeprefix("USER#")
    if owner == pk or not owner or "#" in owner or not sk.startswith(PHOTO_PREFIX) or sk == PHOTO_PREFIX:
        return None
    return owner


def term_pk(owner: str, term: str) -> str:
    return f"USER#{owner}#T#{term}"


def hash_pk(owner: str, sha256: str) -> str:
    return f"USER#{owner}#SHA#{sha256}"


HASH_SK = "PHOTO"


def facet_pk(owner: str) -> str:
    """Per-user label counters (facets): one item per label, so ``GET /labels`` is one Query."""
    return f"USER#{owner}#FACETS"


def facet_sk(label: str) -> str:
    return f"LABEL#{label}"


def place_facet_sk(place: str) -> str:
    """A place counter in the same facet partition as the labels: ``GET /places`` reads the ``PLACE#`` range."""
    return f"PLACE#{place}"


def months_pk(owner: str) -> str:
    """Per-user month counters of the timeline (the date scrubber): one item per month, ``GET /photos/dates`` is
    one Query."""
    return f"USER#{owner}#MONTHS"


def month_sk(month: str) -> str:
    return f"MONTH#{month}"


def quota_pk(owner: str) -> str:
    """The owner's upload quota item (``library.quota``): one item, read and replaced by each POST /uploads."""
    return f"USER#{owner}#QUOTA"


QUOTA_SK = "QUOTA"


def album_sk(album_id: str) -> str:
    """The album item lives in its owner's partition (``USER#<sub>``): the owner's albums are one Query."""
    return f"{ALBUM_PREFIX}{album_id}"


def membership_pk(owner: str, album_id: str) -> str:
    """One item per photo of an album (sk ``PHOTO#<photo_id>``): adding and removing are by id, idempotent."""
    return f"USER#{owner}#ALBUM#{album_id}"


def share_pk(token: str) -> str:
    return f"SHARE#{token}"


SHARE_SK = "SHARE"


def status_gsi1pk(status: str) -> str:
    return f"STATUS#{status}"


def owner_gsi2pk(owner: str) -> str:
    return f"OWNER#{owner}"


# The user's "tokens valid after" time (photovault.account.sessions), in the user's own partition.
SESSIONS_SK = "SESSIONS"
NOTIFY_SK = "NOTIFY"  # the owner's e-mail opt-in and pending digest (photovault.notifications)

JOB_PREFIX = "JOB#"


def job_sk(job_id: str) -> str:
    """A job item lives in its owner's partition (``USER#<sub>``), so reading someone else's job is impossible."""
    return f"{JOB_PREFIX}{job_id}"


def job_input_sk(job_id: str) -> str:
    """The job's input (e.g. the selection of a download) beside it, apart so progress reads stay small."""
    return f"JOBINPUT#{job_id}"


def taken_sort(photo: Photo) -> str:
    """The timeline's sort key: ``<local_time>#<photo_id>`` (unique, and a date range is a key range)."""
    return f"{photo.local_time}#{photo.photo_id}"


def month_of(sort_key: str) -> str:
    """``YYYY-MM`` of a ``taken_sort``."""
    return sort_key[:7]


def timeline_gsi3pk(owner: str) -> str:
    return f"TL#{owner}"


def trash_gsi3pk(owner: str) -> str:
    return f"TRASH#{owner}"


def attention_gsi3pk(owner: str) -> str:
    return f"ATTN#{owner}"


def favorites_gsi4pk(owner: str) -> str:
    return f"FAV#{owner}"


def album_gsi4pk(owner: str, album_id: str) -> str:
    return f"ALB#{owner}#{album_id}"


def map_gsi5pk(owner: str) -> str:
    return f"MAP#{owner}"


# Index names (Terraform and the local provisioner create exactly these).
GSI1 = "gsi1"  # gsi1pk = STATUS#<status>, gsi1sk = <updated_at>  — operators: photos by status and time
GSI2 = "gsi2"  # gsi2pk = OWNER#<sub>,     gsi2sk = <created_at>  — shares by owner
# Library views (sparse): each photo item is in exactly one of the owner's TL# (READY, not trashed; by taken_sort),
# TRASH# (by <trashed_at>#<id>) or ATTN# (every other status; by <updated_at>#<id>).
GSI3 = "gsi3"
# Collections in date order (sparse): FAV#<sub> holds the favourite timeline photos, ALB#<sub>#<album_id> the
# memberships of an album; gsi4sk = taken_sort in both.
GSI4 = "gsi4"
# The map (sparse): MAP#<sub> holds the geotagged timeline photos by taken_sort, projecting only ``facts`` (the
# position) and ``derivatives`` (the thumbnail), so a map page reads a few hundred bytes per photo.
GSI5 = "gsi5"


def originals_key(owner: str, photo_id: str) -> str:
    return f"uploads/{owner}/{photo_id}"


def media_prefix(media_id: str) -> str:
    """``media/<media_id>/``: the folder of one render run's derivatives (``ids.new_media_id``)."""
    if not ids.is_media_id(media_id):  # a key is only ever one folder under media/, whatever an item holds
        raise ValueError(f"not a media id: {media_id!r}")
    return f"media/{media_id}/"


def legacy_media_prefix(owner: str, photo_id: str) -> str:
    """``media/<sub>/<photo_id>/``: where photos rendered before media ids (items without ``media_id``) keep theirs."""
    return f"media/{owner}/{photo_id}/"


def photo_media_prefix(photo: Photo) -> str:
    """The folder holding the derivatives the photo records: its run's media id, or the old scheme without one."""
    if photo.media_id is None:
        return legacy_media_prefix(photo.owner, photo.photo_id)
    return media_prefix(photo.media_id)


def derivative_key(photo: Photo, kind: str) -> str:
    """The derivatives bucket key of one of the photo's derivatives (``thumb`` | ``preview``)."""
    return f"{photo_media_prefix(photo)}{kind}.webp"


def face_crop_key(photo: Photo, face_id: str) -> str:
    """A face's crop lives in its photo's run folder: it goes with the photo's derivatives (reprocess, purge)."""
    return f"{photo_media_prefix(photo)}face-{face_id}.webp"


PERSON_PREFIX = "PERSON#"


def person_sk(person_id: str) -> str:
    """A person item lives in its owner's partition (``USER#<sub>``)."""
    return f"{PERSON_PREFIX}{person_id}"


def faces_pk(owner: str) -> str:
    """The owner's face items, ``FACE#<photo_id>#<face_id>``: a photo's faces are one key range."""
    return f"USER#{owner}#FACE"


def face_sk(photo_id: str, face_id: str) -> str:
    return f"FACE#{photo_id}#{face_id}"


def person_gsi4pk(owner: str, person_id: str) -> str:
    """A person's active faces in date order (gsi4sk = ``<taken_sort>#<face_id>``)."""
    return f"PER#{owner}#{person_id}"


def names_pk(owner: str) -> str:
    """The owner's person-name index: sk ``<word>#<person_id>``, one item per word of a person's name."""
    return f"USER#{owner}#PNAME"


EXPORTS_PREFIX = "exports/"  # in the originals bucket; a lifecycle rule expires it after a few days


def export_prefix(owner: str, job_id: str) -> str:
    """``exports/<sub>/<job_id>/``: everything one job writes."""
    return f"{EXPORTS_PREFIX}{owner}/{job_id}/"


def export_part_key(owner: str, job_id: str, part: int) -> str:
    return f"{export_prefix(owner, job_id)}part-{part}.zip"


def export_plan_key(owner: str, job_id: str) -> str:
    return f"{export_prefix(owner, job_id)}plan.json"


def export_metadata_key(owner: str, job_id: str) -> str:
    """The export's ``metadata.json``, written when it is planned and copied into its last part."""
    return f"{export_prefix(owner, job_id)}metadata.json"


def owner_exports_prefix(owner: str) -> str:
    """``exports/<sub>/``: every job's files of one owner (account deletion erases them all)."""
    return f"{EXPORTS_PREFIX}{owner}/"


def owner_uploads_prefix(owner: str) -> str:
    """``uploads/<sub>/``: every version of every original of one owner, whatever its item says (account deletion)."""
    return f"uploads/{owner}/"


def owner_legacy_media_prefix(owner: str) -> str:
    """``media/<sub>/``: derivatives rendered before media ids, of one owner."""
    return f"media/{owner}/"


def closure_pk(owner: str) -> str:
    """An account deletion's tombstone (``account.sessions``): keyed by a digest of the sub, so that once the account
    is gone nothing in the table names it, while tokens issued before are still refused until they expire."""
    return f"CLOSED#{hashlib.sha256(owner.encode()).hexdigest()}"


CLOSURE_SK = "CLOSED"


def parse_originals_key(key: str) -> tuple[str, str] | None:
    """``uploads/<sub>/<photo_id>`` → (sub, photo_id); anything else → None."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "uploads" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]
