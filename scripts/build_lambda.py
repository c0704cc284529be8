"""Build deterministic Lambda zips (dist/<function>.zip) for the Lambda platform: `make build [ARCH=x86_64]`.

Same sources and dependency versions give byte-identical zips (fixed timestamps, sorted entries, fixed
permissions), so `source_code_hash` only changes when the code does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "lambda_src" / "photovault"
DIST_DIR = ROOT / "dist"
CACHE_DIR = ROOT / "build" / "lambda-deps"

PYTHON_VERSION = "3.13"
PLATFORMS = {"arm64": "aarch64", "x86_64": "x86_64"}
# Lambda's Python 3.13 runtime is Amazon Linux 2023 (glibc 2.34): wheels for any manylinux up to that run on it.
# Pillow ships manylinux_2_28 wheels; pydantic-core and others still ship manylinux_2_17 (manylinux2014).
MANYLINUX_TAGS = ("manylinux_2_28", "manylinux_2_17", "manylinux2014")
MAX_GLIBC_MINOR = 34

# The Lambda Python runtime ships these; bundling them would only add megabytes and version skew.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})

# Dependencies a function never imports (kept out to stay small); tests/infra/test_build.py proves each function's
# import graph avoids them. The worker needs neither cryptography (only the API's URL signer uses it) nor pydantic
# (API bodies only); the api never touches pixels; the forwarder and the purge need none of the three (they move
# messages, items and bytes); the jobs function never decodes an image but writes an export's metadata in the API
# contract's shapes.
_SIGNING = frozenset({"cryptography", "cffi", "pycparser"})
_BODIES = frozenset({"pydantic", "pydantic-core", "annotated-types", "typing-inspection"})
_PIXELS = frozenset({"pillow", "pi-heif"})
EXCLUDED_DISTRIBUTIONS: dict[str, frozenset[str]] = {
    "api": _PIXELS,
    "worker": _SIGNING | _BODIES,
    "forwarder": _PIXELS | _SIGNING | _BODIES,
    "purge": _PIXELS | _SIGNING | _BODIES,
    "jobs": _PIXELS,  # an export's metadata.json is the API contract's shapes (pydantic); its listing reads cursors
}
# Pillow's font (FreeType/HarfBuzz and what only they link: brotli, libpng) and Tk bindings: only ImageFont and
# ImageTk load them, and no PhotoVault code does.
PRUNED_FILES = (
    "PIL/_imagingft.*",
    "PIL/_imagingtk.*",
    "pillow.libs/libfreetype-*",
    "pillow.libs/libharfbuzz-*",
    "pillow.libs/libbrotli*",
    "pillow.libs/libpng16-*",
)
# The top-level modules of the excluded distributions, for the import-graph test.
EXCLUDED_MODULES: dict[str, frozenset[str]] = {
    "api": frozenset({"PIL", "pi_heif"}),
    "worker": frozenset({"cryptography", "cffi", "pydantic", "pydantic_core"}),
    "forwarder": frozenset({"PIL", "pi_heif", "cryptography", "cffi", "pydantic", "pydantic_core"}),
    "purge": frozenset({"PIL", "pi_heif", "cryptography", "cffi", "pydantic", "pydantic_core"}),
    "jobs": frozenset({"PIL", "pi_heif"}),
}
FUNCTIONS = ("api", "worker", "forwarder", "purge", "jobs")

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
EXEC_MODE = 0o755
SKIPPED_DIRS = frozenset({"__pycache__", "bin", ".pytest_cache", ".mypy_cache"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


def normalise(name: str) -> str:
    """PEP 503 name: `Pillow_HEIF` and `pillow-heif` are the same distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The package's runtime dependencies, minus what the Lambda runtime provides."""
    deps: list[str] = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    kept = []
    for dep in deps:
        name = re.split(r"[\[<>=!~; ]", dep, maxsplit=1)[0]
        if normalise(name) not in RUNTIME_PROVIDED:
            kept.append(dep)
    return sorted(kept)


