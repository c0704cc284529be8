"""The single-table key schema: every pk/sk and GSI key the code writes or reads is built here."""

from __future__ import annotations

PHOTO_PREFIX = "PHOTO#"


def user_pk(owner: str) -> str:
    return f"USER#{owner}"


def photo_sk(photo_id: str) -> str:
    return f"{PHOTO_PREFIX}{photo_id}"


def photo_id_from_sk(sk: str) -> str:
    return sk.removeprefix(PHOTO_PREFIX)


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


def share_pk(token: str) -> str:
    return f"SHARE#{token}"


SHARE_SK = "SHARE"


def status_gsi1pk(status: str) -> str:
    return f"STATUS#{status}"


def owner_gsi2pk(owner: str) -> str:
    return f"OWNER#{owner}"


# Index names (Terraform and the local provisioner create exactly these).
GSI1 = "gsi1"  # gsi1pk = STATUS#<status>, gsi1sk = <updated_at>  — operators: photos by status and time
GSI2 = "gsi2"  # gsi2pk = OWNER#<sub>,     gsi2sk = <created_at>  — shares by owner


def originals_key(owner: str, photo_id: str) -> str:
    return f"uploads/{owner}/{photo_id}"


def derivative_key(owner: str, photo_id: str, kind: str) -> str:
    return f"media/{owner}/{photo_id}/{kind}.webp"


def derivative_prefix(owner: str, photo_id: str) -> str:
    """``media/<sub>/<photo_id>/``: the folder holding every derivative of one photo."""
    return f"media/{owner}/{photo_id}/"


def parse_originals_key(key: str) -> tuple[str, str] | None:
    """``uploads/<sub>/<photo_id>`` → (sub, photo_id); anything else → None."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "uploads" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]
