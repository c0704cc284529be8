"""Reusable fixtures for tests against the local stack (``make run``'s emulator, gateway and edge) on free ports.

Use from a test module with ``local_stack = local_stack_fixture.local_stack`` (a module attribute is enough for
pytest), or register the module once in ``tests/conftest.py``:
``pytest_plugins = ["tests.integration.local_stack_fixture"]``.
The stack's API handler is :func:`echo_api` (it returns the event it got), and no poller runs: tests that need the
real handlers or a poller build their own :class:`~scripts.local_stack.stack.LocalStack` / ``SqsPoller``.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from scripts.local_stack.config import ResourceSpec
from scripts.local_stack.jwt_auth import b64url_decode
from scripts.local_stack.provision import ingest_queues as ingest_queues_of
from scripts.local_stack.stack import LocalStack, StackOptions

# ---------------------------------------------------------------- stub handlers


class Recorder:
    """Collects the events a stub handler received (thread-safe: the gateway serves from many threads)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, event: dict[str, Any]) -> None:
        with self._lock:
            self.events.append(event)

    def clear(self) -> None:
        with self._lock:
            self.events.clear()

    @property
    def last(self) -> dict[str, Any]:
        with self._lock:
            return self.events[-1]


api_calls = Recorder()


def echo_api(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """An ``api.handler`` stand-in: answers 200 with the event it received (and the context's function name)."""
    api_calls.add(event)
    body = {"event": event, "function_name": context.function_name}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def sleepy_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A worker stand-in that outlives any short timeout (for SubprocessFunction's timeout)."""
    threading.Event().wait(30)
    return {"batchItemFailures": []}


def journal_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A worker stand-in that takes a second per batch and journals it in ``$PV_TEST_JOURNAL``: a line
    ``begin <pid> <time> <body,body…>`` when it starts and ``end …`` when it is done."""
    import os

    bodies = ",".join(record["body"] for record in event["Records"])

    def note(what: str) -> None:
        with open(os.environ["PV_TEST_JOURNAL"], "a", encoding="utf-8") as journal:  # noqa: PTH123 - one line
            journal.write(f"{what} {os.getpid()} {time.time()} {bodies}\n")

    note("begin")
    time.sleep(1.0)
    note("end")
    return {"batchItemFailures": []}


def pid_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answers with the process id and the remaining time (to prove where and how it ran)."""
    import os

    return {
        "pid": os.getpid(),
        "remaining_ms": context.get_remaining_time_in_millis(),
        "records": len(event["Records"]),
    }


# ---------------------------------------------------------------- helpers


def wait_until(predicate: Callable[[], Any], *, timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test at the deadline (never a blind sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        threading.Event().wait(interval)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_jwt(claims: dict[str, Any], key: rsa.RSAPrivateKey, *, kid: str = "dummy", alg: str = "RS256") -> str:
    header = b64url(json.dumps({"kid": kid, "alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


def emulator_signing_key() -> rsa.RSAPrivateKey:
    """moto's (public, well-known) Cognito signing key: lets a test mint tokens the emulator's JWKS vouches for."""
    from moto.utilities.utils import load_resource

    jwk = load_resource("cognitoidp/resources/jwks-private.json")

    def number(name: str) -> int:
        return int.from_bytes(b64url_decode(jwk[name]), "big")

    n, e, d = number("n"), number("e"), number("d")
    p, q = rsa.rsa_recover_prime_factors(n, e, d)  # the JWK carries only n, e, d
    private = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), rsa.RSAPublicNumbers(e, n)
    )
    return private.private_key()


def sign_in(stack: LocalStack, username: str, password: str) -> dict[str, str]:
    """Cognito USER_PASSWORD_AUTH on the emulator → ``AuthenticationResult`` (IdToken, AccessToken …)."""
    result = stack.client("cognito-idp").initiate_auth(
        ClientId=stack.resources.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return dict(result["AuthenticationResult"])


def small_jpegs(count: int, *, width: int = 128, height: int = 96) -> list[bytes]:
    """``count`` distinct small JPEGs (a different colour and mark each, so none is a DUPLICATE of another):
    cheap for the offline analyzer, which is not what load tests measure."""
    from PIL import Image, ImageDraw

    photos = []
    for index in range(count):
        image = Image.new("RGB", (width, height), ((index * 37) % 256, (index * 91) % 256, (index * 53) % 256))
        draw = ImageDraw.Draw(image)
        x, y = (index * 13) % (width - 32), (index * 7) % (height - 32)
        draw.rectangle((x, y, x + 32, y + 32), fill=((index * 7) % 256, 200, (255 - index) % 256))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        photos.append(buffer.getvalue())
    return photos


def token_sub(token: str) -> str:
    """The ``sub`` claim of a JWT (no verification: the gateway verified it already)."""
    return str(json.loads(b64url_decode(token.split(".")[1]))["sub"])


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStack]:
    """The local stack on free ports with :func:`echo_api` as the API function and no poller."""
    stack = LocalStack(StackOptions(api_handler=echo_api, start_poller=False, seed=False))
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@dataclass(frozen=True)
class IngestQueues:
    url: str
    arn: str
    dlq_url: str
    dlq_arn: str


@pytest.fixture
def ingest_queues(local_stack: LocalStack) -> IngestQueues:
    """A fresh ingest queue + DLQ made by the provisioner's own code (SQS allows one purge a minute, so no reuse)."""
    spec = ResourceSpec(raw=local_stack.spec.raw, environment=f"t{uuid.uuid4().hex[:10]}")
    dlq_url, dlq_arn, url, arn = ingest_queues_of(local_stack.client("sqs"), spec)
    return IngestQueues(url=url, arn=arn, dlq_url=dlq_url, dlq_arn=dlq_arn)
