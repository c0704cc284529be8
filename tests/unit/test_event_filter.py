"""Lambda's event filtering as the local event sources apply it, and resources.json's purge filter on real stream
records: only REMOVEs of photo items pass (term items share the photo's sort key; jobs, shares and hashes do not)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from photovault import keys
from photovault.adapters.dynamodb.codec import job_item, photo_item, share_item
from photovault.jobs.model import Job, JobState
from photovault.ports import Share
from scripts.local_stack.event_filter import matches, matches_any
from tests.support.events import sample, stream_remove
from tests.support.fakes import make_photo

RESOURCES = Path(__file__).resolve().parents[2] / "terraform" / "resources.json"
PURGE_FILTER = json.loads(RESOURCES.read_text())["purge"]["filter_patterns"]
OWNER = "alice-0001"


def passes(record: dict[str, Any]) -> bool:
    return matches_any(PURGE_FILTER, record)


def test_a_photo_removed_by_ttl_or_by_a_person_passes() -> None:
    ttl_record, _ = sample("dynamodb_stream_removes")["Records"]
    assert passes(ttl_record)
    assert passes(stream_remove(photo_item(make_photo(OWNER))))


def test_a_removed_term_item_does_not_pass() -> None:
    _, term_record = sample("dynamodb_stream_removes")["Records"]
    assert term_record["dynamodb"]["Keys"]["sk"]["S"].startswith(keys.PHOTO_PREFIX)  # the trap the filter avoids
    assert not passes(term_record)


@pytest.mark.parametrize("event_name", ["INSERT", "MODIFY"])
def test_writes_that_are_not_removals_do_not_pass(event_name: str) -> None:
    record = stream_remove(photo_item(make_photo(OWNER)))
    record["eventName"] = event_name
    record["dynamodb"]["NewImage"] = record["dynamodb"]["OldImage"]
    assert not passes(record)


def test_other_items_removed_do_not_pass() -> None:
    job = Job(OWNER, "0194f6a2-7c3e-7b21-9d4a-3e5f6a7b8c9d", "download", JobState.DONE, "t", "t", 1)
    share = Share("tok" * 8, OWNER, "0194f6a2-7c3e-7b21-9d4a-3e5f6a7b8c9d", "t", 1)
    hash_record = {"pk": keys.hash_pk(OWNER, "ab" * 32), "sk": keys.HASH_SK, "photo_id": "x"}
    for item in (job_item(job), share_item(share), hash_record):
        assert not passes(stream_remove(item)), item["pk"]


def test_operators() -> None:
    event = {"a": "PHOTO#1", "n": 7, "flag": True, "list": ["x", "y"], "nested": {"s": "Hello"}}
    assert matches({"a": [{"prefix": "PHOTO#"}]}, event)
    assert not matches({"a": [{"prefix": "JOB#"}]}, event)
    assert matches({"a": [{"suffix": "#1"}]}, event)
    assert matches({"nested": {"s": [{"equals-ignore-case": "hello"}]}}, event)
    assert matches({"a": [{"anything-but": ["PHOTO#2"]}]}, event)
    assert not matches({"a": [{"anything-but": "PHOTO#1"}]}, event)
    assert matches({"n": [{"numeric": [">", 5, "<=", 7]}]}, event)
    assert not matches({"n": [{"numeric": [">", 7]}]}, event)
    assert matches({"missing": [{"exists": False}]}, event) and not matches({"a": [{"exists": False}]}, event)
    assert not matches({"nested": [{"exists": True}]}, event)  # exists holds for leaves only
    assert matches({"list": ["y"]}, event) and matches({"flag": [True]}, event)
    assert not matches({"nested": {"missing": ["x"]}}, event)
    assert matches_any([], event) and not matches_any([{"a": ["no"]}, {"n": [8]}], event)


def test_a_rule_the_local_stack_cannot_evaluate_fails_loudly() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        matches({"a": [{"wildcard": "PHOTO#*"}]}, {"a": "PHOTO#1"})
    with pytest.raises(ValueError):
        matches({"a": "PHOTO#1"}, {"a": "PHOTO#1"})


def test_the_filter_is_not_changed_by_matching() -> None:
    before = copy.deepcopy(PURGE_FILTER)
    passes(stream_remove(photo_item(make_photo(OWNER))))
    assert before == PURGE_FILTER
