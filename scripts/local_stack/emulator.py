"""The embedded AWS emulator: moto's WSGI app on 127.0.0.1, in this process, made safe to call from many threads.

moto keeps every service's state in plain dicts and lists that its request handlers iterate and mutate without
locks, so concurrent requests can corrupt a listing or fail with ``RuntimeError: dictionary changed size during
iteration`` (seen as HTTP 500 under a burst of uploads). The emulator therefore serves moto's app through
:class:`EmulatorApp`, which
- reads each request body before taking the lock (a slow upload never holds it),
- runs one request at a time inside moto (one lock for every service: S3 notifies SQS inside its own request),
- lets SQS long polls wait without the lock (``ReceiveMessage`` with ``WaitTimeSeconds`` would otherwise stall
  every other request for its whole wait),
- refuses browser uploads whose presigned-POST policy S3 would refuse (:mod:`scripts.local_stack.s3_post_policy`),
- logs every 5xx it answers on ``scripts.local_stack.emulator`` as ``emulator 5xx: …`` (tests and the benchmark
  count them).

It also bounds what grows with use (:func:`_bound_what_grows`): moto's record of every instance it ever created, S3
object bytes in RAM, the table stream's records.

boto3 ≥ 1.28 honours ``AWS_ENDPOINT_URL``, so the Lambda handlers run unchanged against the emulator as long as the
variables are set before their first client is created (``photovault.adapters.clients`` caches clients).
"""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from typing import Any

from scripts.local_stack import moto_transactions
from scripts.local_stack.config import HOST, REGION
from scripts.local_stack.s3_post_policy import PostPolicyChecker, S3Error, is_post_object

log = logging.getLogger(__name__)

# The emulator's only credentials: boto3 in the stack signs with them, and presigned POSTs are verified with them.
ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"  # noqa: S105 - moto's conventional fake secret, local only

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
_STOP_TIMEOUT_SECONDS = 5.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def port_is_free(port: int, host: str = HOST) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def aws_environment(endpoint_url: str, region: str = REGION) -> dict[str, str]:
    """The variables every boto3 client in this process tree needs to talk to the emulator with its credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
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


# ---------------------------------------------------------------- one request at a time inside moto


class DispatchLock:
    """The lock around moto's request dispatch; knows its owner so a long poll can step out of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def __enter__(self) -> None:
        self._lock.acquire()
        self._owner = threading.get_ident()

    def __exit__(self, *exc: object) -> None:
        self._owner = None
        self._lock.release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Give the lock up while waiting (only if this thread holds it: moto is also used in-process by tests)."""
        if self._owner != threading.get_ident():
            yield
            return
        self.__exit__()
        try:
            yield
        finally:
            self.__enter__()


DISPATCH_LOCK = DispatchLock()  # moto's state is per process, so is its lock
_patched: set[str] = set()


def _let_long_polls_wait_unlocked() -> None:
    """SQS ``ReceiveMessage`` waits inside moto for messages (``Queue.wait_for_messages``); it must release the
    dispatch lock meanwhile, or no message could ever be sent to end the wait. Patched once per process."""
    if "long-poll" in _patched:
        return
    from moto.sqs.models import Queue

    original = Queue.wait_for_messages

    def wait_for_messages(queue: Queue, timeout: int) -> None:
        with DISPATCH_LOCK.released():
            original(queue, timeout)

    Queue.wait_for_messages = wait_for_messages  # type: ignore[method-assign]
    _patched.add("long-poll")


# ---------------------------------------------------------------- what grows with use, bounded

# moto's BaseModel records every model instance it ever creates (``instances_tracked``, for its /moto-api dashboard).
# Every read deep-copies the items or messages it answers with, so each GetItem, Query and ReceiveMessage added copies
# that were never freed: the stack grew by gigabytes over a burst of uploads while a page or a watcher polled.

# moto keeps an object's bytes in RAM up to this size and in an (unlinked) temporary file beyond: the photos people
# upload live on disk, as in a bucket, and only thumbnails stay in memory.
S3_IN_MEMORY_OBJECT_BYTES = 256 * 1024
# moto keeps every DynamoDB stream record (a JSON image of each write) for ever; AWS keeps them 24 h. The newest records
# are kept (the purge's stream poller, streams.py, reads close behind them), older ones are trimmed as AWS trims
# expired ones.
STREAM_RECORDS_KEPT = 10_000
_OPEN_FILES_WANTED = 65536  # one descriptor per S3 object on disk


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def _bound_what_grows() -> None:
    from moto.core.common_models import BaseModel
    from moto.core.model_instances import reset_model_data

    BaseModel.__new__ = staticmethod(_untracked_new)  # type: ignore[method-assign,assignment]
    reset_model_data()  # and forget what was recorded before
    os.environ["MOTO_S3_DEFAULT_KEY_BUFFER_SIZE"] = str(S3_IN_MEMORY_OBJECT_BYTES)  # read by moto per object
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = _OPEN_FILES_WANTED if hard == resource.RLIM_INFINITY else min(hard, _OPEN_FILES_WANTED)
        if soft != resource.RLIM_INFINITY and soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not POSIX, or not allowed: moto still works
        log.debug("could not raise the open-files limit")
    moto_transactions.install()
    if "stream-retention" in _patched:
        return
    from moto.dynamodb.models.table import StreamShard

    original = StreamShard.add

    def add(shard: StreamShard, old: Any, new: Any) -> None:
        original(shard, old, new)
        excess = len(shard.items) - STREAM_RECORDS_KEPT
        if excess > 0:
            del shard.items[:excess]
            shard.starting_sequence_number += excess  # sequence numbers stay those of the records kept

    StreamShard.add = add  # type: ignore[method-assign]
    _patched.add("stream-retention")


def read_body(environ: dict[str, Any]) -> bytes:
    """The whole request body, read from the socket now; ``wsgi.input`` is replaced by an in-memory copy."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):  # chunked: werkzeug de-chunks and ends the stream
        body = stream.read()
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = stream.read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return bytes(body)


