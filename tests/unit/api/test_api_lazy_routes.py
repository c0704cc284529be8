"""The api function's cold start builds no route and imports no pydantic (issue 18): a request includes only its own
resource's routers. These check that the segment map reaches every route and that the init path stays light."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from photovault.api.app import ROUTE_MODULES, _segment, route_table

ROOT = Path(__file__).resolve().parents[3]


def test_every_route_is_included_with_the_first_segment_of_its_path() -> None:
    for route in route_table():
        module = route.func.__module__.rsplit(".", 1)[-1]
        if route.path == "/openapi.json":
            continue  # the document's own route, on the resolver from the start
        assert module in ROUTE_MODULES.get(_segment(route.path), ()), (route.method, route.path, module)


def test_a_path_under_api_names_the_same_segment_as_without() -> None:
    assert _segment("/api/photos/01HX/shares") == _segment("/photos/01HX/shares") == "photos"
    assert _segment("/api") == "api"  # no resource: 404


def test_importing_the_handler_loads_no_pydantic_no_contract_and_no_route_module() -> None:
    probe = (
        "import sys, photovault.handlers.api\n"
        "loaded = [m for m in sys.modules if m == 'pydantic' or m.startswith('photovault.api.routes.')"
        " or m == 'photovault.api.contract']\n"
        "print(loaded)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "lambda_src"), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"
