"""Markdown summary of a Terraform plan (``terraform show -json PLAN | plan_summary.py``) for PRs and job summaries."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from typing import Any, TextIO

ACTION_ORDER = ("delete", "replace", "create", "update", "read")
MAX_ADDRESSES = 40


def classify(actions: list[str]) -> str | None:
    """Terraform's action list for one resource → one verb (None for no-op)."""
    if actions in (["delete", "create"], ["create", "delete"]):
        return "replace"
    if actions == ["no-op"] or not actions:
        return None
    return actions[0]


def summarise(plan: dict[str, Any], environment: str) -> str:
    """The summary: counts per action, then the addresses, destructive ones first."""
    by_action: dict[str, list[str]] = defaultdict(list)
    for change in plan.get("resource_changes", []):
        verb = classify(list(change.get("change", {}).get("actions", [])))
        if verb is not None:
            by_action[verb].append(str(change.get("address", "?")))
    counts = ", ".join(f"{len(by_action[a])} to {a}" for a in ACTION_ORDER if by_action[a]) or "no changes"
    lines = [f"### {environment}: {counts}", ""]
    if by_action["delete"] or by_action["replace"]:
        lines += ["> [!WARNING]", "> This plan destroys resources. Read the list below before approving.", ""]
    for action in ACTION_ORDER:
        addresses = sorted(by_action[action])
        if not addresses:
            continue
        lines.append(f"<details><summary>{action} ({len(addresses)})</summary>\n")
        lines += [f"- `{address}`" for address in addresses[:MAX_ADDRESSES]]
        if len(addresses) > MAX_ADDRESSES:
            lines.append(f"- … and {len(addresses) - MAX_ADDRESSES} more")
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--environment", required=True)
    args = parser.parse_args(argv)
    stdout.write(summarise(json.load(stdin), args.environment) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
