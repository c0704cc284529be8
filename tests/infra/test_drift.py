"""The local stack and terraform/ cannot drift: both take their shapes from terraform/resources.json.

terraform/ is evaluated offline (tfparse, workspace ``dev`` with its tfvars) and every shape the local provisioner
and gateway reproduce is compared with resources.json / the local code: table keys, GSIs, TTL and stream, queue
redrive and visibility, the S3 → SQS notification, the event source mapping, the functions, the HTTP API routes,
the Cognito and SSM names, and the environment variable names the handlers read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest

from scripts.local_stack.config import REPO_ROOT, ResourceSpec
from scripts.local_stack.gateway import PROTECTED_ROUTES, PUBLIC_ROUTES, ROUTE_PREFIX
from scripts.local_stack.provision import LocalResources

TERRAFORM = REPO_ROOT / "terraform"
WORKSPACE = "dev"
SPEC = ResourceSpec.load(environment=WORKSPACE)

pytestmark = pytest.mark.skipif(
    not (TERRAFORM / "main.tf").is_file(), reason="terraform/ root not written yet (issue 8)"
)


@pytest.fixture(scope="module")
def tf() -> dict[str, list[dict[str, Any]]]:
    tfparse = pytest.importorskip("tfparse")
    return tfparse.load_from_path(  # type: ignore[no-any-return]
        str(TERRAFORM), vars_paths=[f"environments/{WORKSPACE}.tfvars"], workspace_name=WORKSPACE
    )


def one(tf: dict[str, list[dict[str, Any]]], kind: str, **match: Any) -> dict[str, Any]:
    found = [r for r in tf.get(kind, []) if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one {kind} with {match}, found {len(found)}"
    return found[0]


def blocks(value: Any) -> list[dict[str, Any]]:
    """A nested block as tfparse gives it: one dict, or a list of dicts."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def hcl(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)  # type: ignore[no-any-return]


def test_terraform_reads_the_shared_resources_json() -> None:
    expressions = [str(block.get("resources", "")) for block in hcl(TERRAFORM / "locals.tf").get("locals", [])]
    assert any("jsondecode(file(" in e and "resources.json" in e for e in expressions), expressions


def test_table_keys_indexes_ttl_and_stream(tf: dict[str, list[dict[str, Any]]]) -> None:
    spec = SPEC.table
    table = one(tf, "aws_dynamodb_table", name=SPEC.name(spec["role"]))

    assert (table["hash_key"], table["range_key"]) == (spec["hash_key"], spec["range_key"])
    assert {a["name"]: a["type"] for a in blocks(table["attribute"])} == spec["attributes"]
    expected = {g["name"]: g for g in spec["global_secondary_indexes"]}
    evaluated = blocks(table["global_secondary_index"])
    assert evaluated, "no global_secondary_index"
    for gsi in evaluated:  # tfparse keeps only the first instance of a dynamic block: compare what it gives …
        want = expected[gsi["name"]]
        assert (gsi["hash_key"], gsi["range_key"], gsi["projection_type"]) == (
            want["hash_key"],
            want["range_key"],
            want["projection_type"],
        )
    # … and check that the block iterates over resources.json's list (so none can be missing).
    storage = (TERRAFORM / "modules" / "storage" / "main.tf").read_text(encoding="utf-8")
    assert "for_each = var.table.global_secondary_indexes" in storage
    assert "global_secondary_indexes = local.resources.table.global_secondary_indexes" in (
        TERRAFORM / "locals.tf"
    ).read_text(encoding="utf-8")
    ttl = blocks(table["ttl"])[0]
    assert (ttl["attribute_name"], ttl["enabled"]) == (spec["ttl_attribute"], True)
    assert (table["stream_enabled"], table["stream_view_type"]) == (True, spec["stream_view_type"])


def test_ingest_queue_redrive_visibility_and_retention(tf: dict[str, list[dict[str, Any]]]) -> None:
    ingest = SPEC.ingest
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(ingest["queue_role"]))
    dlq = one(tf, "aws_sqs_queue", name=SPEC.name(ingest["dlq_role"]))

    redrive = json.loads(queue["redrive_policy"])
    assert redrive["maxReceiveCount"] == ingest["max_receive_count"]
    assert redrive["deadLetterTargetArn"] == dlq["id"]  # tfparse resolves references to the target's id
    assert queue["visibility_timeout_seconds"] == SPEC.ingest_visibility_timeout
    assert queue["message_retention_seconds"] == ingest["message_retention_seconds"]
    assert dlq["message_retention_seconds"] == ingest["dlq_message_retention_seconds"]


