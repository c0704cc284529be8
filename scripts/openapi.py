"""Print the HTTP API's OpenAPI document, generated from the handler's routes and models (``make openapi``)."""

from __future__ import annotations

import sys


def main() -> int:
    from photovault.handlers.api import openapi_json

    sys.stdout.write(openapi_json() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
