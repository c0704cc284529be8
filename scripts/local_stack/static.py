"""The web bucket behind CloudFront, locally: ``web/`` with the SPA rewrite, the npm package files ``web/vendor.json``
names under ``/vendor/<package>/`` (as terraform/modules/web uploads them), and the app's ``/config.json``.

Deep links (``/s/<token>``, ``/photos/<id>``, ``/albums/…``) get ``index.html`` by the same rule as the CloudFront
function terraform/modules/cdn/functions/spa_rewrite.js: a last path segment without a dot is a route of the app;
with a dot it is a file, and a missing file is a 404.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from scripts.local_stack.config import VENDOR_ROOT
from scripts.local_stack.responses import HttpResponse

INDEX = "/index.html"
_PLACEHOLDER = (
    b"<!doctype html><meta charset=utf-8><title>PhotoVault (local)</title>"
    b"<h1>PhotoVault local stack is running</h1><p>The web app (web/index.html) is not there yet. "
    b"The API answers under <code>/api</code>; see <code>/config.json</code>.</p>"
)


def spa_rewrite(uri: str) -> str:
    """spa_rewrite.js, line for line: extension-less last segment → ``/index.html``."""
    last = uri[uri.rfind("/") + 1 :]
    return INDEX if "." not in last else uri


@dataclass(frozen=True)
class WebConfig:
    """What ``/config.json`` tells the web app (see README: "Contract for the web app")."""

    environment: str
    region: str
    api_base_url: str
    user_pool_id: str
    user_pool_client_id: str
    max_upload_bytes: int
    demo_username: str = ""
    demo_password: str = ""

    def document(self, origin: str) -> dict[str, Any]:
        demo = {"username": self.demo_username, "password": self.demo_password} if self.demo_username else None
        return {
            "environment": self.environment,
            "region": self.region,
            "apiBaseUrl": self.api_base_url,
            "maxUploadBytes": self.max_upload_bytes,
            "auth": {
                "mode": "cognito",
                "region": self.region,
                "userPoolId": self.user_pool_id,
                "clientId": self.user_pool_client_id,
                "endpoint": f"{origin}/cognito/",
                "authFlow": "USER_PASSWORD_AUTH",
                "tokenUse": "id",
                "signUpAutoConfirmed": True,
                "mfa": "OPTIONAL",
                "demoUser": demo,
            },
        }


def vendor_files(web_root: Path, vendor_dir: Path) -> dict[str, Path]:
    """``vendor/<package>/<file>`` → its file in ``vendor_dir``, for every file web/vendor.json's patterns match: the
    same keys terraform/modules/web uploads (its ``fileset`` globs match like ``Path.glob`` for these patterns)."""
    packages: dict[str, list[str]] = json.loads((web_root / "vendor.json").read_text(encoding="utf-8"))["packages"]
    found: dict[str, Path] = {}
    for package, patterns in packages.items():
        folder = vendor_dir / package
        for pattern in patterns:
            for file in sorted(folder.glob(pattern)):
                if file.is_file():
                    found[f"vendor/{package}/{file.relative_to(folder).as_posix()}"] = file
    return found


class StaticSite:
    def __init__(self, web_root: Path, vendor_dir: Path = VENDOR_ROOT) -> None:
        self._root = web_root.resolve()
        # Only the listed package files: nothing else of node_modules is reachable.
        self._vendor = vendor_files(web_root, vendor_dir) if (web_root / "vendor.json").is_file() else {}

    def handle(self, method: str, path: str) -> HttpResponse:
        relative = spa_rewrite(unquote(path)).lstrip("/")
        candidate = self._vendor.get(relative)
        if candidate is None:
            candidate = (self._root / relative).resolve()
            if not candidate.is_relative_to(self._root) or not candidate.is_file():
                if relative == INDEX.lstrip("/"):
                    return HttpResponse(200, [("content-type", "text/html; charset=utf-8")], _PLACEHOLDER)
                return HttpResponse(404, [("content-type", "text/plain")], b"Not Found")
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in {"application/javascript", "application/json"}:
            content_type += "; charset=utf-8"
        headers = [("content-type", content_type), ("cache-control", "no-cache")]
        return HttpResponse(200, headers, b"" if method == "HEAD" else candidate.read_bytes())