def test_uploads_notify_the_ingest_queue_with_the_shared_prefix_and_events(tf: dict[str, list[dict[str, Any]]]) -> None:
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(SPEC.ingest["queue_role"]))
    configs = [q for n in tf.get("aws_s3_bucket_notification", []) for q in blocks(n.get("queue"))]

    assert len(configs) == 1
    assert configs[0]["queue_arn"] == queue["id"]
    assert configs[0]["filter_prefix"] == SPEC.ingest["upload_prefix"]
    assert configs[0]["events"] == SPEC.ingest["s3_events"]


def test_worker_event_source_mapping_matches_the_poller(tf: dict[str, list[dict[str, Any]]]) -> None:
    mapping = one(tf, "aws_lambda_event_source_mapping")
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(SPEC.ingest["queue_role"]))

    assert mapping["event_source_arn"] == queue["id"]
    assert mapping["batch_size"] == SPEC.ingest["batch_size"]
    assert mapping["maximum_batching_window_in_seconds"] == SPEC.ingest["maximum_batching_window_seconds"]
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("name", sorted(SPEC.functions))
def test_functions_have_the_handler_memory_and_timeout_of_resources_json(
    tf: dict[str, list[dict[str, Any]]], name: str
) -> None:
    function = one(tf, "aws_lambda_function", function_name=SPEC.name(name))
    spec = SPEC.functions[name]
    assert (function["handler"], function["memory_size"], function["timeout"]) == (
        spec["handler"],
        spec["memory_size"],
        spec["timeout"],
    )


def test_function_environment_names_are_the_ones_the_local_stack_sets() -> None:
    compute = hcl(TERRAFORM / "modules" / "compute" / "main.tf")
    terraform_names = {name for block in compute.get("locals", []) for name in block.get("environment_variables", {})}
    # Values are irrelevant here: only the variable names function_environment() produces are compared.
    resources = LocalResources(
        **{f: "" for f in LocalResources.__dataclass_fields__ if f not in {"buckets", "functions", "ingest"}},
        buckets={"originals": "", "derivatives": ""},
    )  # type: ignore[arg-type]
    local_names = set(resources.function_environment(media_base_url="http://x"))
    local_only = {"POWERTOOLS_TRACE_DISABLED"}  # no X-Ray daemon on a laptop
    assert local_names - local_only <= terraform_names
    assert {"ANALYZER", "CAPTIONER", "SIGNING_KEY_PARAMETER", "MEDIA_BASE_URL"} <= terraform_names


def test_names_of_the_user_pool_client_topic_and_signing_key(tf: dict[str, list[dict[str, Any]]]) -> None:
    one(tf, "aws_cognito_user_pool", name=SPEC.name("users"))
    client = one(tf, "aws_cognito_user_pool_client", name=SPEC.name("web"))
    assert client["generate_secret"] is False
    one(tf, "aws_sns_topic", name=SPEC.name(SPEC.topics["events_role"]))
    one(tf, "aws_sns_topic", name=SPEC.name(SPEC.topics["alarms_role"]))
    parameter = one(tf, "aws_ssm_parameter", name=SPEC.signing_key_parameter)
    assert parameter["type"] == "SecureString"


def test_http_api_routes_and_their_authorization_match_the_local_gateway(
    tf: dict[str, list[dict[str, Any]]],
) -> None:
    routes = tf.get("aws_apigatewayv2_route", [])
    terraform_routes = {r["route_key"]: r["authorization_type"] for r in routes}
    local_routes = {
        f"{spec.split(' ', 1)[0]} {ROUTE_PREFIX}{spec.split(' ', 1)[1]}": "JWT" for spec in PROTECTED_ROUTES
    }
    local_routes |= {f"{spec.split(' ', 1)[0]} {ROUTE_PREFIX}{spec.split(' ', 1)[1]}": "NONE" for spec in PUBLIC_ROUTES}
    assert terraform_routes == local_routes
