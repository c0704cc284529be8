"""Lambda's event filtering (``FilterCriteria``), for the local event sources: a record reaches the function only if
one of the patterns matches it. The patterns are terraform/resources.json's, the ones Terraform gives AWS.

Implemented: nested objects, lists of literal values, ``prefix``, ``suffix``, ``equals-ignore-case``, ``exists``,
``anything-but`` and ``numeric`` — Lambda's documented operators. A pattern using anything else raises, so a filter
the local stack cannot evaluate fails loudly instead of passing everything."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

_MISSING = object()


def matches_any(patterns: Sequence[Mapping[str, Any]], event: Mapping[str, Any]) -> bool:
    """Lambda's rule for several filters: the record passes when any one of them matches (none: everything)."""
    return not patterns or any(matches(pattern, event) for pattern in patterns)


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    if not isinstance(pattern, Mapping):
        raise ValueError(f"a filter pattern is an object: {pattern!r}")
    for name, expected in pattern.items():
        value = event.get(name, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if value is _MISSING or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not _leaf_matches(expected, value):
                return False
        else:
            raise ValueError(f"{name}: a filter value is an object or a list, not {expected!r}")
    return True


def _leaf_matches(rules: list[Any], value: Any) -> bool:
    candidates = value if isinstance(value, list) else [value]  # an array matches when any element does
    return any(_rule_matches(rule, candidate) for rule in rules for candidate in candidates)


def _rule_matches(rule: Any, value: Any) -> bool:
    if not isinstance(rule, Mapping):
        return value is not _MISSING and not isinstance(value, Mapping) and rule == value
    (operator, operand), *others = rule.items()
    if others or (operator != "exists" and operator not in _COMPARISONS):
        raise ValueError(f"unsupported filter rule {dict(rule)!r}")
    if operator == "exists":
        present = value is not _MISSING and not isinstance(value, Mapping)  # exists only holds for leaves
        return present is bool(operand)
    if value is _MISSING or isinstance(value, Mapping):
        return False
    return _COMPARISONS[operator](operand, value)


def _anything_but(operand: Any, value: Any) -> bool:
    return value not in (operand if isinstance(operand, list) else [operand])


def _numeric(operand: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    checks = {"=": value.__eq__, "<": value.__lt__, "<=": value.__le__, ">": value.__gt__, ">=": value.__ge__}
    pairs = list(zip(operand[::2], operand[1::2], strict=True))
    return all(bool(checks[op](bound)) for op, bound in pairs)


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "prefix": lambda operand, value: isinstance(value, str) and value.startswith(operand),
    "suffix": lambda operand, value: isinstance(value, str) and value.endswith(operand),
    "equals-ignore-case": lambda operand, value: isinstance(value, str) and value.casefold() == str(operand).casefold(),
    "anything-but": _anything_but,
    "numeric": _numeric,
}
