"""Plan-like assertions on the evaluated Terraform of every workspace (tfparse, no provider, no AWS)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import TF_DIR, WORKSPACES, Plan

STORAGE = "module.storage"
COMPUTE = "module.compute"
CDN = "module.cdn"
DATA_BUCKETS = ("originals", "derivatives", "web")

# Statements allowed to use Resource "*", and why (AWS offers no resource-level permission for these actions).
WILDCARD_ALLOWED_PREFIXES = ("xray:", "rekognition:Detect")


def statements(plan: Plan, name: str) -> list[dict[str, Any]]:
    document = plan.one("aws_iam_policy_document", f"{COMPUTE}.data.aws_iam_policy_document.{name}")
    found = document["statement"]
    return list(found if isinstance(found, list) else [found])


def actions_of(statement: dict[str, Any]) -> list[str]:
    return list(statement.get("actions") or [])


# ---------------------------------------------------------------- buckets


def test_every_bucket_blocks_public_access_and_disables_acls(plan: Plan) -> None:
    blocks = plan.keyed("aws_s3_bucket_public_access_block", f"{STORAGE}.aws_s3_bucket_public_access_block.this")
    blocks["logs"] = plan.one("aws_s3_bucket_public_access_block", f"{STORAGE}.aws_s3_bucket_public_access_block.logs")
    ownership = plan.keyed("aws_s3_bucket_ownership_controls", f"{STORAGE}.aws_s3_bucket_ownership_controls.this")
    ownership["logs"] = plan.one("aws_s3_bucket_ownership_controls", f"{STORAGE}.aws_s3_bucket_ownership_controls.logs")

    assert set(blocks) == {*DATA_BUCKETS, "logs"}
    for role, block in blocks.items():
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        assert all(block[flag] is True for flag in flags), role
        assert ownership[role]["rule"]["object_ownership"] == "BucketOwnerEnforced", role


def test_data_buckets_are_encrypted_with_the_cmk_and_logs_bucket_with_sse_s3(plan: Plan) -> None:
    key_id = plan.one("aws_kms_key", f"{STORAGE}.aws_kms_key.this")["id"]
    sse = plan.keyed(
        "aws_s3_bucket_server_side_encryption_configuration",
        f"{STORAGE}.aws_s3_bucket_server_side_encryption_configuration.this",
    )

    assert set(sse) == set(DATA_BUCKETS)
    for role, config in sse.items():
        default = config["rule"]["apply_server_side_encryption_by_default"]
        assert default["sse_algorithm"] == "aws:kms", role
        assert default["kms_master_key_id"] == key_id, f"{role} is not encrypted with the project CMK"
    logs = plan.one(
        "aws_s3_bucket_server_side_encryption_configuration",
        f"{STORAGE}.aws_s3_bucket_server_side_encryption_configuration.logs",
    )
    # S3 server access log delivery only supports SSE-S3 on the target bucket.
    assert logs["rule"]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"


def test_key_rotation_is_on(plan: Plan) -> None:
    assert plan.one("aws_kms_key", f"{STORAGE}.aws_kms_key.this")["enable_key_rotation"] is True


def test_data_buckets_log_to_the_logs_bucket(plan: Plan) -> None:
    logging = plan.keyed("aws_s3_bucket_logging", f"{STORAGE}.aws_s3_bucket_logging.this")

    assert set(logging) == set(DATA_BUCKETS)
    for role, config in logging.items():
        assert config["target_bucket"]["__attribute__"] == "aws_s3_bucket.logs.id", role
        assert config["target_prefix"] == f"s3/{role}/"


def test_bucket_policies_deny_plain_http(plan: Plan) -> None:
    documents = plan.keyed("aws_iam_policy_document", f"{STORAGE}.data.aws_iam_policy_document.bucket")
    documents["logs"] = plan.one("aws_iam_policy_document", f"{STORAGE}.data.aws_iam_policy_document.logs")

    for role, document in documents.items():
        statements = document["statement"] if isinstance(document["statement"], list) else [document["statement"]]
        deny = [s for s in statements if s.get("sid") == "DenyInsecureTransport"]
        assert deny, role
        assert deny[0]["effect"] == "Deny"
        assert deny[0]["condition"]["values"] == ["false"]


def test_originals_are_versioned_and_tiered(plan: Plan) -> None:
    versioning = plan.keyed("aws_s3_bucket_versioning", f"{STORAGE}.aws_s3_bucket_versioning.this")
    lifecycle = plan.keyed(
        "aws_s3_bucket_lifecycle_configuration", f"{STORAGE}.aws_s3_bucket_lifecycle_configuration.this"
    )

    assert versioning["originals"]["versioning_configuration"]["status"] == "Enabled"
    rules = json.dumps(lifecycle["originals"])
    assert "INTELLIGENT_TIERING" in rules
    assert "noncurrent_version_expiration" in rules
    assert "abort_incomplete_multipart_upload" in rules


# ---------------------------------------------------------------- CloudFront


def distribution(plan: Plan) -> dict[str, Any]:
    return plan.one("aws_cloudfront_distribution", f"{CDN}.aws_cloudfront_distribution.this")


def behaviours(plan: Plan) -> dict[str, dict[str, Any]]:
    found = distribution(plan)["ordered_cache_behavior"]
    return {b["path_pattern"]: b for b in (found if isinstance(found, list) else [found])}


def test_both_s3_origins_use_origin_access_control(plan: Plan) -> None:
    oac = plan.one("aws_cloudfront_origin_access_control", f"{CDN}.aws_cloudfront_origin_access_control.this")
    origins = {o["origin_id"]: o for o in distribution(plan)["origin"]}

    assert oac["signing_behavior"] == "always"
    assert oac["origin_access_control_origin_type"] == "s3"
    for role in ("web", "derivatives"):
        assert origins[role]["origin_access_control_id"] == oac["id"], role
        assert "custom_origin_config" not in origins[role]
    assert origins["api"]["custom_origin_config"]["origin_protocol_policy"] == "https-only"


def test_media_requires_signed_urls_from_the_trusted_key_group(plan: Plan) -> None:
    key_group = plan.one("aws_cloudfront_key_group", f"{CDN}.aws_cloudfront_key_group.this")
    media = behaviours(plan)["/media/*"]

    assert media["target_origin_id"] == "derivatives"
    assert media["trusted_key_groups"] == [key_group["id"]]
    assert media["viewer_protocol_policy"] in {"https-only", "redirect-to-https"}


def test_api_is_not_cached_and_gets_all_viewer_headers_but_host(plan: Plan) -> None:
    api = behaviours(plan)["/api/*"]

    assert api["target_origin_id"] == "api"
    assert api["cache_policy_id"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert api["origin_request_policy_id"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert {"POST", "DELETE"} <= set(api["allowed_methods"])


def test_every_behaviour_has_the_security_headers_policy(plan: Plan) -> None:
    headers = plan.one("aws_cloudfront_response_headers_policy", f"{CDN}.aws_cloudfront_response_headers_policy.this")
    config = headers["security_headers_config"]

    assert config["strict_transport_security"]["access_control_max_age_sec"] >= 31536000
    assert config["frame_options"]["frame_option"] == "DENY"
    # The CSP string is built from unknown-at-plan values (bucket domain); check its source instead.
    assert "frame-ancestors 'none'" in (TF_DIR / "modules" / "cdn" / "main.tf").read_text()
    for behaviour in [distribution(plan)["default_cache_behavior"], *behaviours(plan).values()]:
        assert behaviour["response_headers_policy_id"] == headers["id"]
        assert behaviour["viewer_protocol_policy"] == "redirect-to-https"


def test_waf_is_on_outside_dev(workspace: str, plan: Plan) -> None:
    acl = plan.all("aws_wafv2_web_acl")
    web_acl_id = distribution(plan).get("web_acl_id")
    if workspace == "dev":
        assert not acl and web_acl_id is None
    else:
        assert web_acl_id == next(iter(acl.values()))["id"]


# ---------------------------------------------------------------- queues and functions


def test_ingest_queue_redrives_after_five_receives_and_outlasts_six_worker_timeouts(
    plan: Plan, resources_json: dict[str, Any]
) -> None:
    ingest = plan.one("aws_sqs_queue", f"{COMPUTE}.aws_sqs_queue.ingest")
    dlq = plan.one("aws_sqs_queue", f"{COMPUTE}.aws_sqs_queue.dlq")
    worker = plan.one("aws_lambda_function", f'{COMPUTE}.aws_lambda_function.this["worker"]')
    redrive = json.loads(ingest["redrive_policy"])

    assert redrive["maxReceiveCount"] == 5 == resources_json["ingest"]["max_receive_count"]
    assert redrive["deadLetterTargetArn"] == dlq["id"]
    assert ingest["visibility_timeout_seconds"] >= 6 * worker["timeout"]
    assert (
        ingest["kms_master_key_id"]
        == dlq["kms_master_key_id"]
        == plan.one("aws_kms_key", f"{STORAGE}.aws_kms_key.this")["id"]
    )


def test_worker_event_source_reports_partial_batch_failures(plan: Plan, resources_json: dict[str, Any]) -> None:
    mapping = plan.one("aws_lambda_event_source_mapping", f"{COMPUTE}.aws_lambda_event_source_mapping.worker")

    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["batch_size"] == resources_json["ingest"]["batch_size"] <= 10
    assert mapping["maximum_batching_window_in_seconds"] == resources_json["ingest"]["maximum_batching_window_seconds"]
    assert mapping["event_source_arn"] == plan.one("aws_sqs_queue", f"{COMPUTE}.aws_sqs_queue.ingest")["id"]
    assert mapping["scaling_config"]["maximum_concurrency"] >= 2


def test_worker_concurrency_cap_fits_its_reservation(plan: Plan) -> None:
    mapping = plan.one("aws_lambda_event_source_mapping", f"{COMPUTE}.aws_lambda_event_source_mapping.worker")
    worker = plan.one("aws_lambda_function", f'{COMPUTE}.aws_lambda_function.this["worker"]')

    assert mapping["scaling_config"]["maximum_concurrency"] <= worker["reserved_concurrent_executions"]


def test_uploads_notify_the_ingest_queue(plan: Plan, resources_json: dict[str, Any]) -> None:
    notification = plan.one("aws_s3_bucket_notification", f"{COMPUTE}.aws_s3_bucket_notification.originals")
    queue = notification["queue"]

    assert queue["queue_arn"] == plan.one("aws_sqs_queue", f"{COMPUTE}.aws_sqs_queue.ingest")["id"]
    assert queue["filter_prefix"] == resources_json["ingest"]["upload_prefix"]
    assert queue["events"] == resources_json["ingest"]["s3_events"]


def test_functions_run_in_the_private_subnets_with_tracing(plan: Plan) -> None:
    private = {s["id"] for s in plan.all("aws_subnet").values() if s.get("tags", {}).get("Tier") == "private"}
    lambda_sg = plan.one("aws_security_group", "module.networking.aws_security_group.lambda")["id"]
    functions = plan.keyed("aws_lambda_function", f"{COMPUTE}.aws_lambda_function.this")

    assert set(functions) == {"api", "worker"}
    assert len(private) >= 2
    for name, function in functions.items():
        assert set(function["vpc_config"]["subnet_ids"]) == private, name
        assert function["vpc_config"]["security_group_ids"] == [lambda_sg]
        assert function["tracing_config"]["mode"] == "Active"
        assert function["runtime"] == "python3.13"
        assert function["architectures"] == ["arm64"]


def test_nothing_is_in_a_public_subnet_and_no_nat_by_default(plan: Plan) -> None:
    assert not [s for s in plan.all("aws_subnet").values() if s.get("tags", {}).get("Tier") == "public"]
    assert not plan.all("aws_nat_gateway")


def test_default_security_group_has_no_rules(plan: Plan) -> None:
    default = plan.one("aws_default_security_group", "module.networking.aws_default_security_group.this")
    assert not default.get("ingress") and not default.get("egress")


def test_functions_use_resources_json(plan: Plan, resources_json: dict[str, Any]) -> None:
    functions = plan.keyed("aws_lambda_function", f"{COMPUTE}.aws_lambda_function.this")

    for name, spec in resources_json["functions"].items():
        assert functions[name]["handler"] == spec["handler"]
        assert functions[name]["memory_size"] == spec["memory_size"]
        assert functions[name]["timeout"] == spec["timeout"]
        assert functions[name]["filename"].endswith(f"dist/{name}.zip")


# ---------------------------------------------------------------- IAM


def test_worker_cannot_scan_delete_originals_or_use_wildcards(plan: Plan) -> None:
    worker = statements(plan, "worker")
    originals_arn_fragment = "/uploads/*"

    all_actions = [action for s in worker for action in actions_of(s)]
    assert not [a for a in all_actions if a in {"dynamodb:Scan", "dynamodb:*", "s3:*", "*"}]
    for statement in worker:
        if any(a.startswith("s3:Delete") for a in actions_of(statement)):
            # It may take back derivatives it wrote (a photo deleted under it), never an original.
            assert all(r.endswith("/media/*") for r in statement["resources"]), statement["sid"]
        if "*" in statement["resources"]:
            assert all(a.startswith(WILDCARD_ALLOWED_PREFIXES) for a in actions_of(statement)), statement["sid"]
        if statement["sid"] == "ListPhotoObjects":
            assert set(actions_of(statement)) == {"s3:ListBucket"} and statement.get("condition"), statement
        elif any(a.startswith("s3:") for a in actions_of(statement)):
            # Only the two buckets' prefixes: reads under uploads/, writes under media/ — no other bucket.
            assert all(r.endswith((originals_arn_fragment, "/media/*")) for r in statement["resources"])
    reads = next(s for s in worker if s["sid"] == "ReadOriginals")
    assert set(actions_of(reads)) == {"s3:GetObject", "s3:GetObjectVersion"}


def test_api_cannot_scan_and_has_no_unneeded_wildcards(plan: Plan) -> None:
    api = statements(plan, "api")

    assert "dynamodb:Scan" not in [a for s in api for a in actions_of(s)]
    for statement in api:
        if "*" in statement["resources"]:
            assert all(a.startswith("xray:") for a in actions_of(statement)), statement["sid"]


# ---------------------------------------------------------------- table


def test_table_matches_resources_json(plan: Plan, workspace: str, resources_json: dict[str, Any]) -> None:
    table = plan.one("aws_dynamodb_table", f"{STORAGE}.aws_dynamodb_table.this")
    spec = resources_json["table"]
    gsis = table["global_secondary_index"]
    gsis = gsis if isinstance(gsis, list) else [gsis]
    attributes = table["attribute"] if isinstance(table["attribute"], list) else [table["attribute"]]

    assert table["name"] == f"{resources_json['project']}-{workspace}-{spec['role']}"
    assert (table["hash_key"], table["range_key"]) == (spec["hash_key"], spec["range_key"])
    assert {a["name"]: a["type"] for a in attributes} == spec["attributes"]
    # tfparse renders only one instance of a dynamic block over a list of objects; the module input is exact.
    storage_input = next(m for m in plan.parsed["module"] if m["__tfmeta"]["path"] == STORAGE)["table"]
    assert storage_input["global_secondary_indexes"] == spec["global_secondary_indexes"]
    assert {(g["name"], g["hash_key"], g["range_key"]) for g in gsis} <= {
        (g["name"], g["hash_key"], g["range_key"]) for g in spec["global_secondary_indexes"]
    }
    assert table["ttl"]["attribute_name"] == spec["ttl_attribute"]
    assert table["stream_view_type"] == spec["stream_view_type"]
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert (
        table["server_side_encryption"]["kms_key_arn"] == plan.one("aws_kms_key", f"{STORAGE}.aws_kms_key.this")["id"]
    )


def test_point_in_time_recovery_everywhere_and_deletion_protection_in_prod(plan: Plan, workspace: str) -> None:
    table = plan.one("aws_dynamodb_table", f"{STORAGE}.aws_dynamodb_table.this")

    assert table["point_in_time_recovery"]["enabled"] is True
    assert table["deletion_protection_enabled"] is (workspace == "prod")


def test_names_follow_resources_json(plan: Plan, workspace: str, resources_json: dict[str, Any]) -> None:
    prefix = f"{resources_json['project']}-{workspace}"
    queues = {q["name"] for q in plan.all("aws_sqs_queue").values()}
    topics = {t["name"] for t in plan.all("aws_sns_topic").values()}

    assert queues == {
        f"{prefix}-{resources_json['ingest']['queue_role']}",
        f"{prefix}-{resources_json['ingest']['dlq_role']}",
    }
    assert f"{prefix}-{resources_json['topics']['events_role']}" in topics
    assert set(plan.keyed("aws_s3_bucket", f"{STORAGE}.aws_s3_bucket.this")) | {"logs"} == set(
        resources_json["buckets"]
    )


# ---------------------------------------------------------------- workspace guard


@pytest.mark.parametrize("tfvars", WORKSPACES)
def test_precondition_fails_when_tfvars_and_workspace_disagree(plan_for: Any, workspace: str, tfvars: str) -> None:
    guard = plan_for(workspace, tfvars).one("terraform_data", "terraform_data.environment_guard")
    precondition = guard["lifecycle"]["precondition"]

    assert precondition["condition"] is (workspace == tfvars)
    assert "does not match the selected workspace" in precondition["error_message"]
