"""Native Terraform tests: `terraform validate`, then terraform/tests/<dir>/*.tftest.hcl, each in its workspace.

terraform/tests/modules/ tests each module on its own; terraform/tests/<workspace>/ plans the root with
environments/<workspace>.tfvars under TF_WORKSPACE=<workspace> (the workspace guard compares the two), so every
environment gets a mocked plan of its tfvars and the assertions on it. Runs in a temporary copy of terraform/ and
web/ with placeholder Lambda zips, so the project gets no .terraform directory and no lock file.

Offline (`make tftest`): the stand-in providers of ../shared/tools/tfstub serve the real AWS and TLS schemas.
Online (ci.yml, `--real-providers`): `terraform init` installs the real, pinned providers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TFSTUB = ROOT.parent / "shared" / "tools" / "tfstub" / "tfstub"
# One test folder per workspace, named after it and its environments/<workspace>.tfvars (a test checks the pairing).
WORKSPACES = tuple(sorted(p.stem for p in (ROOT / "terraform" / "environments").glob("*.tfvars")))
# The root reads the built zips (source_code_hash), the web app's files and the npm packages it loads (module "web"):
# copied or stood in for.
FUNCTIONS = tuple(json.loads((ROOT / "terraform" / "resources.json").read_text(encoding="utf-8"))["functions"])


def stage(work: Path) -> Path:
    """Copy what the Terraform root reads into ``work``; returns the root module's copy."""
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "*.tfplan", "backend.hcl")
    shutil.copytree(ROOT / "terraform", work / "terraform", ignore=ignore)
    shutil.copytree(ROOT / "web", work / "web", ignore=shutil.ignore_patterns("node_modules"))
    # The npm packages the web app loads as they are (web/vendor.json), which module "web" uploads from node_modules.
    for package in json.loads((ROOT / "web" / "vendor.json").read_text(encoding="utf-8"))["packages"]:
        if (ROOT / "node_modules" / package).is_dir():  # absent without `npm ci`: nothing of it is uploaded
            shutil.copytree(ROOT / "node_modules" / package, work / "node_modules" / package)
    (work / "dist").mkdir()
    for name in FUNCTIONS:
        with zipfile.ZipFile(work / "dist" / f"{name}.zip", "w") as archive:
            archive.writestr("placeholder", "stands in for the zip `make build` writes; only its hash is read\n")
    return work / "terraform"


def stub_config(tfstub: Path, work: Path) -> str:
    """Install tfstub's provider mirror and return the TF_CLI_CONFIG_FILE that uses it."""
    out = subprocess.run(
        [sys.executable, str(tfstub), "install", str(work / "stub")], check=True, capture_output=True, text=True
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("export TF_CLI_CONFIG_FILE="))
    return line.split("=", 1)[1]


class Runner:
    def __init__(self, terraform: str, cwd: Path, env: dict[str, str]) -> None:
        self.terraform, self.cwd, self.env = terraform, cwd, env
        self.timings: list[tuple[str, float]] = []
        self.lock = threading.Lock()

    def __call__(self, label: str, *args: str, workspace: str | None = None) -> bool:
        env = dict(self.env)
        env.pop("TF_WORKSPACE", None)
        if workspace:
            env["TF_WORKSPACE"] = workspace
        started = time.monotonic()
        result = subprocess.run(
            [self.terraform, *args, "-no-color"], cwd=self.cwd, env=env, text=True, capture_output=True, check=False
        )
        elapsed = time.monotonic() - started
        quiet = args[0] == "init" and result.returncode == 0
        with self.lock:  # one block of output per command, even when two run at once
            self.timings.append((label, elapsed))
            print(f"--- {label}: terraform {' '.join(args)} ({elapsed:.1f} s, exit {result.returncode})", flush=True)
            if not quiet:
                print((result.stdout + result.stderr).strip(), flush=True)
        return result.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfstub", type=Path, default=DEFAULT_TFSTUB, help="tfstub script (default: %(default)s)")
    parser.add_argument("--real-providers", action="store_true", help="install the real providers (needs network)")
    parser.add_argument("--terraform", default="terraform")
    parser.add_argument("--jobs", type=int, default=2, help="test directories run at once (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    options = parser.parse_args(argv)
    if shutil.which(options.terraform) is None:
        print(f"tftest: {options.terraform} not found", file=sys.stderr)
        return 2
    if not options.real_providers and not options.tfstub.is_file():
        print(f"tftest: no tfstub at {options.tfstub} (--tfstub PATH, or --real-providers)", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="tftest-"))
    started = time.monotonic()
    try:
        module = stage(work)
        env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
        if options.real_providers:
            env.pop("TF_CLI_CONFIG_FILE", None)
        else:
            env["TF_CLI_CONFIG_FILE"] = stub_config(options.tfstub, work)
        terraform = Runner(options.terraform, module, env)
        init = ("init", "-backend=false", "-input=false")
        if not terraform("init", *init) or not terraform("validate", "validate"):
            return 1
        plans = []
        for directory in ("modules", *WORKSPACES):
            tests = f"tests/{directory}"
            workspace = directory if directory in WORKSPACES else None
            var_file = [f"-var-file=environments/{workspace}.tfvars"] if workspace else []
            # init per test directory: it installs the module sources that directory's run blocks name.
            if not terraform(f"init {tests}", *init, f"-test-directory={tests}"):
                return 1
            plans.append((tests, ("test", f"-test-directory={tests}", *var_file), workspace))
        # The test directories are independent (mock providers, no state on disk): two at a time on two cores.
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            results = list(pool.map(lambda plan: terraform(plan[0], *plan[1], workspace=plan[2]), plans))
        failed = [tests for (tests, _, _), ok in zip(plans, results, strict=True) if not ok]
        total = time.monotonic() - started
        print("tftest timings: " + ", ".join(f"{label} {seconds:.0f} s" for label, seconds in terraform.timings))
        print(f"tftest: {'FAILED ' + ' '.join(failed) if failed else 'all passed'} in {total:.0f} s")
        return 1 if failed else 0
    finally:
        if options.keep:
            print(f"tftest: kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
