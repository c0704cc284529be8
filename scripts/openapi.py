"""Print the HTTP API's OpenAPI document, generated from its routes and contract (``make openapi`` writes it to
docs/openapi.json, which is committed: a test fails when the two differ)."""

from __future__ import annotations

import sys


def main() -> int:
    from photovault.api.app import openapi_json

    sys.stdout.write(openapi_json() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
