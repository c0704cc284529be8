"""GitHub Actions workflows, checked offline: actionlint and zizmor report nothing, every action is pinned to a
commit, permissions are least, credentials come only from OIDC, and nothing is applied but a saved, reviewed plan."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
LONG_LIVED = re.compile(
    r"aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-session-token"
)

sys.path.insert(0, str(ROOT / ".github" / "scripts"))
import plan_summary  # noqa: E402


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return dict(data)


def workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is not installed: `make install` installs requirements/ops.txt"
    return str(path)


def test_the_three_workflows_exist() -> None:
    assert {"ci.yml", "plan.yml", "apply.yml"} <= set(workflows())


def test_actionlint_reports_nothing() -> None:
    result = subprocess.run([tool("actionlint"), "-no-color"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_offline_reports_nothing() -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", str(WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], json.dumps(findings, indent=1)[:4000]
    assert result.returncode == 0, result.stderr


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version() -> None:
    for name, text in ((p.name, p.read_text(encoding="utf-8")) for p in WORKFLOWS.glob("*.yml")):
        for line in text.splitlines():
            match = re.match(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", line)
            if not match:
                continue
            ref, comment = match.groups()
            assert SHA_PIN.match(ref), f"{name}: {ref} is not pinned to a commit SHA"
            assert re.search(r"#\s*v\d", comment), f"{name}: {ref} has no '# vX.Y.Z' comment"


def test_permissions_are_least() -> None:
    for name, workflow in workflows().items():
        assert workflow.get("permissions") == {}, f"{name}: top-level permissions must be {{}}"
        for job_id, job in workflow["jobs"].items():
            permissions = job.get("permissions")
            assert isinstance(permissions, dict), f"{name}:{job_id} declares no permissions"
            assert set(permissions.values()) <= {"read", "write", "none"}
            uses_aws = any("configure-aws-credentials" in s.get("uses", "") for s in steps(job))
            assert (permissions.get("id-token") == "write") == uses_aws, f"{name}:{job_id} id-token"
            writes = {k for k, v in permissions.items() if v == "write"} - {"id-token"}
            assert writes <= {"pull-requests"}, f"{name}:{job_id} writes {writes}"


def test_checkouts_do_not_persist_credentials() -> None:
    for name, workflow in workflows().items():
        for job_id, job in workflow["jobs"].items():
            for step in steps(job):
                if "actions/checkout" in step.get("uses", ""):
                    assert step.get("with", {}).get("persist-credentials") is False, f"{name}:{job_id}"


def test_aws_credentials_only_from_oidc_roles_in_repository_variables() -> None:
    for name, workflow in workflows().items():
        text = (WORKFLOWS / name).read_text(encoding="utf-8")
        assert not LONG_LIVED.search(text), f"{name} mentions long-lived AWS keys"
        assert "secrets." not in text, f"{name} reads a secret; AWS access is OIDC only"
        for job in workflow["jobs"].values():
            for step in steps(job):
                if "configure-aws-credentials" in step.get("uses", ""):
                    role = step["with"]["role-to-assume"]
                    assert re.fullmatch(r"\$\{\{ vars\.AWS_(PLAN|APPLY)_ROLE_ARN \}\}", role), role


def test_no_dangerous_triggers() -> None:
    for name, workflow in workflows().items():
        assert "pull_request_target" not in workflow["on"] and "workflow_run" not in workflow["on"], name


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) for s in steps(job))


def test_only_apply_yml_applies_and_only_saved_plans() -> None:
    for name, workflow in workflows().items():
        for job_id, job in workflow["jobs"].items():
            script = _runs(job)
            assert "destroy" not in script, f"{name}:{job_id}"
            assert "-auto-approve" not in script, f"{name}:{job_id}"
            applies = [line for line in script.splitlines() if re.search(r"terraform\b.*\bapply\b", line)]
            if not applies:
                continue
            assert name == "apply.yml", f"{name}:{job_id} applies"
            for line in applies:
                assert re.search(r'apply\b.*"\$ENV\.tfplan"\s*$', line), f"{job_id}: {line!r} is not a saved plan"
            names = [s.get("uses", "") + s.get("run", "") for s in steps(job)]
            download = next(i for i, s in enumerate(names) if "download-artifact" in s)
            verify = next(i for i, s in enumerate(names) if "sha256sum --check" in s)
            apply = next(i for i, s in enumerate(names) if "apply -input=false" in s)
            assert download < verify < apply, f"{job_id}: download, verify, then apply"
            assert job.get("environment") in {"dev", "staging", "prod"}, f"{job_id} is not behind an environment"


def test_apply_promotes_dev_then_staging_then_prod_each_from_its_own_plan() -> None:
    jobs = load("apply.yml")["jobs"]
    assert set(jobs) == {f"{kind}-{env}" for kind in ("plan", "apply") for env in ("dev", "staging", "prod")}
    assert "needs" not in jobs["plan-dev"]
    assert jobs["plan-staging"]["needs"] == "apply-dev"
    assert jobs["plan-prod"]["needs"] == "apply-staging"
    for env in ("dev", "staging", "prod"):
        assert jobs[f"apply-{env}"]["needs"] == f"plan-{env}"
        assert jobs[f"plan-{env}"]["env"]["ENV"] == env == jobs[f"apply-{env}"]["env"]["ENV"]
        upload = next(s for s in steps(jobs[f"plan-{env}"]) if "upload-artifact" in s.get("uses", ""))
        download = next(s for s in steps(jobs[f"apply-{env}"]) if "download-artifact" in s.get("uses", ""))
        assert upload["with"]["name"] == download["with"]["name"] == f"tfplan-{env}"
        assert f"terraform/{env}.tfplan" in upload["with"]["path"]
    assert load("apply.yml")["concurrency"]["cancel-in-progress"] is False


def test_every_terraform_run_selects_or_creates_its_workspace() -> None:
    for name, workflow in workflows().items():
        for job_id, job in workflow["jobs"].items():
            script = _runs(job)
            if re.search(r"terraform -chdir=terraform (plan|apply)", script):
                assert 'workspace select -or-create "$ENV"' in script, f"{name}:{job_id}"


def test_plan_workflow_plans_every_environment_and_comments_on_the_pr() -> None:
    plan = load("plan.yml")
    assert list(plan["on"]) == ["pull_request"]
    assert plan["jobs"]["plan"]["strategy"]["matrix"]["environment"] == ["dev", "staging", "prod"]
    assert "gh pr comment" in _runs(plan["jobs"]["comment"])


def test_ci_runs_the_gates_the_issue_lists() -> None:
    script = "\n".join(_runs(job) for job in load("ci.yml")["jobs"].values())
    for command in (
        "make test",
        "terraform fmt -check",
        "init -backend=false",
        "validate",
        "tflint --init",
        "actionlint",
        "zizmor --offline",
        "python -m scripts.tftest --real-providers",
    ):
        assert command in script, command
    assert load("ci.yml")["on"]["pull_request"] is None


def test_ci_regenerates_every_module_readme_with_pinned_terraform_docs_and_fails_on_a_diff() -> None:
    steps_ = [s for job in load("ci.yml")["jobs"].values() for s in steps(job)]
    (docs,) = [s for s in steps_ if s.get("uses", "").startswith("terraform-docs/gh-actions@")]
    modules = {f"terraform/modules/{p.name}" for p in (ROOT / "terraform" / "modules").iterdir() if p.is_dir()}
    assert set(docs["with"]["working-dir"].split(",")) == modules
    assert (docs["with"]["output-method"], docs["with"]["fail-on-diff"]) == ("inject", "true")
    # The offline renderer (scripts/terraform_docs.py) targets the terraform-docs version this action ships.
    line = next(ln for ln in (WORKFLOWS / "ci.yml").read_text().splitlines() if "terraform-docs/gh-actions@" in ln)
    assert "v1.4.1 (terraform-docs 0.20.0)" in line
    from scripts.terraform_docs import TERRAFORM_DOCS_VERSION

    assert TERRAFORM_DOCS_VERSION == "0.20.0"


def plan_jobs() -> list[tuple[str, dict[str, Any]]]:
    found = [("plan.yml:plan", load("plan.yml")["jobs"]["plan"])]
    found += [(f"apply.yml:{k}", job) for k, job in load("apply.yml")["jobs"].items() if k.startswith("plan-")]
    return found


def test_every_plan_job_locks_the_providers_and_saves_the_lock_file_with_the_plan() -> None:
    for name, job in plan_jobs():
        script = _runs(job)
        lock = script.index("providers lock")
        assert lock < script.index(" plan -input=false"), f"{name}: lock before planning"
        lock_line = script[lock : script.index("\n", lock)]
        for platform in ("linux_amd64", "linux_arm64", "darwin_arm64"):
            assert f"-platform={platform}" in lock_line, f"{name}: {platform}"
        assert re.search(r"sha256sum .*\.tfplan.* terraform/\.terraform\.lock\.hcl", script), f"{name}: fingerprint"
        uploads = [s for s in steps(job) if "upload-artifact" in s.get("uses", "")]
        (artifact,) = [u for u in uploads if u["with"]["name"].startswith("tfplan-")]
        paths = artifact["with"]["path"]
        assert "terraform/.terraform.lock.hcl" in paths and ".tfplan\n" in paths, f"{name}: {paths}"
        assert artifact["with"]["include-hidden-files"] is True, f"{name}: upload-artifact skips dot files otherwise"


def test_every_apply_initialises_from_the_plans_lock_file_read_only() -> None:
    jobs = load("apply.yml")["jobs"]
    for env in ("dev", "staging", "prod"):
        job = jobs[f"apply-{env}"]
        names = [s.get("uses", "") + s.get("run", "") for s in steps(job)]
        download = next(i for i, s in enumerate(names) if "download-artifact" in s)
        init = next(i for i, s in enumerate(names) if "init -input=false" in s)
        assert download < init, env
        init_line = next(line for line in _runs(job).splitlines() if "terraform -chdir=terraform init" in line)
        assert "-lockfile=readonly" in init_line, f"apply-{env} may resolve other provider builds: {init_line}"
        assert "providers lock" not in _runs(job) and "-upgrade" not in _runs(job)


def test_tflint_uses_the_aws_ruleset() -> None:
    text = (ROOT / ".tflint.hcl").read_text(encoding="utf-8")
    assert 'source  = "github.com/terraform-linters/tflint-ruleset-aws"' in text
    assert re.search(r'version = "\d+\.\d+\.\d+"', text)


def test_plan_summary_lists_destructive_changes_first_and_warns() -> None:
    plan = {
        "resource_changes": [
            {"address": "module.cdn.aws_cloudfront_distribution.this", "change": {"actions": ["update"]}},
            {"address": "module.storage.aws_dynamodb_table.this", "change": {"actions": ["delete", "create"]}},
            {"address": "module.monitoring.aws_sns_topic.alarms", "change": {"actions": ["create"]}},
            {"address": "data.aws_region.current", "change": {"actions": ["no-op"]}},
        ]
    }
    out = io.StringIO()
    plan_summary.main(["--environment", "prod"], stdin=io.StringIO(json.dumps(plan)), stdout=out)
    text = out.getvalue()
    assert text.startswith("### prod: 1 to replace, 1 to create, 1 to update")
    assert "WARNING" in text
    assert text.index("aws_dynamodb_table") < text.index("aws_sns_topic") < text.index("aws_cloudfront")
    assert "data.aws_region" not in text


def test_plan_summary_of_an_empty_plan() -> None:
    assert plan_summary.summarise({}, "dev").startswith("### dev: no changes")


@pytest.mark.parametrize("name", ["ci.yml", "plan.yml", "apply.yml"])
def test_jobs_have_timeouts(name: str) -> None:
    for job_id, job in load(name)["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{name}:{job_id}"
