"""Where the local stack takes its shapes and names from: ``terraform/resources.json`` (shared with terraform/)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
RESOURCES_PATH = REPO_ROOT / "terraform" / "resources.json"
WEB_ROOT = REPO_ROOT / "web"
VENDOR_ROOT = REPO_ROOT / "node_modules"  # the npm packages web/vendor.json serves from (the map's base layer)

LOCAL_ENVIRONMENT = "local"


def worker_processes_wanted() -> str:
    """How many worker processes `make run` starts, as given: ``PV_WORKERS``, else one per core (checked by the CLI)."""
    return os.environ.get("PV_WORKERS", "").strip() or str(os.cpu_count() or 1)


ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "eu-west-1"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class ResourceSpec:
    """``terraform/resources.json`` with the naming rules Terraform applies (``<project>-<env>-<role>``)."""

    raw: dict[str, Any]
    environment: str = LOCAL_ENVIRONMENT
    account_id: str = ACCOUNT_ID

    @classmethod
    def load(cls, path: Path = RESOURCES_PATH, *, environment: str = LOCAL_ENVIRONMENT) -> ResourceSpec:
        return cls(json.loads(path.read_text(encoding="utf-8")), environment=environment)

    @property
    def project(self) -> str:
        return str(self.raw["project"])

    @property
    def name_prefix(self) -> str:
        return f"{self.project}-{self.environment}"

    def name(self, role: str) -> str:
        return f"{self.name_prefix}-{role}"

    def bucket_name(self, role: str) -> str:
        return f"{self.name_prefix}-{role}-{self.account_id}"

    @property
    def table(self) -> dict[str, Any]:
        return dict(self.raw["table"])

    @property
    def buckets(self) -> list[str]:
        return [str(b) for b in self.raw["buckets"]]

    @property
    def ingest(self) -> dict[str, Any]:
        return dict(self.raw["ingest"])

    @property
    def topics(self) -> dict[str, str]:
        return dict(self.raw["topics"])

    @property
    def vectors(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.raw["vectors"].items()}

    def vector_index_name(self, dimension: int) -> str:
        """The index of one embedding model's vectors (as terraform/modules/storage names it)."""
        return f"{self.vectors['index_prefix']}-{dimension}"

    @property
    def functions(self) -> dict[str, dict[str, Any]]:
        return {name: dict(fn) for name, fn in self.raw["functions"].items()}

    @property
    def api_route_prefix(self) -> str:
        """The HTTP API's routes carry this prefix (CloudFront forwards ``/api/*`` unchanged)."""
        return str(self.raw["api"]["route_prefix"])

    @property
    def api_routes(self) -> list[tuple[str, bool]]:
        """``("GET /photos/{id}", needs the JWT authorizer)`` for every HTTP API route, without the prefix."""
        routes = []
        for route in self.raw["api"]["routes"]:
            if route["auth"] not in {"jwt", "none"}:
                raise ValueError(f"resources.json: unknown auth {route['auth']!r} for {route['route']}")
            routes.append((str(route["route"]), route["auth"] == "jwt"))
        return routes

    @property
    def uploads_cors(self) -> dict[str, Any]:
        """The originals bucket's CORS rule, without its origins (those are the web app's)."""
        return dict(self.raw["uploads_cors"])

    @property
    def user_pool(self) -> dict[str, Any]:
        return dict(self.raw["user_pool"])

    @property
    def password_policy(self) -> dict[str, Any]:
        return dict(self.raw["user_pool"]["password_policy"])

    @cached_property
    def ingest_visibility_timeout(self) -> int:
        """Visibility timeout of the ingest queue: multiplier × the worker's timeout (as terraform/ computes it)."""
        return int(self.ingest["visibility_timeout_multiplier"]) * int(self.functions["worker"]["timeout"])

    @cached_property
    def intake_visibility_timeout(self) -> int:
        """Visibility timeout of the intake queue: multiplier × the forwarder's timeout (as terraform/ computes it)."""
        return int(self.ingest["visibility_timeout_multiplier"]) * int(self.functions["forwarder"]["timeout"])

    @property
    def origin_verify_parameter(self) -> str:
        """SSM SecureString with CloudFront's origin secret (as terraform/modules/cdn/origin_verify.tf names it)."""
        return f"/{self.name_prefix}/api/origin-verify"

    @property
    def signing_key_parameter(self) -> str:
        """SSM SecureString with the CloudFront signing key (as terraform/modules/compute names it)."""
        return f"/{self.name_prefix}/cloudfront/signing-key"

    @property
    def purge(self) -> dict[str, Any]:
        """The purge function's stream mapping: batch, retries, bisection, the filter, the failure queue."""
        return dict(self.raw["purge"])

    @property
    def jobs(self) -> dict[str, Any]:
        return dict(self.raw["jobs"])

    @property
    def exports(self) -> dict[str, Any]:
        return dict(self.raw["exports"])

    @property
    def jobs_visibility_timeout(self) -> int:
        """Visibility timeout of the jobs queue: multiplier × the jobs function's timeout (as terraform/ has it)."""
        return int(self.jobs["visibility_timeout_multiplier"]) * int(self.functions["jobs"]["timeout"])
