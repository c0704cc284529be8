"""House rules for terraform/: formatting, schema, typed and described variables, documented checkov skips."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
TF_DIR = ROOT / "terraform"
OWN_MODULES = ("networking", "storage", "compute", "api", "cdn", "web")
TFSCHEMA = ROOT.parent / "shared" / "tools" / "tfschema" / "tf-schema-check"
SETTINGS = ROOT / "lambda_src" / "photovault" / "settings.py"


def tf_files() -> list[Path]:
    return sorted(p for p in TF_DIR.rglob("*.tf") if ".terraform" not in p.parts)


def unquote(value: Any) -> Any:
    """python-hcl2 8 keeps the quotes of string literals and keys; strip them."""
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unquote(v) for v in value]
    return value


def load(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        return dict(unquote(hcl2.load(handle)))


def own_dirs() -> list[Path]:
    return [TF_DIR, *(TF_DIR / "modules" / name for name in OWN_MODULES)]


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")
def test_terraform_fmt_is_clean() -> None:
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(TF_DIR)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(not TFSCHEMA.exists(), reason="../shared/tools/tfschema not present")
def test_provider_schema_check_finds_no_problems() -> None:
    result = subprocess.run([sys.executable, str(TFSCHEMA), str(TF_DIR)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("directory", own_dirs(), ids=lambda p: p.name)
def test_variables_are_typed_and_described_and_outputs_described(directory: Path) -> None:
    for path in sorted(directory.glob("*.tf")):
        config = load(path)
        for block in config.get("variable", []):
            for name, body in block.items():
                assert body.get("description"), f"{path.name}: variable {name} has no description"
                assert "type" in body, f"{path.name}: variable {name} has no type"
                assert "any" not in str(body["type"]).replace("many", ""), f"variable {name} is typed any"
        for block in config.get("output", []):
            for name, body in block.items():
                assert body.get("description"), f"{path.name}: output {name} has no description"


@pytest.mark.parametrize("module", OWN_MODULES)
def test_module_layout_and_readme_tables(module: str) -> None:
    directory = TF_DIR / "modules" / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (directory / name).exists(), f"{module}/{name} missing"
    readme = (directory / "README.md").read_text()
    table = readme.split("<!-- BEGIN_TF_DOCS -->")[1].split("<!-- END_TF_DOCS -->")[0]
    names = [n for block in load(directory / "variables.tf").get("variable", []) for n in block]
    names += [n for block in load(directory / "outputs.tf").get("output", []) for n in block]
    missing = [n for n in names if f"`{n}`" not in table]
    assert not missing, f"README of {module} does not document {missing}: regenerate with terraform-docs"


def test_every_checkov_skip_carries_a_reason() -> None:
    skips = []
    for path in tf_files():
        for line in path.read_text().splitlines():
            if "checkov:skip" in line:
                match = re.search(r"#checkov:skip=(CKV2?_[A-Z]+_\d+):(.+)$", line.strip())
                assert match, f"{path}: malformed skip {line.strip()}"
                skips.append((path.name, match.group(1), match.group(2)))
    assert skips
    for file, check, reason in skips:
        assert len(reason.split()) >= 8, f"{file}: {check} skip reason too thin: {reason}"


def test_root_reads_resources_json() -> None:
    locals_tf = (TF_DIR / "locals.tf").read_text()
    assert 'jsondecode(file("${path.module}/resources.json"))' in locals_tf
    assert 'name_prefix = "${var.project}-${terraform.workspace}"' in locals_tf


def test_functions_get_exactly_the_settings_names() -> None:
    aliases = set(re.findall(r'alias="([A-Z_]+)"', SETTINGS.read_text()))
    compute = load(TF_DIR / "modules" / "compute" / "main.tf")
    env = next(block["environment_variables"] for block in compute["locals"] if "environment_variables" in block)
    names = set(env)
    powertools = {n for n in names if n.startswith("POWERTOOLS_")}

    assert names - powertools <= aliases, f"unknown to settings.py: {sorted(names - powertools - aliases)}"
    required = {"TABLE_NAME", "ORIGINALS_BUCKET", "DERIVATIVES_BUCKET", "EVENTS_TOPIC_ARN", "ENVIRONMENT"}
    required |= {"MEDIA_BASE_URL", "CLOUDFRONT_KEY_PAIR_ID", "SIGNING_KEY_PARAMETER", "ANALYZER", "CAPTIONER"}
    assert required <= names
    assert env["ANALYZER"] == "rekognition" and env["CAPTIONER"] == "bedrock"
    assert env["POWERTOOLS_SERVICE_NAME"] == "photovault" and env["POWERTOOLS_METRICS_NAMESPACE"] == "PhotoVault"
