"""TransactWriteItems on moto at the cost of the items it touches, not of the table.

moto makes a cancelled transaction leave no trace by deep-copying every table the transaction names *before each
transaction*, and putting the copies back when one of its items fails. The copy costs the whole table: at 10,000
photos one favourite took ~40 ms and a 100-photo bulk action minutes, which is what the emulator, the API tests and
the browser suite spent most of their time on. AWS's cost does not grow with the table, and neither should ours.

:func:`install` keeps moto's own transaction code (its checks, its cancellation reasons, its stream records) and
changes only how a cancellation is undone: before the transaction each item it names is copied (an undo log of at
most 100 items), the table copies become no-ops, and on a cancellation the logged items are put back and the stream
records the transaction appended are taken off again — the state moto's table copy would have restored.

Idempotent, per process: the emulator installs it (``scripts.local_stack.emulator``), and so does the test suite
for the tests that run moto in-process (``tests/conftest.py``)."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

_installed = False
_state = threading.local()  # per thread: is a logged transaction running (its table copies are skipped)


@dataclass
class _Undo:
    table: Any  # moto.dynamodb.models.table.Table
    hash_key: Any  # DynamoType
    range_key: Any  # DynamoType | None
    item: Any  # a copy of the Item as it was, or None when there was none


@dataclass
class _StreamMark:
    shard: Any  # moto.dynamodb.models.table.StreamShard
    next_sequence: int  # the sequence number the next record would have had


class _CopyModule:
    """Stands in for ``copy`` inside moto's DynamoDB backend: while a logged transaction runs, a deep copy of a whole
    table is the table itself (the undo log does the table copy's work); every other copy is a real one."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.table import Table

        if getattr(_state, "logging", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _log(backend: Any, transact_items: list[dict[str, Any]]) -> tuple[list[_Undo], list[_StreamMark]] | None:
    """The items and streams the transaction may change, as they are now; None when a request is too malformed to
    read (moto's own code then answers it, with its own table copies)."""
    undo: list[_Undo] = []
    marks: dict[int, _StreamMark] = {}
    try:
        for entry in transact_items:
            operation, op = next(iter(entry.items()))
            table_name = op.get("TableName")
            if not table_name or table_name not in backend.tables:
                continue
            table = backend.tables[table_name]
            if operation == "Put":
                keys = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None:
                    keys[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                keys = op["Key"]
            hash_key, range_key = backend.get_keys_value(table, keys)
            current = table.get_item(hash_key, range_key)
            undo.append(_Undo(table, hash_key, range_key, copy.deepcopy(current) if current is not None else None))
            shard = table.stream_shard
            if shard is not None and id(shard) not in marks:
                marks[id(shard)] = _StreamMark(shard, shard.starting_sequence_number + len(shard.items))
    except Exception:  # noqa: BLE001 - a missing key, a bad type: moto's validation says what is wrong
        return None
    return undo, list(marks.values())


def _roll_back(undo: list[_Undo], marks: list[_StreamMark]) -> None:
    for entry in reversed(undo):
        items = entry.table.items
        if entry.range_key is not None:
            if entry.item is None:
                items.get(entry.hash_key, {}).pop(entry.range_key, None)
            else:
                items[entry.hash_key][entry.range_key] = entry.item
        elif entry.item is None:
            items.pop(entry.hash_key, None)
        else:
            items[entry.hash_key] = entry.item
    for mark in marks:
        kept = max(0, mark.next_sequence - mark.shard.starting_sequence_number)
        del mark.shard.items[kept:]


def install() -> None:
    """Patch moto's DynamoDB backend in this process (once)."""
    global _installed  # noqa: PLW0603 - one patch per process
    if _installed:
        return
    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        logged = _log(backend, transact_items) if len(transact_items) <= 100 else None
        if logged is None:
            original(backend, transact_items)
            return
        _state.logging = True
        try:
            original(backend, transact_items)
        except Exception:
            _roll_back(*logged)
            raise
        finally:
            _state.logging = False

    models.copy = _CopyModule()  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _installed = True
