"""Offline "plan-like" evaluation of terraform/ per workspace: tfparse with the workspace's tfvars file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TF_DIR = ROOT / "terraform"
WORKSPACES = ("dev", "staging", "prod")

tfparse = pytest.importorskip("tfparse", reason="tfparse (requirements/infra.txt) evaluates the configuration offline")

Resource = dict[str, Any]


@cache
def evaluate(workspace: str, tfvars: str | None = None) -> dict[str, list[Resource]]:
    """Parse and evaluate the root module and its modules as `terraform plan` would for this workspace."""
    var_file = f"environments/{tfvars or workspace}.tfvars"
    parsed: dict[str, list[Resource]] = tfparse.load_from_path(
        str(TF_DIR), vars_paths=[var_file], workspace_name=workspace
    )
    return parsed


class Plan:
    """Resources of one evaluated configuration, addressed like a plan: module.x.type.name["key"]."""

    def __init__(self, parsed: dict[str, list[Resource]]) -> None:
        self.parsed = parsed

    def all(self, type_: str) -> dict[str, Resource]:
        return {item["__tfmeta"]["path"]: item for item in self.parsed.get(type_, [])}

    def one(self, type_: str, address: str) -> Resource:
        found = self.all(type_)
        assert address in found, f"{address} not in {sorted(found)}"
        return found[address]

    def keyed(self, type_: str, prefix: str) -> dict[str, Resource]:
        """for_each instances of one resource block by key: {"originals": {...}, ...}."""
        pattern = re.compile(re.escape(prefix) + r'\["([^"]+)"\]$')
        return {m.group(1): item for path, item in self.all(type_).items() if (m := pattern.match(path))}


@pytest.fixture(params=WORKSPACES)
def workspace(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def plan(workspace: str) -> Plan:
    return Plan(evaluate(workspace))


@pytest.fixture(scope="session")
def resources_json() -> dict[str, Any]:
    return dict(json.loads((TF_DIR / "resources.json").read_text()))


@pytest.fixture(scope="session")
def plan_for() -> Callable[[str, str], Plan]:
    return lambda workspace, tfvars: Plan(evaluate(workspace, tfvars))
