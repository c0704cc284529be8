"""The embedded AWS emulator: moto's server on 127.0.0.1, in this process, plus the environment that points boto3 at it.

boto3 ≥ 1.28 honours ``AWS_ENDPOINT_URL``, so the Lambda handlers run unchanged against the emulator as long as the
variables are set before their first client is created (``photovault.adapters.clients`` caches clients).
"""

from __future__ import annotations

import logging
import os
import socket
import urllib.request
from contextlib import closing

from scripts.local_stack.config import HOST, REGION

log = logging.getLogger(__name__)

# Variables that would send boto3 elsewhere or to real credentials; removed while the local stack runs.
_FOREIGN_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def port_is_free(port: int, host: str = HOST) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def aws_environment(endpoint_url: str, region: str = REGION) -> dict[str, str]:
    """The variables every boto3 client in this process tree needs to talk to the emulator with fake credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # the emulator accepts any credentials
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def apply_aws_environment(endpoint_url: str, region: str = REGION) -> None:
    """Point this process (and children spawned after this call) at the emulator."""
    for name in _FOREIGN_AWS_VARIABLES:
        os.environ.pop(name, None)
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL_")]:
        os.environ.pop(name)  # a service-specific endpoint would win over AWS_ENDPOINT_URL
    os.environ.update(aws_environment(endpoint_url, region))
    try:  # clients cached before the switch would still point elsewhere
        from photovault.adapters import clients
    except ImportError:  # pragma: no cover - the package is always importable under make run
        return
    clients.reset()


class Emulator:
    """moto's ThreadedMotoServer bound to ``host:port`` (0 = a free port), started and stopped explicitly."""

    def __init__(self, *, host: str = HOST, port: int = 0) -> None:
        self._host = host
        self._requested_port = port
        self._server: object | None = None
        self.port = 0

    @property
    def endpoint_url(self) -> str:
        if not self.port:
            raise RuntimeError("emulator not started")
        return f"http://{self._host}:{self.port}"

    def start(self) -> str:
        from moto.server import ThreadedMotoServer

        # One line per request from werkzeug would drown the stack's own output.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address=self._host, port=self._requested_port, verbose=False)
        server.start()
        self._server = server
        self.port = int(server.get_host_and_port()[1])
        # moto keeps its state in module globals: a stack started earlier in this process must not leak into this one.
        self.reset()
        log.info("AWS emulator on %s", self.endpoint_url)
        return self.endpoint_url

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        server = self._server
        self._server = None
        if server is None:
            return
        from moto.server import ThreadedMotoServer

        assert isinstance(server, ThreadedMotoServer)
        server.stop()
        inner = getattr(server, "_server", None)
        if inner is not None:  # ThreadedMotoServer.stop() leaves the listening socket open
            inner.server_close()
        log.info("AWS emulator stopped")
