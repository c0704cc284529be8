"""``make run`` as a child process, for the benchmark and the tests: start it on free ports, wait until it serves,
sign in through it, measure its process tree, read its log, and stop it with a signal, timing the whole tree's exit.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from scripts.local_stack.config import HOST, REPO_ROOT

EMULATOR_5XX_MARK = "emulator 5xx"  # what emulator.EmulatorApp logs for every 5xx it answers


def free_port(host: str = HOST) -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """``pid`` and every live descendant (from /proc; Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        if _alive(current):
            tree.append(current)
        todo += children.get(current, [])
    return tree


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait() is missing


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the live processes ``pids`` have used so far (and the children they already reaped)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


@dataclass
class StackProcess:
    """One ``python -m scripts.local_stack`` (what ``make run`` starts), its ports and its log file."""

    process: subprocess.Popen[bytes]
    gateway_port: int
    aws_port: int
    log_path: Path
    peak_rss: int = 0
    _log: TextIO | None = None
    _sampler: threading.Thread | None = None
    _stop_sampling: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(
        cls,
        log_path: Path,
        *,
        environment: Mapping[str, str] | None = None,
        ready_timeout: float = 180.0,
        root: Path = REPO_ROOT,
    ) -> StackProcess:
        """``root``: the checkout to run (another one measures a before/after with the same driver)."""
        gateway_port, aws_port = free_port(), free_port()
        env = {
            **os.environ,
            "PV_PORT": str(gateway_port),
            "PV_LOCAL_AWS_PORT": str(aws_port),
            "PV_SEED": "0",
            "PYTHONPATH": f"{root / 'lambda_src'}{os.pathsep}{root}",
            **(environment or {}),
        }
        log = log_path.open("w", encoding="utf-8")
        process = subprocess.Popen(  # noqa: S603 - our own module, with this interpreter
            [sys.executable, "-u", "-m", "scripts.local_stack"],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: Ctrl-C can be sent to it alone
        )
        stack = cls(process, gateway_port, aws_port, log_path, _log=log)
        try:
            stack._wait_until_serving(ready_timeout)
        except BaseException:
            stack.kill()
            raise
        stack._sampler = threading.Thread(target=stack._sample, name="stack-rss", daemon=True)
        stack._sampler.start()
        return stack

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.gateway_port}"

    @property
    def endpoint_url(self) -> str:
        return f"http://{HOST}:{self.aws_port}"

    def web_config(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/config.json", timeout=10) as response:
            return dict(json.loads(response.read()))

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """Cognito ``InitiateAuth`` through the gateway's same-origin proxy, as the web app signs in."""
        body = {
            "ClientId": self.web_config()["auth"]["clientId"],
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        }
        request = urllib.request.Request(
            f"{self.url}/cognito/",
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.loads(response.read())["AuthenticationResult"])

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def emulator_5xx(self) -> list[str]:
        return [line for line in self.log_text().splitlines() if EMULATOR_5XX_MARK in line]

    def tree(self) -> list[int]:
        return process_tree(self.process.pid)

    def stop(self, sig: signal.Signals = signal.SIGTERM, *, group: bool = False, timeout: float = 10.0) -> float:
        """Send ``sig`` (to the whole process group if ``group``, as a terminal's Ctrl-C does) and return the seconds
        until every process of the tree is gone; TimeoutError (after killing it) if that takes over ``timeout``."""
        tree = self.tree()
        started = time.monotonic()
        if group:
            os.killpg(self.process.pid, sig)
        else:
            self.process.send_signal(sig)
        deadline = started + timeout
        while any(_alive(pid) for pid in tree):
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"the stack's processes were still running {timeout} s after {sig.name}")
            self._stop_sampling.wait(0.05)
        elapsed = time.monotonic() - started
        self.process.wait(5)
        self._close()
        return elapsed

    def kill(self) -> None:
        for pid in self.tree():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(10)
        self._close()

    def _close(self) -> None:
        self._stop_sampling.set()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _sample(self) -> None:
        while not self._stop_sampling.wait(0.25):
            self.peak_rss = max(self.peak_rss, rss_bytes(self.tree()))

    def _wait_until_serving(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the local stack exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                if self.web_config().get("auth", {}).get("clientId"):
                    return
            except (OSError, ValueError):
                pass
            self._stop_sampling.wait(0.2)
        raise TimeoutError(f"the local stack did not serve within {timeout} s:\n{self.log_text()[-3000:]}")
