"""What the native Terraform tests cannot say: the root's wiring across modules, per workspace (tfparse, no AWS).

terraform/tests/ plans each module on its own and the root per workspace, but a test of the root can only read its
outputs, not the resources of its modules. These tests evaluate the whole root for each workspace and check that the
modules are wired to each other and to the workspace's tfvars as intended.
"""

from __future__ import annotations

import json
import re
from typing import Any

import hcl2

from tests.infra.conftest import ROOT, TF_DIR, Plan

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


def test_api_is_not_cached_and_gets_all_viewer_headers_but_host(plan: Plan) -> None:
    api = behaviours(plan)["/api/*"]

    assert api["target_origin_id"] == "api"
    assert api["cache_policy_id"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert api["origin_request_policy_id"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert {"POST", "DELETE"} <= set(api["allowed_methods"])


def test_security_headers_policy_sets_hsts_and_denies_framing(plan: Plan) -> None:
    headers = plan.one("aws_cloudfront_response_headers_policy", f"{CDN}.aws_cloudfront_response_headers_policy.this")
    config = headers["security_headers_config"]

    assert config["strict_transport_security"]["access_control_max_age_sec"] >= 31536000
    assert config["frame_options"]["frame_option"] == "DENY"
    # The CSP string is built from unknown-at-plan values (bucket domain); check its source instead.
    assert "frame-ancestors 'none'" in (TF_DIR / "modules" / "cdn" / "main.tf").read_text()


def test_waf_is_on_outside_dev_at_the_edge_and_on_the_user_pool(workspace: str, plan: Plan) -> None:
    acls = plan.all("aws_wafv2_web_acl")
    associations = plan.all("aws_wafv2_web_acl_association")
    pool = plan.one("aws_cognito_user_pool", "module.api.aws_cognito_user_pool.this")
    web_acl_id = distribution(plan).get("web_acl_id")
    if workspace == "dev":
        assert not acls and not associations
        assert web_acl_id == {"__attribute__": "var.web_acl_arn", "__name__": "web_acl_arn"}  # null in dev
        return
    edge = acls["module.edge_waf[0].aws_wafv2_web_acl.this"]
    auth = acls["module.auth_waf[0].aws_wafv2_web_acl.this"]
    assert (edge["scope"], auth["scope"]) == ("CLOUDFRONT", "REGIONAL")
    assert web_acl_id == edge["id"]
    (association,) = associations.values()
    assert (association["resource_arn"], association["web_acl_arn"]) == (pool["id"], auth["id"])


def test_the_api_is_reached_through_cloudfront_only(plan: Plan) -> None:
    """CloudFront sends the origin secret to the API, and no root output hands out the execute-api address."""
    origins = distribution(plan)["origin"]
    api = next(o for o in (origins if isinstance(origins, list) else [origins]) if o["origin_id"] == "api")
    header = api["custom_header"]
    assert header["name"] == "X-Origin-Verify"
    assert "origin_verify_secrets" in json.dumps(header["value"])  # the current generation's secret (origin_verify.tf)

    with (TF_DIR / "outputs.tf").open(encoding="utf-8") as handle:
        outputs = {
            name.strip('"'): str(body["value"]) for block in hcl2.load(handle)["output"] for name, body in block.items()
        }
    leaking = {name for name, value in outputs.items() if re.search(r"api_endpoint|api_domain_name|execute-api", value)}
    assert not leaking, f"outputs hand out the API's own address, which skips the WAF: {leaking}"
    assert outputs["api_url"] == '"${local.site_url}/api"'


# ---------------------------------------------------------------- queues and functions


def test_worker_concurrency_cap_fits_its_reservation(plan: Plan) -> None:
    mapping = plan.one("aws_lambda_event_source_mapping", f"{COMPUTE}.aws_lambda_event_source_mapping.worker")
    worker = plan.one("aws_lambda_function", f'{COMPUTE}.aws_lambda_function.this["worker"]')

    assert mapping["scaling_config"]["maximum_concurrency"] <= worker["reserved_concurrent_executions"]


def test_functions_are_wired_to_the_networking_modules_private_subnets(plan: Plan) -> None:
    private = {s["id"] for s in plan.all("aws_subnet").values() if s.get("tags", {}).get("Tier") == "private"}
    lambda_sg = plan.one("aws_security_group", "module.networking.aws_security_group.lambda")["id"]
    functions = plan.keyed("aws_lambda_function", f"{COMPUTE}.aws_lambda_function.this")

    assert set(functions) == {"api", "worker", "forwarder", "purge", "jobs"}
    assert len(private) >= 2
    for name, function in functions.items():
        assert set(function["vpc_config"]["subnet_ids"]) == private, name
        assert function["vpc_config"]["security_group_ids"] == [lambda_sg]
        assert function["architectures"] == ["arm64"]


def test_nothing_is_in_a_public_subnet_and_no_nat_by_default(plan: Plan) -> None:
    assert not [s for s in plan.all("aws_subnet").values() if s.get("tags", {}).get("Tier") == "public"]
    assert not plan.all("aws_nat_gateway")


def test_default_security_group_has_no_rules(plan: Plan) -> None:
    default = plan.one("aws_default_security_group", "module.networking.aws_default_security_group.this")
    assert not default.get("ingress") and not default.get("egress")


# ---------------------------------------------------------------- IAM


def test_worker_s3_access_is_scoped_to_the_two_prefixes_of_the_two_buckets(plan: Plan) -> None:
    worker = statements(plan, "worker")

    for statement in worker:
        if any(a.startswith("s3:Delete") for a in actions_of(statement)):
            # It may take back derivatives it wrote (a photo deleted under it), and delete an upload whose photo record
            # is gone (DeleteUnclaimedUploads) — originals only under uploads/, never anything else.
            uploads = statement["sid"] == "DeleteUnclaimedUploads"
            assert all(r.endswith("/uploads/*" if uploads else "/media/*") for r in statement["resources"]), statement
        if statement["sid"] == "ListPhotoObjects":
            actions = set(actions_of(statement))
            assert actions == {"s3:ListBucket", "s3:ListBucketVersions"} and statement.get("condition"), statement
        elif any(a.startswith("s3:") for a in actions_of(statement)):
            # Only the two buckets' prefixes: reads under uploads/, writes under media/ — no other bucket.
            assert all(r.endswith(("/uploads/*", "/media/*")) for r in statement["resources"])
    reads = next(s for s in worker if s["sid"] == "ReadOriginals")
    assert set(actions_of(reads)) == {"s3:GetObject", "s3:GetObjectVersion"}


def test_the_jobs_role_erases_an_account_with_no_more_than_it_needs(plan: Plan) -> None:
    """Account deletion (issue 17): deletes by version only under the owners' prefixes, queries only the table and the
    shares index, and may find and delete users of the environment's own pool — nothing else of Cognito."""
    jobs = statements(plan, "jobs")
    cognito = [s for s in jobs if any(a.startswith("cognito-idp:") for a in actions_of(s))]
    assert [sorted(actions_of(s)) for s in cognito] == [["cognito-idp:AdminDeleteUser", "cognito-idp:ListUsers"]]
    pool = plan.one("aws_cognito_user_pool", "module.api.aws_cognito_user_pool.this")
    assert cognito[0]["resources"] == [pool["id"]], (cognito[0]["resources"], pool["id"])  # this pool, nothing else
    for statement in jobs:
        actions = actions_of(statement)
        assert not {"dynamodb:Scan", "s3:DeleteObject", "*"} & set(actions), statement
        assert not any(a.endswith(":*") for a in actions), statement
        if "s3:DeleteObjectVersion" in actions:
            assert all(r.endswith(("/uploads/*", "/exports/*", "/media/*")) for r in statement["resources"]), statement


def test_every_environment_throttles_uploads_and_public_shares_on_their_own(workspace: str) -> None:
    with (TF_DIR / "environments" / f"{workspace}.tfvars").open(encoding="utf-8") as handle:
        throttling = hcl2.load(handle)["api_throttling"]
    routes = {key.strip('"'): value for key, value in throttling["routes"].items()}

    assert set(routes) == {"POST /uploads", "GET /public/shares/{token}"}
    for route, limits in routes.items():
        assert limits["rate_limit"] < throttling["rate_limit"], route
        assert limits["burst_limit"] <= throttling["burst_limit"], route


def test_the_api_role_queries_only_the_indexes_the_api_code_queries(resources_json: dict[str, Any]) -> None:
    """resources.json table_indexes (the roles' Query grants) against the IndexName the adapters really use."""
    keys = (ROOT / "lambda_src" / "photovault" / "keys.py").read_text(encoding="utf-8")
    constants = dict(re.findall(r'^(GSI\d+) = "([^"]+)"', keys, re.M))
    adapter_files = sorted((ROOT / "lambda_src" / "photovault" / "adapters").rglob("*.py"))
    adapters = "\n".join(path.read_text(encoding="utf-8") for path in adapter_files)
    queried = {constants[name] for name in re.findall(r'"?IndexName"?\s*[:=]\s*keys\.(GSI\d+)', adapters)}
    assert queried, "no adapter names an index: the pattern above no longer matches how adapters query"
    granted = {name: set(fn["table_indexes"]) for name, fn in resources_json["functions"].items()}

    assert queried == {"gsi1", "gsi2", "gsi3", "gsi4", "gsi5"}, (
        "an adapter queries another index: grant it in resources.json and update this test"
    )
    # The purge finds a photo's shares on gsi2 with a statement of its own (terraform/modules/compute/purge.tf).
    assert granted == {
        "api": {"gsi2", "gsi3", "gsi4", "gsi5"},
        "worker": {"gsi1"},
        "forwarder": set(),
        "purge": set(),
        "jobs": set(),
    }
    assert "gsi1" not in granted["api"], "gsi1 lists every user's photos by status: operators only"


# ---------------------------------------------------------------- Cognito


def test_cognito_is_hardened_and_prod_requires_mfa(plan: Plan, workspace: str) -> None:
    pool = plan.one("aws_cognito_user_pool", "module.api.aws_cognito_user_pool.this")
    client = plan.one("aws_cognito_user_pool_client", "module.api.aws_cognito_user_pool_client.web")

    assert pool["mfa_configuration"] == ("ON" if workspace == "prod" else "OPTIONAL")
    assert pool["user_pool_add_ons"]["advanced_security_mode"] == "ENFORCED"
    assert pool["user_pool_tier"] == "PLUS"
    assert pool["username_configuration"]["case_sensitive"] is False
    assert (client["id_token_validity"], client["access_token_validity"], client["refresh_token_validity"]) == (
        15,
        15,
        30,
    )
    assert client["enable_token_revocation"] is True
    assert client["prevent_user_existence_errors"] == "ENABLED"


# ---------------------------------------------------------------- table


def test_prod_keeps_its_data_and_only_the_other_workspaces_can_be_torn_down(plan: Plan, workspace: str) -> None:
    prod = workspace == "prod"
    table = plan.one("aws_dynamodb_table", f"{STORAGE}.aws_dynamodb_table.this")
    pool = plan.one("aws_cognito_user_pool", "module.api.aws_cognito_user_pool.this")
    buckets = [*plan.keyed("aws_s3_bucket", f"{STORAGE}.aws_s3_bucket.this").values()]
    buckets.append(plan.one("aws_s3_bucket", f"{STORAGE}.aws_s3_bucket.logs"))

    assert table["point_in_time_recovery"]["enabled"] is True
    assert table["deletion_protection_enabled"] is prod
    assert pool["deletion_protection"] == ("ACTIVE" if prod else "INACTIVE")
    assert len(buckets) == 4
    assert all(bucket["force_destroy"] is not prod for bucket in buckets), "force_destroy only outside prod"


def test_names_follow_resources_json(plan: Plan, workspace: str, resources_json: dict[str, Any]) -> None:
    prefix = f"{resources_json['project']}-{workspace}"
    queues = {q["name"] for q in plan.all("aws_sqs_queue").values()}
    topics = {t["name"] for t in plan.all("aws_sns_topic").values()}

    assert queues == {
        f"{prefix}-{resources_json['ingest']['queue_role']}",
        f"{prefix}-{resources_json['ingest']['dlq_role']}",
        f"{prefix}-{resources_json['ingest']['intake_queue_role']}",
        f"{prefix}-{resources_json['ingest']['intake_dlq_role']}",
        f"{prefix}-{resources_json['jobs']['queue_role']}",
        f"{prefix}-{resources_json['jobs']['dlq_role']}",
        f"{prefix}-{resources_json['purge']['failure_queue_role']}",
    }
    assert f"{prefix}-{resources_json['topics']['events_role']}" in topics
    assert set(plan.keyed("aws_s3_bucket", f"{STORAGE}.aws_s3_bucket.this")) | {"logs"} == set(
        resources_json["buckets"]
    )