class EmulatorApp:
    """moto's WSGI app behind the dispatch lock, the POST-policy check and 5xx logging (see the module docstring)."""

    def __init__(self, app: WsgiApp, *, post_policy: PostPolicyChecker | None, serialize: bool = True) -> None:
        self._app = app
        self._post_policy = post_policy
        self._serialize = serialize

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = read_body(environ)
        if self._post_policy is not None and is_post_object(environ):
            try:
                self._post_policy.check(environ, body)
            except S3Error as refusal:
                log.info("S3 POST refused (%s): %s", refusal.code, refusal.message)
                status, headers, payload = refusal.response(cors=self._cors_headers(environ))
                start_response(status, headers)
                return [payload]
        status_line, headers, chunks = self._dispatch(environ)
        status = int(status_line.split(" ", 1)[0])
        if status >= 500:
            log.error(
                "emulator 5xx: %s %s %s (%s)", status, environ.get("REQUEST_METHOD"), _describe(environ), body[:200]
            )
        start_response(status_line, headers)
        return chunks

    def _dispatch(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        answer: dict[str, Any] = {}
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            answer["status"], answer["headers"] = status, headers
            return chunks.append

        try:
            with DISPATCH_LOCK if self._serialize else _no_lock():
                result = self._app(environ, capture)
                try:
                    chunks.extend(result)  # moto builds bodies from its state: read them while still serialised
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
        except Exception:
            log.exception("emulator 5xx: 500 %s %s", environ.get("REQUEST_METHOD"), _describe(environ))
            body = b"<Error><Code>InternalError</Code><Message>emulator error</Message></Error>"
            return "500 INTERNAL SERVER ERROR", [("Content-Type", "application/xml")], [body]
        return answer["status"], answer["headers"], chunks

    def _cors_headers(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        """The CORS headers S3 would add for this origin: asked of moto with the browser's own preflight, so the
        page can read the refusal exactly when it could have read a success."""
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return []
        preflight = {
            **environ,
            "REQUEST_METHOD": "OPTIONS",
            "CONTENT_LENGTH": "0",
            "wsgi.input": io.BytesIO(b""),
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
        }
        preflight.pop("CONTENT_TYPE", None)
        _, headers, _ = self._dispatch(preflight)
        return [(k, v) for k, v in headers if k.lower() in {"access-control-allow-origin", "vary"}]


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def _describe(environ: dict[str, Any]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    path = environ.get("PATH_INFO", "")
    return f"{path} {target}" if target else path


# ---------------------------------------------------------------- the server


class Emulator:
    """moto's app on ``host:port`` (0 = a free port) behind :class:`EmulatorApp`, started and stopped explicitly.

    ``serialize=False`` serves moto unguarded, as ``moto.server`` does (only to measure what the lock costs)."""

    def __init__(self, *, host: str = HOST, port: int = 0, serialize: bool = True, region: str = REGION) -> None:
        self._host = host
        self._requested_port = port
        self._serialize = serialize
        self._region = region
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def endpoint_url(self) -> str:
        if not self.port:
            raise RuntimeError("emulator not started")
        return f"http://{self._host}:{self.port}"

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from scripts.local_stack import vector_query

        vector_query.install()  # moto stores S3 Vectors but does not answer QueryVectors

        # One line per request from werkzeug would drown the stack's own output; 5xx are logged by EmulatorApp.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        if self._serialize:
            _let_long_polls_wait_unlocked()
        _bound_what_grows()
        app = EmulatorApp(
            DomainDispatcherApplication(create_backend_app),
            post_policy=PostPolicyChecker({ACCESS_KEY_ID: SECRET_ACCESS_KEY}, region=self._region),
            serialize=self._serialize,
        )
        # werkzeug's threaded server: a thread per connection, daemonic, listen backlog 128.
        self._server = make_server(
            self._host, self._requested_port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-emulator", daemon=True)
        self._thread.start()
        # moto keeps its state in module globals: a stack started earlier in this process must not leak into this one.
        self.reset()
        log.info("AWS emulator on %s", self.endpoint_url)
        return self.endpoint_url

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()  # ends serve_forever within its poll interval; in-flight daemon threads are abandoned
        server.server_close()
        if self._thread is not None:
            self._thread.join(_STOP_TIMEOUT_SECONDS)
            self._thread = None
        log.info("AWS emulator stopped")
