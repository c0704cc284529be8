"""The local stack as one object: start the emulator, provision, bind the gateway, start the forwarder, the worker
and their pollers (S3 → intake queue → forwarder → ingest queue, fair by owner → worker, as in AWS).

Used by ``python -m scripts.local_stack`` and by the integration tests (on free ports, with stub handlers if wanted).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from scripts.local_stack import sns_mail
from scripts.local_stack.async_functions import AsyncFunctions
from scripts.local_stack.cognito_proxy import CognitoProxy
from scripts.local_stack.config import HOST, REGION, WEB_ROOT, ResourceSpec
from scripts.local_stack.edge import MediaEdge, SignedUrlVerifier
from scripts.local_stack.emulator import Emulator, apply_aws_environment
from scripts.local_stack.fair_queue import FairQueue
from scripts.local_stack.gateway import Jobs, LocalGateway
from scripts.local_stack.http_api import HttpApi, routes_from_spec
from scripts.local_stack.jwt_auth import JwtVerifier
from scripts.local_stack.lambda_runtime import Handler, InProcessFunction, LambdaFunction, SubprocessFunction
from scripts.local_stack.outbox import Outbox
from scripts.local_stack.poller import SqsPoller
from scripts.local_stack.provision import DEMO_PASSWORD, DEMO_USERNAME, LocalResources, password_policy, provision
from scripts.local_stack.scheduler import PendingCheckSchedule
from scripts.local_stack.static import StaticSite, WebConfig

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # what the web app tells people (the API enforces its own limit)


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
    # Run in the worker's environment before its handler loads: what the emulator cannot answer, injected through
    # photovault.composition (the offline analyzer; no captioning model). None = the AWS adapters only.
    worker_init: str | None = "scripts.local_stack.offline.install"
    api_init: str | None = "scripts.local_stack.offline.install"  # the api embeds query text offline too
    start_poller: bool = True
    # Worker processes, each fed by its own poller — Lambda's concurrency over the event source mapping. `make run`
    # runs one per core; tests keep one (a callable handler always runs in-process, once).
    worker_concurrency: int = 1
    # Emulate SQS fair queues on the ingest queue (moto does not): False serves it in moto's arrival order, to
    # measure what the fair scheduling buys.
    fair_ingest: bool = True
    poll_wait_seconds: int = 1
    # None = failed messages wait out the queue's visibility timeout (Lambda's behaviour); 0 = retry at once.
    failure_visibility_timeout: int | None = None
    serialize_emulator: bool = True  # False only to measure what the emulator's lock costs (benchmarks/e2e.py)
    # The pending check's schedule (seconds); None = resources.json's ingest.pending_check_minutes, as in AWS.
    pending_check_seconds: float | None = None
    seed: bool = False
    demo_username: str = DEMO_USERNAME
    demo_password: str = DEMO_PASSWORD
    extra_environment: dict[str, str] = field(default_factory=dict)


class LocalStack:
    """Start with :meth:`start`, stop with :meth:`stop` (also a context manager). Restores ``os.environ`` on stop."""

    def __init__(self, options: StackOptions | None = None, *, spec: ResourceSpec | None = None) -> None:
        self.options = options or StackOptions()
        self.spec = spec or ResourceSpec.load(environment=self.options.environment)
        self.emulator = Emulator(
            host=self.options.host, port=self.options.aws_port, serialize=self.options.serialize_emulator
        )
        self.gateway: LocalGateway | None = None
        self.pollers: list[SqsPoller] = []  # the worker's, on the ingest queue
        self.forwarder_poller: SqsPoller | None = None  # the forwarder's, on the intake queue
        self.fair_queue: FairQueue | None = None  # the ingest queue's fair-queue scheduling (moto has none)
        self.async_functions: AsyncFunctions | None = None  # purge (stream + TTL) and jobs
        self.schedule: PendingCheckSchedule | None = None
        self.workers: list[LambdaFunction] = []
        self.api: LambdaFunction | None = None
        self._resources: LocalResources | None = None
        self._saved_environment: dict[str, str] | None = None
        self.seeded: list[str] = []
        # What Cognito and SNS would e-mail (GET /_local/outbox): reset codes, sign-ups, photo digests.
        self.outbox = Outbox()
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
        sns_mail.install(self.outbox)
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
            init=options.api_init,
            name=self.spec.name("api"),
            timeout_seconds=float(api_fn["timeout"]),
            memory_mb=int(api_fn["memory_size"]),
        )
        self.gateway.configure(
            Jobs(
                api=HttpApi(
                    routes=routes_from_spec(self.spec),
                    function=self.api,
                    jwt_verifier=JwtVerifier(
                        issuer=resources.issuer,
                        audiences=[resources.user_pool_client_id],
                        jwks_url=resources.jwks_url,
                        token_lifetime_seconds=resources.token_lifetime_seconds,
                    ),
                ),
                origin_header=resources.origin_verify_header,
                media=MediaEdge(
                    verifier=SignedUrlVerifier({resources.cloudfront_key_pair_id: resources.cloudfront_public_key_pem}),
                    s3=self.client("s3"),
                    bucket=resources.derivatives_bucket,
                ),
                cognito=CognitoProxy(
                    outbox=self.outbox,
                    emulator_url=endpoint,
                    user_pool_id=resources.user_pool_id,
                    cognito=self.client("cognito-idp"),
                    case_sensitive=resources.username_case_sensitive,
                    password_policy=password_policy(self.spec),
                ),
                site=StaticSite(options.web_root),
                web_config=WebConfig(
                    environment=resources.environment,
                    region=resources.region,
                    api_base_url=self.spec.api_route_prefix,
                    user_pool_id=resources.user_pool_id,
                    user_pool_client_id=resources.user_pool_client_id,
                    max_upload_bytes=MAX_UPLOAD_BYTES,
                    demo_username=resources.demo_username,
                    demo_password=resources.demo_password,
                ),
            )
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
            in_subprocess = isinstance(handler, str) and options.worker_in_subprocess
            ingest = resources.ingest
            if options.fair_ingest:
                self.fair_queue = FairQueue(
                    sqs=self.client("sqs"),
                    queue_url=resources.queue_url,
                    visibility_timeout=int(ingest["visibility_timeout_seconds"]),
                )
            for _ in range(max(1, options.worker_concurrency) if in_subprocess else 1):
                worker: LambdaFunction
                if in_subprocess:
                    worker = SubprocessFunction(
                        handler,  # type: ignore[arg-type]
                        environment=dict(os.environ),
                        init=options.worker_init,
                        **common,  # type: ignore[arg-type]
                    )
                else:
                    worker = InProcessFunction(handler, init=options.worker_init, **common)  # type: ignore[arg-type]
                poller = SqsPoller(
                    sqs=self.client("sqs"),
                    queue_url=resources.queue_url,
                    queue_arn=resources.queue_arn,
                    region=resources.region,
                    function=worker,
                    batch_size=int(ingest["batch_size"]),
                    maximum_batching_window_seconds=float(ingest["maximum_batching_window_seconds"]),
                    wait_time_seconds=options.poll_wait_seconds,
                    failure_visibility_timeout=options.failure_visibility_timeout,
                    fair_queue=self.fair_queue,
                )
                self.workers.append(worker)
                self.pollers.append(poller)
                poller.start()
            self.forwarder_poller = self._forwarder_poller(resources)
            self.forwarder_poller.start()
            self.async_functions = AsyncFunctions.build(
                self.spec,
                resources,
                self.client,
                poll_wait_seconds=options.poll_wait_seconds,
                failure_visibility_timeout=options.failure_visibility_timeout,
            ).start()
            interval = options.pending_check_seconds or 60.0 * float(ingest["pending_check_minutes"])
            self.schedule = PendingCheckSchedule(self.client("sqs"), resources.queue_url, interval_seconds=interval)
            self.schedule.start()

        if options.seed:
            self.seed_thread = threading.Thread(target=self._seed, name="seed-demo-photos", daemon=True)
            self.seed_thread.start()

    def _forwarder_poller(self, resources: LocalResources) -> SqsPoller:
        """The forwarder (in-process: it only moves messages) fed from the intake queue, as its event source mapping
        does in AWS."""
        forwarder = resources.functions["forwarder"]
        function = InProcessFunction(
            forwarder["handler"],
            name=self.spec.name("forwarder"),
            timeout_seconds=float(forwarder["timeout"]),
            memory_mb=int(forwarder["memory_size"]),
        )
        return SqsPoller(
            sqs=self.client("sqs"),
            queue_url=resources.intake_queue_url,
            queue_arn=resources.intake_queue_arn,
            region=resources.region,
            function=function,
            batch_size=int(resources.ingest["batch_size"]),
            wait_time_seconds=self.options.poll_wait_seconds,
            failure_visibility_timeout=self.options.failure_visibility_timeout,
        )

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
        """Stops every piece within seconds, even mid-burst: the worker is stopped mid-invocation rather than
        awaited (its messages come back after their visibility timeout, as after a Lambda crash)."""
        started = time.monotonic()
        if self.async_functions is not None:
            self.async_functions.stop()
            self.async_functions = None
        if self.schedule is not None:
            self.schedule.stop()
            self.schedule = None
        if self.forwarder_poller is not None:
            self.forwarder_poller.stop(timeout=5)
            self.forwarder_poller = None
        for poller in self.pollers:
            poller.request_stop()
        for worker in self.workers:
            worker.close()
        for poller in self.pollers:
            poller.stop(timeout=5)
        self.pollers, self.workers = [], []
        if self.fair_queue is not None:
            try:
                self.fair_queue.release()
            except Exception:  # the emulator may already be unreachable; it stops next anyway
                log.debug("could not release the fair queue's window", exc_info=True)
            self.fair_queue = None
        log.debug("stopped the workers and their pollers after %.2f s", time.monotonic() - started)
        if self.gateway is not None:
            self.gateway.stop()
            self.gateway = None
        if self.api is not None:
            self.api.close()
        self.api = None
        log.debug("stopped the gateway after %.2f s", time.monotonic() - started)
        self.emulator.stop()
        log.debug("stopped the emulator after %.2f s", time.monotonic() - started)
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
    """Settings, boto3 clients and the composed use cases are cached per process; a new stack (tests) must not be
    served by the previous one's."""
    try:
        from photovault import composition
        from photovault.adapters import clients
        from photovault.settings import get_settings
    except ImportError:  # pragma: no cover
        return
    get_settings.cache_clear()
    clients.reset()
    composition.reset()