def platform_tags(arch: str) -> list[str]:
    return [f"{tag}_{PLATFORMS[arch]}" for tag in MANYLINUX_TAGS]


def glibc_minor(platform: str) -> int | None:
    """manylinux_2_28_aarch64 → 28, manylinux2014_x86_64 → 17; None for other platforms."""
    if platform.startswith("manylinux2014_"):
        return 17
    match = re.match(r"manylinux_2_(\d+)_", platform)
    return int(match.group(1)) if match else None


def install_dependencies(requirements: Sequence[str], arch: str, cache_dir: Path = CACHE_DIR) -> Path:
    """pip-install Lambda-platform wheels into a cache directory keyed by requirements, arch and Python version."""
    key = hashlib.sha256(json.dumps([list(requirements), arch, PYTHON_VERSION]).encode()).hexdigest()[:16]
    target = cache_dir / f"{arch}-{key}"
    if (target / ".complete").exists():
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        *[arg for tag in platform_tags(arch) for arg in ("--platform", tag)],
        "--only-binary=:all:",
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        "cp",
        "--target",
        str(target),
        *requirements,
    ]
    subprocess.run(command, check=True)
    for name in list(target.iterdir()):
        if name.name.split("-")[0].split(".")[0].lower() in RUNTIME_PROVIDED:
            shutil.rmtree(name) if name.is_dir() else name.unlink()
    (target / ".complete").write_text("\n".join(command) + "\n")
    return target


def wheel_tags(site_packages: Path) -> dict[str, list[str]]:
    """Tags of every installed distribution, read from its *.dist-info/WHEEL file."""
    tags: dict[str, list[str]] = {}
    for wheel_file in sorted(site_packages.glob("*.dist-info/WHEEL")):
        lines = wheel_file.read_text().splitlines()
        tags[wheel_file.parent.name] = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]
    return tags


def _tag_ok(tag: str, machine: str, minor: int) -> bool:
    interpreter, abi, platform = tag.split("-")
    if abi == "none" and platform == "any":
        return interpreter in {"py3", f"py3{minor}"} or interpreter.startswith("py3")
    glibc = glibc_minor(platform)
    platform_ok = glibc is not None and glibc <= MAX_GLIBC_MINOR and platform.endswith(f"_{machine}")
    cp = f"cp3{minor}"
    version_ok = (interpreter == cp and abi == cp) or (
        abi == "abi3" and interpreter.startswith("cp3") and int(interpreter[3:]) <= minor
    )
    return platform_ok and version_ok


def tag_problems(tags: dict[str, list[str]], arch: str, python_version: str = PYTHON_VERSION) -> list[str]:
    """Wheels that would not import on Lambda's Python <python_version> on <arch>; empty when all are fine.

    Accepted: pure wheels (py3-none-any), CPython wheels for exactly this version (cp313-cp313-*), and stable-ABI
    wheels (cp3X-abi3-*) for X <= the runtime version, on manylinux for this machine architecture.
    """
    machine = PLATFORMS[arch]
    minor = int(python_version.split(".")[1])
    problems = []
    for dist, dist_tags in tags.items():
        if not dist_tags:
            problems.append(f"{dist}: no Tag in WHEEL")
            continue
        if not any(_tag_ok(tag, machine, minor) for tag in dist_tags):
            problems.append(f"{dist}: wheel tags {', '.join(dist_tags)} do not run on Python {python_version} {arch}")
    return problems


