"""The worker's cold start loads no image library (issue 18): Pillow loads with the first photo, libheif with the
first HEIF photo, and the ingest use case builds without either."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _loaded_after(code: str) -> list[str]:
    heavy = ("PIL", "pi_heif", "numpy", "pydantic")
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "lambda_src"), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return list(json.loads(done.stdout))


def test_importing_the_worker_handler_loads_no_image_library_and_no_pydantic() -> None:
    assert _loaded_after("import photovault.handlers.worker") == []


def test_a_jpeg_decode_loads_pillow_but_not_libheif() -> None:
    code = (
        "import io, time\n"
        "from PIL import Image\n"
        "from photovault.images import ImageLimits, validate\n"
        "data = io.BytesIO(); Image.new('RGB', (400, 300), (200, 10, 10)).save(data, 'JPEG')\n"
        "validate(data.getvalue(), ImageLimits(), deadline=time.monotonic() + 30)"
    )
    assert _loaded_after(code) == ["PIL"]
