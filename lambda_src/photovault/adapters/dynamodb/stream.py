"""The table's stream records, decoded with the table's codec: which photo item a REMOVE took away, and whether
DynamoDB's TTL process removed it (its records carry ``userIdentity`` ``{type: Service, principalId:
dynamodb.amazonaws.com}``) or a request did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from photovault import keys
from photovault.adapters.dynamodb.codec import deserialize, photo_from_item
from photovault.model import Photo
from photovault.purge.service import Removal

TTL_PRINCIPAL = "dynamodb.amazonaws.com"


@dataclass(frozen=True, slots=True)
class RemovedPhoto:
    photo: Photo  # the item as it was removed (the stream's OLD image)
    removal: Removal


def removal_of(record: Mapping[str, Any]) -> Removal:
    identity = record.get("userIdentity") or {}
    by_ttl = identity.get("type") == "Service" and identity.get("principalId") == TTL_PRINCIPAL
    return Removal.EXPIRED if by_ttl else Removal.USER


def removed_photo(record: Mapping[str, Any]) -> RemovedPhoto | None:
    """The photo a stream record removed; None for any other record (the event source's filter lets only photo
    REMOVEs through; this is the same rule, kept here so the function never acts on anything else).

    ``ValueError`` when a photo item's old image does not describe the item it was removed from: nothing is purged
    on the strength of such an image (the record fails and ends in the on-failure queue for a person to look at)."""
    stream = record.get("dynamodb") or {}
    if record.get("eventName") != "REMOVE" or not isinstance(stream, Mapping):
        return None
    item_keys = deserialize(stream.get("Keys") or {})
    pk, sk = str(item_keys.get("pk", "")), str(item_keys.get("sk", ""))
    owner = keys.photo_item_owner(pk, sk)
    if owner is None:
        return None
    old = stream.get("OldImage")
    if not old:
        raise ValueError(f"REMOVE of {pk}/{sk} carries no old image (the stream must be NEW_AND_OLD_IMAGES)")
    photo = photo_from_item(deserialize(old))
    if photo.owner != owner or keys.photo_sk(photo.photo_id) != sk:
        raise ValueError(f"the old image of {pk}/{sk} describes {photo.owner}/{photo.photo_id}")
    return RemovedPhoto(photo=photo, removal=removal_of(record))
