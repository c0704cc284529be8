"""The X-Ray SDK is opt-in (issue 18): without XRAY_SDK_TRACING no function imports it (Powertools' Tracer imports it
even when disabled, ~25 ms of every cold start); with it, the handlers are traced by Powertools' Tracer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from photovault.observability import Untraced, sdk_tracing_enabled

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(code: str, **env: str) -> dict[str, object]:
    probe = (
        f"import json, sys\n{code}\n"
        "from photovault.observability import tracer\n"
        "print(json.dumps({'xray': sorted(m for m in sys.modules if m.startswith('aws_xray_sdk')),"
        " 'asyncio': 'asyncio' in sys.modules, 'tracer': type(tracer).__name__}))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "XRAY_SDK_TRACING"}
    environ.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "lambda_src"), str(ROOT)]),
        LAMBDA_TASK_ROOT="/var/task",  # Lambda as Powertools detects it: tracing would be on
        POWERTOOLS_TRACE_DISABLED="false",
        AWS_DEFAULT_REGION="eu-west-1",
        **env,
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environ, check=True)
    parsed: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


@pytest.mark.parametrize("handler", ["worker", "api", "jobs", "purge", "forwarder"])
def test_no_function_loads_the_x_ray_sdk_by_default(handler: str) -> None:
    loaded = _modules_after(f"import photovault.handlers.{handler}")
    assert loaded == {"xray": [], "asyncio": False, "tracer": "Untraced"}


def test_xray_sdk_tracing_turns_powertools_tracer_on() -> None:
    loaded = _modules_after("import photovault.handlers.worker", XRAY_SDK_TRACING="true")
    assert loaded["tracer"] == "Tracer"
    assert "aws_xray_sdk.core" in loaded["xray"]  # type: ignore[operator]


@pytest.mark.parametrize(("value", "on"), [("true", True), ("TRUE", True), ("1", True), ("false", False), ("", False)])
def test_the_switch_reads_like_the_other_boolean_settings(value: str, on: bool) -> None:
    assert sdk_tracing_enabled({"XRAY_SDK_TRACING": value}) is on


def test_untraced_decorators_return_the_function_itself() -> None:
    def handler(event: dict[str, str], _context: object) -> dict[str, str]:
        return event

    untraced = Untraced()
    assert untraced.capture_lambda_handler(handler) is handler
    assert untraced.capture_method(handler) is handler
