"""House rules for terraform/: formatting, schema, typed and described variables, documented checkov skips."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from photovault import observability
from scripts import terraform_docs

ROOT = Path(__file__).resolve().parents[2]
TF_DIR = ROOT / "terraform"
OWN_MODULES = ("networking", "storage", "compute", "api", "cdn", "web", "monitoring", "waf")
TFSCHEMA = ROOT.parent / "shared" / "tools" / "tfschema" / "tf-schema-check"
# The AWS provider schema (`terraform providers schema -json` format) that tfstub/tfschema serve, if present.
AWS_SCHEMAS = (
    ROOT.parent / "shared" / "tools" / "tfstub" / "schemas" / "aws-6.25.0.json.gz",
    ROOT.parent / "shared" / "tools" / "tfschema" / "aws-provider-schema.json.gz",
)
PINS = {"aws": ("hashicorp/aws", "6.25.0"), "tls": ("hashicorp/tls", "4.1.0")}
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
def test_module_layout_and_readme_in_the_terraform_docs_layout(module: str) -> None:
    """Given a module, its README is a two-line purpose then exactly what terraform-docs 0.20 generates."""
    directory = TF_DIR / "modules" / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (directory / name).exists(), f"{module}/{name} missing"
    current, expected = terraform_docs.expected_readme(directory)
    assert current == expected, f"README of {module} is stale: run `make terraform-docs`"
    title, purpose, markers = current.split("\n\n", 2)
    assert title == f"# {module} module" and len(purpose.splitlines()) == 2, "title, then the purpose in two lines"
    assert markers.startswith(terraform_docs.BEGIN)
    for heading in ("Requirements", "Providers", "Modules", "Resources", "Inputs", "Outputs"):
        assert f"\n## {heading}\n" in current, heading
    assert "| `None` |" not in current and "| `True` |" not in current, "Python values instead of HCL ones"


@pytest.mark.parametrize("module", OWN_MODULES)
def test_every_module_takes_tags_and_every_taggable_resource_gets_them(module: str) -> None:
    schema_path = next((p for p in AWS_SCHEMAS if p.exists()), None)
    if schema_path is None:
        pytest.skip("no AWS provider schema under ../shared/tools")
    schemas = json.loads(gzip.decompress(schema_path.read_bytes()))
    (aws,) = [v for k, v in schemas["provider_schemas"].items() if k.endswith("/aws")]
    taggable = {name for name, rs in aws["resource_schemas"].items() if "tags" in rs["block"].get("attributes", {})}
    directory = TF_DIR / "modules" / module
    variables = {n: b for block in load(directory / "variables.tf").get("variable", []) for n, b in block.items()}
    assert variables["tags"]["type"] == "${map(string)}" and variables["tags"]["default"] == {}
    checked = 0
    for path in sorted(directory.glob("*.tf")):
        for block in load(path).get("resource", []):
            for type_, instances in block.items():
                for name, body in instances.items():
                    if type_ in taggable:
                        checked += 1
                        assert "var.tags" in str(body.get("tags")), f"{path.name}: {type_}.{name} ignores var.tags"
    assert checked, f"{module} has no taggable resource?"


def test_providers_are_pinned_to_exact_versions_everywhere() -> None:
    """Plan and apply must run the same provider builds: one exact version per provider, in every versions.tf."""
    for path in sorted([TF_DIR / "versions.tf", *TF_DIR.glob("modules/*/versions.tf")]):
        (block,) = load(path)["terraform"]
        assert block["required_version"] == ">= 1.10", path
        for providers in block["required_providers"]:
            for name, spec in providers.items():
                if name == "__is_block__":
                    continue
                assert (spec["source"], spec["version"]) == PINS[name], f"{path}: {name} {spec.get('version')}"
    assert set(load(TF_DIR / "versions.tf")["terraform"][0]["required_providers"][0]) >= set(PINS)


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
    # Read where the tracer is made, before any settings: photovault.observability.
    known = aliases | {observability.XRAY_SDK_TRACING_ENV}

    assert names - powertools <= known, f"unknown to settings.py: {sorted(names - powertools - known)}"
    required = {"TABLE_NAME", "ORIGINALS_BUCKET", "DERIVATIVES_BUCKET", "EVENTS_TOPIC_ARN", "ENVIRONMENT"}
    required |= {"MEDIA_BASE_URL", "CLOUDFRONT_KEY_PAIR_ID", "SIGNING_KEY_PARAMETER", "BEDROCK_MODEL_ID"}
    assert required <= names
    # Rekognition and Bedrock are not a choice: no variable picks the analyzer or the captioner.
    assert not {"ANALYZER", "CAPTIONER"} & names
    assert env["POWERTOOLS_SERVICE_NAME"] == "photovault" and env["POWERTOOLS_METRICS_NAMESPACE"] == "PhotoVault"


def test_pre_commit_runs_the_terraform_hooks_at_pinned_revisions() -> None:

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: repo for repo in config["repos"] for hook in repo["hooks"]}
    assert {"terraform_fmt", "terraform_docs", "terraform_tflint", "checkov"} <= set(hooks)
    for repo in config["repos"]:
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", repo["rev"]), f"{repo['repo']} is not pinned: {repo['rev']}"
    checkov_pin = re.search(r"^checkov==(\S+)$", (ROOT / "requirements/tools/checkov.txt").read_text(), re.M)
    assert checkov_pin and hooks["checkov"]["rev"] == checkov_pin.group(1), "one checkov for make test and hooks"
    assert (ROOT / ".editorconfig").read_text(encoding="utf-8").startswith("# ")


def test_every_environment_has_a_native_test_folder_run_in_its_workspace() -> None:
    from scripts import tftest

    environments = {p.stem for p in (TF_DIR / "environments").glob("*.tfvars")}
    folders = {p.name for p in (TF_DIR / "tests").iterdir() if p.is_dir()} - {"modules", "fixtures"}
    assert environments == folders == set(tftest.WORKSPACES)
    for environment in environments:
        assert list((TF_DIR / "tests" / environment).glob("*.tftest.hcl")), environment
