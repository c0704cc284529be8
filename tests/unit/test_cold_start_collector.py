"""Inside Lambda the cyclic garbage collector pauses from the handler's import until its first invocation returns
(init's long-lived objects are then frozen); outside Lambda, importing a handler changes nothing (issue 18)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import gc, json
import photovault.handlers.{module} as module
from photovault.handlers import batch
states = {{"after_import": gc.isenabled()}}
handler = batch.batch_handler(
    record_handler={record_handler}, item_identifier=batch.sqs_message_id, correlation_id_path="x"
)
class Context:
    function_name = "f"; function_version = "1"; invoked_function_arn = "arn:aws:lambda:eu-west-1:1:function:f"
    memory_limit_in_mb = 128; aws_request_id = "r"; log_group_name = log_stream_name = "l"
    def get_remaining_time_in_millis(self): return 60000
event = {{"Records": [{{"messageId": "m", "body": "{{}}", "attributes": {{}}}}]}}
states["response"] = handler(event, Context())
states["after_first_call"] = gc.isenabled()
states["frozen"] = gc.get_freeze_count() > 1000
print(json.dumps(states))
"""


def _run(module: str, record_handler: str, *, in_lambda: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "LAMBDA_TASK_ROOT"}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "lambda_src"), str(ROOT)]), AWS_DEFAULT_REGION="eu-west-1")
    env["POWERTOOLS_TRACE_DISABLED"] = "true"
    if in_lambda:
        env["LAMBDA_TASK_ROOT"] = "/var/task"
    code = _PROBE.format(module=module, record_handler=record_handler)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("module", ["worker", "api", "jobs", "purge", "forwarder"])
def test_inside_lambda_the_collector_is_paused_until_the_first_invocation_returns(module: str) -> None:
    states = _run(module, "lambda record, context: None", in_lambda=True)
    assert states == {
        "after_import": False,
        "response": {"batchItemFailures": []},
        "after_first_call": True,
        "frozen": True,
    }


def test_a_first_invocation_that_raises_still_ends_the_pause() -> None:
    code = (
        "import gc, json\n"
        "from photovault.handlers import entry_point\n"
        "paused = not gc.isenabled()\n"
        "handler = entry_point(lambda event, context: 1 / 0)\n"
        "try:\n    handler({}, None)\nexcept ZeroDivisionError:\n    pass\n"
        "print(json.dumps([paused, gc.isenabled()]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lambda_src"), "LAMBDA_TASK_ROOT": "/var/task"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert json.loads(done.stdout) == [True, True]


def test_outside_lambda_importing_a_handler_leaves_the_collector_alone() -> None:
    states = _run("worker", "lambda record, context: None", in_lambda=False)
    assert states["after_import"] is True
    assert states["after_first_call"] is True
    assert states["frozen"] is False