def iter_files(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for filename in sorted(filenames):
            if not filename.endswith(SKIPPED_SUFFIXES) and filename != ".complete":
                yield Path(dirpath) / filename


def deterministic_zip(entries: dict[str, Path], output: Path) -> str:
    """Write {arcname: file} as a reproducible zip and return its sha256 hex digest."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for arcname in sorted(entries):
            source = entries[arcname]
            info = zipfile.ZipInfo(arcname, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so external_attr carries the permission bits
            mode = EXEC_MODE if os.access(source, os.X_OK) and source.suffix in {"", ".so"} else FILE_MODE
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, source.read_bytes(), compresslevel=9)
    tmp.replace(output)
    return hashlib.sha256(output.read_bytes()).hexdigest()


def distribution_files(site_packages: Path, excluded: frozenset[str]) -> set[Path]:
    """Files owned (per RECORD) by the excluded distributions."""
    owned: set[Path] = set()
    for record in site_packages.glob("*.dist-info/RECORD"):
        dist_name = normalise(record.parent.name.removesuffix(".dist-info").rsplit("-", 1)[0])
        if dist_name in excluded:
            owned.add(record.parent.resolve())
            for line in record.read_text().splitlines():
                path = line.rsplit(",", 2)[0]
                if path:
                    owned.add((site_packages / path).resolve())
    return owned


def collect(function: str, site_packages: Path | None, package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    entries: dict[str, Path] = {}
    if site_packages is not None:
        excluded = distribution_files(site_packages, EXCLUDED_DISTRIBUTIONS.get(function, frozenset()))
        for path in iter_files(site_packages):
            resolved = path.resolve()
            if resolved in excluded or resolved.parent in excluded:
                continue
            relative = path.relative_to(site_packages)
            if any(relative.match(pattern) for pattern in PRUNED_FILES):
                continue
            entries[relative.as_posix()] = path
    for path in iter_files(package_dir):
        entries[(Path(package_dir.name) / path.relative_to(package_dir)).as_posix()] = path
    return entries


BYTECODE_PYTHON_ENV = "LAMBDA_BYTECODE_PYTHON"
LAMBDA_TASK_ROOT = "/var/task"


def bytecode_interpreter() -> str | None:
    """A Python of the runtime's version to precompile with: Lambda's code folder is read-only, so without .pyc in
    the zip every cold start compiles every module from source (measured +0.6 s). None when there is none here."""
    pyenv_versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [os.environ.get(BYTECODE_PYTHON_ENV), shutil.which(f"python{PYTHON_VERSION}")]
    # pyenv's shim for a version that is installed but not selected fails; the interpreter itself is there.
    candidates += [str(path) for path in sorted(pyenv_versions.glob(f"{PYTHON_VERSION}.*/bin/python{PYTHON_VERSION}"))]
    for candidate in filter(None, candidates):
        # A version manager's shim can exist without the version behind it: ask the interpreter itself.
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                check=False,
                capture_output=True,
                text=True,
            )
        except OSError:
            continue
        if probe.returncode == 0 and probe.stdout.strip() == PYTHON_VERSION:
            return candidate
    return None


# What each function's cold start imports: its handler module and the composition of its first use case (the same
# code tests/infra/test_build.py runs to prove the zips' exclusions).
INIT_IMPORTS = {
    "api": "from photovault import composition; composition.api()",
    "worker": "from photovault import composition; composition.ingest()",
    "forwarder": "from photovault import composition; composition.work_queue()",
    "purge": "from photovault import composition; composition.purge()",
    "jobs": "from photovault import composition; composition.job_runner()",
}
# What the first request or record then imports (the api builds its routes, contract models and use cases at their
# first request, the worker loads Pillow with its first photo): compiled too, so the first use does not compile them
# from source.
FIRST_USE_IMPORTS = {
    "api": (
        "from photovault.api.app import route_table; route_table(); "
        "services = composition.api(); services.library, services.albums, services.sharing, services.jobs, "
        "services.sessions, services.people"
    ),
    "worker": (
        "from photovault.images import derivatives, validation; validation.register_heif_decoder(); "
        "from PIL import JpegImagePlugin, PngImagePlugin, WebPImagePlugin"
    ),
}
_INIT_ENV = {"TABLE_NAME": "t", "ORIGINALS_BUCKET": "o", "DERIVATIVES_BUCKET": "d", "AWS_DEFAULT_REGION": "eu-west-1"}


def init_sources(function: str) -> frozenset[str]:
    """The source files (zip names) of the modules, ours and third-party, ``function`` imports at cold start and
    first use, found by doing the import here (pure-Python module names and paths are the same in the
    Lambda-platform wheels). Only these get bytecode: a module imported later compiles when it is first used, as
    without bytecode; the rest would only add size (all of Pillow's plugins and Powertools' utilities were 2.8 MB of
    the worker zip's 11.3)."""
    code = (
        f"import sys, photovault.handlers.{function}; {INIT_IMPORTS[function]}\n"
        f"{FIRST_USE_IMPORTS.get(function, '')}\n"
        "import json, pathlib\n"
        "roots = sorted((pathlib.Path(p).resolve() for p in sys.path if p), key=lambda p: -len(str(p)))\n"
        "found = set()\n"
        "for module in list(sys.modules.values()):\n"
        "    name = getattr(module, '__file__', None) or ''\n"
        "    if not name.endswith('.py'):\n"
        "        continue\n"
        "    path = pathlib.Path(name).resolve()\n"
        "    root = next((r for r in roots if path.is_relative_to(r)), None)\n"
        "    if root is not None:\n"
        "        found.add(path.relative_to(root).as_posix())\n"
        "print(json.dumps(sorted(found)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lambda_src"), **_INIT_ENV}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return frozenset(json.loads(result.stdout.strip().splitlines()[-1]))


def with_bytecode(
    entries: dict[str, Path], python: str, staging: Path, only: frozenset[str] | None = None
) -> dict[str, Path]:
    """``entries`` plus ``__pycache__/*.pyc`` compiled by ``python`` — reproducibly: hash-based pyc (no timestamps,
    never revalidated against the read-only sources), paths as they will be in /var/task, a fixed hash seed. With
    ``only``: for those sources (zip names), not every file."""
    for arcname, path in entries.items():
        target = staging / arcname
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    wanted = sorted(arcname for arcname in entries if arcname.endswith(".py") and (only is None or arcname in only))
    listing = staging.parent / f"{staging.name}.compile-list"
    listing.write_text("".join(f"{staging / arcname}\n" for arcname in wanted))
    subprocess.run(
        [
            python,
            "-m",
            "compileall",
            "-q",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(staging),
            "-p",
            LAMBDA_TASK_ROOT,
            "-i",
            str(listing),
        ],
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    listing.unlink()
    compiled = dict(entries)
    for pyc in sorted(staging.rglob("__pycache__/*.pyc")):
        compiled[pyc.relative_to(staging).as_posix()] = pyc
    return compiled


def build(
    arch: str, functions: Sequence[str] = FUNCTIONS, dist_dir: Path = DIST_DIR, cache_dir: Path = CACHE_DIR
) -> dict[str, str]:
    site_packages = install_dependencies(runtime_requirements(), arch, cache_dir)
    problems = tag_problems(wheel_tags(site_packages), arch)
    if problems:
        raise SystemExit("wheels not usable on the Lambda runtime:\n  " + "\n  ".join(problems))
    python = bytecode_interpreter()
    if python is None:
        print(
            f"note: no python{PYTHON_VERSION} here: zips carry no bytecode (set {BYTECODE_PYTHON_ENV})", file=sys.stderr
        )
    hashes = {}
    for function in functions:
        output = dist_dir / f"{function}.zip"
        entries = collect(function, site_packages)
        with tempfile.TemporaryDirectory(prefix=f"lambda-{function}-") as staging:
            if python is not None:
                entries = with_bytecode(entries, python, Path(staging), only=init_sources(function))
            hashes[function] = deterministic_zip(entries, output)
        size_mb = output.stat().st_size / 1_000_000
        print(f"{output}  {size_mb:.1f} MB  sha256 {hashes[function]}")
    return hashes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arch", default=os.environ.get("ARCH", "arm64"), choices=sorted(PLATFORMS))
    parser.add_argument("--dist", type=Path, default=DIST_DIR)
    parser.add_argument("--function", action="append", choices=FUNCTIONS, help="default: all")
    args = parser.parse_args(argv)
    build(args.arch, args.function or FUNCTIONS, args.dist)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
