"""The local stack as one object: start the emulator, provision, bind the gateway, start the worker and the poller.

Used by ``python -m scripts.local_stack`` and by the integration tests (on free ports, with stub handlers if wanted).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from scripts.local_stack.config import HOST, REGION, WEB_ROOT, ResourceSpec
from scripts.local_stack.edge import SignedUrlVerifier
from scripts.local_stack.emulator import Emulator, apply_aws_environment
from scripts.local_stack.gateway import GatewayConfig, LocalGateway
from scripts.local_stack.jwt_auth import JwtVerifier
from scripts.local_stack.lambda_runtime import Handler, InProcessFunction, LambdaFunction, SubprocessFunction
from scripts.local_stack.poller import SqsPoller
from scripts.local_stack.provision import DEMO_PASSWORD, DEMO_USERNAME, LocalResources, provision

log = logging.getLogger(__name__)


@dataclass
class StackOptions:
    host: str = HOST
    gateway_port: int = 0
    aws_port: int = 0
    web_root: Path = WEB_ROOT
    environment: str = "local"
    # Handlers: a dotted path (Lambda's ``handler`` setting) or a callable (tests). None = resources.json's.
    api_handler: Handler | str | None = None
    worker_handler: Handler | str | None = None
    worker_in_subprocess: bool = True  # only for dotted paths; a callable always runs in-process
    start_poller: bool = True
    poll_wait_seconds: int = 1
    # None = failed messages wait out the queue's visibility timeout (Lambda's behaviour); 0 = retry at once.
    failure_visibility_timeout: int | None = None
    seed: bool = False
    demo_username: str = DEMO_USERNAME
    demo_password: str = DEMO_PASSWORD
    extra_environment: dict[str, str] = field(default_factory=dict)


class LocalStack:
    """Start with :meth:`start`, stop with :meth:`stop` (also a context manager). Restores ``os.environ`` on stop."""

    def __init__(self, options: StackOptions | None = None, *, spec: ResourceSpec | None = None) -> None:
        self.options = options or StackOptions()
        self.spec = spec or ResourceSpec.load(environment=self.options.environment)
        self.emulator = Emulator(host=self.options.host, port=self.options.aws_port)
        self.gateway: LocalGateway | None = None
        self.poller: SqsPoller | None = None
        self.worker: LambdaFunction | None = None
        self.api: LambdaFunction | None = None
        self._resources: LocalResources | None = None
        self._saved_environment: dict[str, str] | None = None
        self.seeded: list[str] = []
        self.seed_thread: threading.Thread | None = None

    # ------------------------------------------------------------ accessors

    @property
    def resources(self) -> LocalResources:
        if self._resources is None:
            raise RuntimeError("stack not started")
        return self._resources

    @property
    def url(self) -> str:
        if self.gateway is None:
            raise RuntimeError("stack not started")
        return self.gateway.url

    def client(self, service: str) -> Any:
        """A boto3 client on the emulator (independent of the handlers' cached clients)."""
        return boto3.session.Session(region_name=REGION).client(  # type: ignore[call-overload]
            service, endpoint_url=self.emulator.endpoint_url
        )

    def function_environment(self) -> dict[str, str]:
        env = self.resources.function_environment(media_base_url=self.url)
        env.setdefault("POWERTOOLS_LOG_LEVEL", os.environ.get("PV_LOG_LEVEL", "WARNING"))
        # EMF metrics are JSON lines on stdout; locally they only drown the output unless asked for.
        env.setdefault("POWERTOOLS_METRICS_DISABLED", "false" if os.environ.get("PV_METRICS") == "1" else "true")
        env.update(self.options.extra_environment)
        return env

    # ------------------------------------------------------------ lifecycle

    def start(self) -> LocalStack:
        self._saved_environment = dict(os.environ)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        options = self.options
        endpoint = self.emulator.start()
        apply_aws_environment(endpoint)
        self.gateway = LocalGateway(host=options.host, port=options.gateway_port)
        origins = [f"http://{options.host}:{self.gateway.port}", f"http://localhost:{self.gateway.port}"]
        self._resources = resources = provision(
            self.spec,
            endpoint_url=endpoint,
            web_origins=origins,
            demo_username=options.demo_username,
            demo_password=options.demo_password,
        )
        function_env = self.function_environment()
        os.environ.update(function_env)  # before any handler import: Settings are read once, at cold start
        _forget_cached_settings()

        functions = resources.functions
        api_fn = functions["api"]
        self.api = InProcessFunction(
            options.api_handler or api_fn["handler"],
            name=self.spec.name("api"),
            timeout_seconds=float(api_fn["timeout"]),
            memory_mb=int(api_fn["memory_size"]),
        )
        self.gateway.configure(
            GatewayConfig(
                web_root=options.web_root,
                region=resources.region,
                user_pool_id=resources.user_pool_id,
                user_pool_client_id=resources.user_pool_client_id,
                emulator_url=endpoint,
                derivatives_bucket=resources.derivatives_bucket,
                environment=resources.environment,
                demo_username=resources.demo_username,
                demo_password=resources.demo_password,
            ),
            api=self.api,
            jwt_verifier=JwtVerifier(
                issuer=resources.issuer, audiences=[resources.user_pool_client_id], jwks_url=resources.jwks_url
            ),
            media_verifier=SignedUrlVerifier({resources.cloudfront_key_pair_id: resources.cloudfront_public_key_pem}),
            s3=self.client("s3"),
            cognito=self.client("cognito-idp"),
        )
        self.gateway.start()

        if options.start_poller:
            worker_fn = functions["worker"]
            handler = options.worker_handler or worker_fn["handler"]
            common = {
                "name": self.spec.name("worker"),
                "timeout_seconds": float(worker_fn["timeout"]),
                "memory_mb": int(worker_fn["memory_size"]),
            }
            if isinstance(handler, str) and options.worker_in_subprocess:
                self.worker = SubprocessFunction(handler, environment=dict(os.environ), **common)  # type: ignore[arg-type]
            else:
                self.worker = InProcessFunction(handler, **common)  # type: ignore[arg-type]
            ingest = resources.ingest
            self.poller = SqsPoller(
                sqs=self.client("sqs"),
                queue_url=resources.queue_url,
                queue_arn=resources.queue_arn,
                region=resources.region,
                function=self.worker,
                batch_size=int(ingest["batch_size"]),
                maximum_batching_window_seconds=float(ingest["maximum_batching_window_seconds"]),
                wait_time_seconds=options.poll_wait_seconds,
                failure_visibility_timeout=options.failure_visibility_timeout,
            )
            self.poller.start()

        if options.seed:
            self.seed_thread = threading.Thread(target=self._seed, name="seed-demo-photos", daemon=True)
            self.seed_thread.start()

    def _seed(self) -> None:
        from scripts.local_stack.seed import seed_demo_photos

        resources = self.resources
        try:
            self.seeded = seed_demo_photos(
                self.url,
                self.client("cognito-idp"),
                resources.user_pool_client_id,
                resources.demo_username,
                resources.demo_password,
            )
        except Exception:
            log.exception("seeding demo photos failed")
            return
        if self.seeded:
            log.info("seeded %d demo photos for %s", len(self.seeded), resources.demo_username)

    def stop(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()
            self.gateway = None
        if self.poller is not None:
            self.poller.stop()
            self.poller = None
        for function in (self.worker, self.api):
            if function is not None:
                function.close()
        self.worker = self.api = None
        self.emulator.stop()
        if self._saved_environment is not None:
            os.environ.clear()
            os.environ.update(self._saved_environment)
            self._saved_environment = None
            _forget_cached_settings()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _forget_cached_settings() -> None:
    """Settings, boto3 clients and the handlers' wired use cases are cached per process; a new stack (tests) must
    not be served by the previous one's."""
    try:
        from photovault.adapters import clients
        from photovault.handlers import api_wiring, worker
        from photovault.settings import get_settings
    except ImportError:  # pragma: no cover
        return
    get_settings.cache_clear()
    clients.reset()
    api_wiring.override(None)
    worker.ingest.cache_clear()
