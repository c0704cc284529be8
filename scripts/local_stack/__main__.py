"""``make run``: PhotoVault on this machine — no AWS account, all data in memory. Ctrl-C stops everything.

Environment: PV_PORT (gateway, default 8080), PV_LOCAL_AWS_PORT (emulator, default 4566, a free port if taken),
PV_SEED=0 (no demo photos), PV_RETRY_DELAY=<seconds> (a failed ingest message is retried after that many seconds;
default 10, ``queue`` = the queue's own 720 s visibility timeout, as in AWS), PV_LOG_LEVEL (handlers' Powertools log
level, default WARNING), PV_DEMO_PASSWORD.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import sys
import threading
from types import FrameType

from scripts.local_stack.config import worker_processes_wanted
from scripts.local_stack.emulator import port_is_free
from scripts.local_stack.provision import DEMO_PASSWORD
from scripts.local_stack.stack import LocalStack, StackOptions

DEFAULT_GATEWAY_PORT = 8080
DEFAULT_AWS_PORT = 4566
# Locally nobody waits 12 minutes to see a crashed photo retried; tests of the DLQ pass their own value.
DEFAULT_RETRY_DELAY_SECONDS = 10
# If stopping ever takes longer than this, every thread's stack is printed and the process exits anyway.
SHUTDOWN_DEADLINE_SECONDS = 8


def _options(argv: list[str] | None) -> StackOptions:
    parser = argparse.ArgumentParser(prog="python -m scripts.local_stack", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PV_PORT", DEFAULT_GATEWAY_PORT)))
    parser.add_argument("--aws-port", type=int, default=int(os.environ.get("PV_LOCAL_AWS_PORT", DEFAULT_AWS_PORT)))
    parser.add_argument("--no-seed", action="store_true", default=os.environ.get("PV_SEED", "1") == "0")
    args = parser.parse_args(argv)
    if args.port and not port_is_free(args.port):
        parser.exit(2, f"port {args.port} is in use (another `make run`?): stop it, or choose one with PV_PORT=8081\n")
    aws_port = args.aws_port
    if aws_port and not port_is_free(aws_port):
        if "PV_LOCAL_AWS_PORT" in os.environ:
            parser.exit(2, f"PV_LOCAL_AWS_PORT={aws_port} is in use\n")
        aws_port = 0  # the default is only a convenience for the aws CLI; any free port works
    retry = os.environ.get("PV_RETRY_DELAY", "").strip() or str(DEFAULT_RETRY_DELAY_SECONDS)
    if retry != "queue" and not retry.isdigit():
        parser.exit(2, f"PV_RETRY_DELAY must be a number of seconds or 'queue', not {retry!r}\n")
    workers = worker_processes_wanted()
    if not workers.isdigit() or not 1 <= int(workers) <= 16:
        parser.exit(2, f"PV_WORKERS must be a number of worker processes from 1 to 16, not {workers!r}\n")
    return StackOptions(
        gateway_port=args.port,
        aws_port=aws_port,
        seed=not args.no_seed,
        worker_concurrency=int(workers),  # one worker process per core, as Lambda runs batches side by side
        failure_visibility_timeout=None if retry == "queue" else int(retry),
        demo_password=os.environ.get("PV_DEMO_PASSWORD", DEMO_PASSWORD),
    )


def _banner(stack: LocalStack) -> str:
    r = stack.resources
    seeding = "" if not stack.options.seed else "\n  Demo photos are being uploaded and processed in the background."
    return f"""
  PhotoVault is running locally.

  Open        {stack.url}
  Sign in     {r.demo_username}  /  {r.demo_password}   (or sign up: new accounts are confirmed at once)
  Outbox      {stack.url}/_local/outbox   (the e-mails Cognito would send: password-reset codes, sign-ups)
  AWS         emulator at {r.endpoint_url}  (region {r.region}, account {r.account_id}, any credentials)
  Workers     {len(stack.workers)} worker process(es) side by side (PV_WORKERS; default one per core)
{seeding}
  Everything lives in memory: photos, accounts and data disappear when you stop it (Ctrl-C).
"""


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("botocore").setLevel(logging.WARNING)
    options = _options(argv)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stopping.is_set():
            os._exit(128 + signum)  # asked twice: leave now
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stack = LocalStack(options)
    try:
        stack.start()
        print(_banner(stack), flush=True)
        while not stopping.wait(0.5):
            pass
        print("\n  Stopping PhotoVault (local data is discarded) …", flush=True)
    finally:
        # A backstop, not the mechanism: stop() ends every piece in seconds; if anything ever hangs, say where.
        faulthandler.dump_traceback_later(SHUTDOWN_DEADLINE_SECONDS, exit=True)
        stack.stop()
    print("  Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    status = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is stopped and all state is discarded: skip the interpreter's teardown, which garbage-collects and
    # frees every object the emulator holds — seconds after a burst of uploads, minutes after a big one.
    os._exit(status)
