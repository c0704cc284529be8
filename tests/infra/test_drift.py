"""The local stack and terraform/ cannot drift: both take their shapes from terraform/resources.json.

terraform/ is evaluated offline (tfparse, workspace ``dev`` with its tfvars) and every shape the local provisioner
and gateway reproduce is compared with resources.json / the local code: table keys, GSIs, TTL and stream, queue
redrive and visibility, the S3 → SQS notification, the event source mapping, the functions, the HTTP API routes,
the Cognito and SSM names, the functions' environment, the upload CORS rule and the user pool's password policy.
The last three are compared with what the provisioner really creates on the emulator (moto's server), so neither
side can change them alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import hcl2
import pytest
from moto.server import ThreadedMotoServer

from scripts.local_stack.config import REPO_ROOT, ResourceSpec
from scripts.local_stack.gateway import PROTECTED_ROUTES, PUBLIC_ROUTES, ROUTE_PREFIX
from scripts.local_stack.provision import provision

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
    storage = (TERRAFORM / "modules" / "storage" / "table.tf").read_text(encoding="utf-8")
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


def test_intake_queue_redrive_visibility_and_retention(tf: dict[str, list[dict[str, Any]]]) -> None:
    ingest = SPEC.ingest
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(ingest["intake_queue_role"]))
    dlq = one(tf, "aws_sqs_queue", name=SPEC.name(ingest["intake_dlq_role"]))

    redrive = json.loads(queue["redrive_policy"])
    assert (redrive["maxReceiveCount"], redrive["deadLetterTargetArn"]) == (ingest["max_receive_count"], dlq["id"])
    assert queue["visibility_timeout_seconds"] == SPEC.intake_visibility_timeout
    assert queue["message_retention_seconds"] == ingest["message_retention_seconds"]
    assert dlq["message_retention_seconds"] == ingest["dlq_message_retention_seconds"]


def test_uploads_notify_the_intake_queue_with_the_shared_prefix_and_events(tf: dict[str, list[dict[str, Any]]]) -> None:
    """S3 notifies the intake queue (the forwarder groups each upload by owner into the ingest queue), as locally."""
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(SPEC.ingest["intake_queue_role"]))
    configs = [q for n in tf.get("aws_s3_bucket_notification", []) for q in blocks(n.get("queue"))]

    assert len(configs) == 1
    assert configs[0]["queue_arn"] == queue["id"]
    assert configs[0]["filter_prefix"] == SPEC.ingest["upload_prefix"]
    assert configs[0]["events"] == SPEC.ingest["s3_events"]


def test_forwarder_event_source_mapping_matches_its_local_poller(tf: dict[str, list[dict[str, Any]]]) -> None:
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(SPEC.ingest["intake_queue_role"]))
    mapping = one(tf, "aws_lambda_event_source_mapping", event_source_arn=queue["id"])

    assert mapping["batch_size"] == SPEC.ingest["batch_size"]
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    source = (REPO_ROOT / "scripts" / "local_stack" / "stack.py").read_text(encoding="utf-8")
    assert 'batch_size=int(resources.ingest["batch_size"])' in source and "resources.intake_queue_url" in source


def test_worker_event_source_mapping_matches_the_poller(tf: dict[str, list[dict[str, Any]]]) -> None:
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(SPEC.ingest["queue_role"]))
    mapping = one(tf, "aws_lambda_event_source_mapping", event_source_arn=queue["id"])

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


# Environment variables that differ on purpose, and why. Every other name is set on both sides, and the ones whose
# value Terraform writes as a constant have the same value locally.
AWS_ONLY = {
    "BEDROCK_MODEL_ID": "the local captioner runs no Bedrock model",
    "EMBEDDING_MODEL_ID": "the local embedder is the offline MiniLM, which names itself in provenance: no Bedrock",
    "MODERATION_THRESHOLD": "Settings' default is Terraform's default; only AWS environments tune it",
    "MAX_UPLOAD_BYTES": "Settings' default (50 MiB) is Terraform's default; only AWS environments tune it",
    "POWERTOOLS_LOG_LEVEL": "INFO is Powertools' default; the local stack logs at its default too",
    "PLACE_INDEX": "no Amazon Location on the emulator: the local offline geocoder (reverse_geocode) names places",
    "FACE_COLLECTION_PREFIX": "the local stack groups faces with its offline dlib index, not Rekognition collections",
    "XRAY_SDK_TRACING": "no X-Ray on a laptop: Powertools disables its tracer outside Lambda anyway",
}
LOCAL_ONLY = {"POWERTOOLS_TRACE_DISABLED": "no X-Ray daemon on a laptop"}
LOCAL_VALUES = {"MIN_LABEL_CONFIDENCE"}  # the offline analyzer's calibration


@pytest.fixture(scope="module")
def provisioned() -> Any:
    """What the local provisioner creates, on a private moto server (the same code `make run` runs)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        resources = provision(ResourceSpec.load(environment="drift"), endpoint_url=endpoint, web_origins=[SITE])
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        yield resources, lambda service: session.client(service, endpoint_url=endpoint, region_name=resources.region)
    finally:
        server.stop()


SITE = "http://127.0.0.1:8000"


def terraform_environment() -> dict[str, str]:
    """The compute module's environment_variables: literal values unquoted, expressions as written."""
    compute = hcl(TERRAFORM / "modules" / "compute" / "main.tf")
    source = next(block["environment_variables"] for block in compute["locals"] if "environment_variables" in block)
    return {name: str(value).strip('"') for name, value in source.items()}


def test_function_environment_is_the_one_the_local_stack_sets(provisioned: Any) -> None:
    resources, _ = provisioned
    terraform = terraform_environment()
    local = resources.function_environment(media_base_url=SITE)

    assert set(terraform) - set(local) == set(AWS_ONLY), "a variable only Terraform sets needs a reason in AWS_ONLY"
    assert set(local) - set(terraform) == set(LOCAL_ONLY), "a variable only the local stack sets needs a reason"
    constants = {name for name, value in terraform.items() if "${" not in value} - LOCAL_VALUES
    assert constants, "Terraform writes some values as constants (POWERTOOLS_*)"
    for name in constants - set(AWS_ONLY):
        assert local[name] == terraform[name], f"{name}: local {local[name]!r}, Terraform {terraform[name]!r}"


def test_the_ingest_queue_settings_are_the_queue_the_local_stack_creates(provisioned: Any) -> None:
    """The worker's "last delivery" and the API's upload expiry read the queue's redrive and visibility settings."""
    resources, client = provisioned
    local = resources.function_environment(media_base_url=SITE)
    attributes = client("sqs").get_queue_attributes(QueueUrl=resources.queue_url, AttributeNames=["All"])["Attributes"]
    assert int(local["INGEST_MAX_RECEIVE_COUNT"]) == json.loads(attributes["RedrivePolicy"])["maxReceiveCount"]
    assert int(local["INGEST_VISIBILITY_TIMEOUT_SECONDS"]) == int(attributes["VisibilityTimeout"])
    terraform = terraform_environment()
    assert terraform["INGEST_MAX_RECEIVE_COUNT"] == "${tostring(var.ingest.max_receive_count)}"
    assert terraform["INGEST_VISIBILITY_TIMEOUT_SECONDS"] == "${tostring(local.ingest_visibility_timeout)}"


def test_the_pending_check_schedule_sends_what_the_worker_and_the_local_ticker_know(
    tf: dict[str, list[dict[str, Any]]],
) -> None:
    """EventBridge Scheduler and the local stack's ticker put the same message on the ingest queue at the same rate."""
    from photovault.pipeline.events import PENDING_CHECK
    from scripts.local_stack import stack

    schedule = one(tf, "aws_scheduler_schedule", name=SPEC.name("pending-check"))
    (target,) = blocks(schedule["target"])
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(SPEC.ingest["queue_role"]))
    assert target["arn"] == queue["id"]
    assert json.loads(target["input"]) == PENDING_CHECK
    assert schedule["schedule_expression"] == f"rate({SPEC.ingest['pending_check_minutes']} minutes)"
    source = Path(stack.__file__).read_text(encoding="utf-8")
    assert 'ingest["pending_check_minutes"]' in source and "PendingCheckSchedule(" in source


def test_uploads_cors_rule_is_the_one_the_local_stack_applies(
    tf: dict[str, list[dict[str, Any]]], provisioned: Any, resources_json: dict[str, Any]
) -> None:
    resources, client = provisioned
    (terraform,) = blocks(one(tf, "aws_s3_bucket_cors_configuration")["cors_rule"])
    (local,) = client("s3").get_bucket_cors(Bucket=resources.originals_bucket)["CORSRules"]

    spec = resources_json["uploads_cors"]
    assert {k: terraform[k] for k in spec} == spec, "Terraform takes the rule from resources.json"
    assert (local["AllowedMethods"], local["AllowedHeaders"], local["ExposeHeaders"], local["MaxAgeSeconds"]) == (
        spec["allowed_methods"],
        spec["allowed_headers"],
        spec["expose_headers"],
        spec["max_age_seconds"],
    )
    assert local["AllowedOrigins"] == [SITE]  # the origins differ by design: the site's own URL on each side


def test_password_policy_and_sign_in_attribute_are_the_ones_the_local_stack_sets(
    tf: dict[str, list[dict[str, Any]]], provisioned: Any, resources_json: dict[str, Any]
) -> None:
    resources, client = provisioned
    pool = one(tf, "aws_cognito_user_pool", name=SPEC.name("users"))
    (terraform,) = blocks(pool["password_policy"])
    local = client("cognito-idp").describe_user_pool(UserPoolId=resources.user_pool_id)["UserPool"]

    spec = resources_json["user_pool"]
    assert {k: terraform[k] for k in spec["password_policy"]} == spec["password_policy"]
    camel = {k: "".join(part.title() for part in k.split("_")) for k in spec["password_policy"]}
    assert {k: local["Policies"]["PasswordPolicy"][camel[k]] for k in camel} == spec["password_policy"]
    assert pool["username_attributes"] == local["UsernameAttributes"] == spec["username_attributes"]


def test_token_lifetimes_and_username_case_are_the_ones_the_local_stack_sets(
    tf: dict[str, list[dict[str, Any]]], provisioned: Any, resources_json: dict[str, Any]
) -> None:
    resources, client = provisioned
    spec = resources_json["user_pool"]
    pool = one(tf, "aws_cognito_user_pool", name=SPEC.name("users"))
    web = one(tf, "aws_cognito_user_pool_client", name=SPEC.name("web"))
    idp = client("cognito-idp")
    local_pool = idp.describe_user_pool(UserPoolId=resources.user_pool_id)["UserPool"]
    local_client = idp.describe_user_pool_client(
        UserPoolId=resources.user_pool_id, ClientId=resources.user_pool_client_id
    )

    validity = spec["token_validity"]
    terraform = (web["id_token_validity"], web["access_token_validity"], web["refresh_token_validity"])
    assert terraform == (validity["id_token_minutes"], validity["access_token_minutes"], validity["refresh_token_days"])
    assert blocks(pool["username_configuration"])[0]["case_sensitive"] is spec["username_case_sensitive"]
    local = local_client["UserPoolClient"]
    assert (local["IdTokenValidity"], local["AccessTokenValidity"], local["RefreshTokenValidity"]) == terraform
    assert local_pool.get("UsernameConfiguration", {}).get("CaseSensitive", True) is spec["username_case_sensitive"]


@pytest.fixture(scope="module")
def resources_json() -> dict[str, Any]:
    return dict(json.loads((TERRAFORM / "resources.json").read_text(encoding="utf-8")))


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


# ---------------------------------------------------------------- purge and jobs (issue 14)


def test_purge_stream_mapping_is_the_one_the_local_stream_poller_applies(tf: dict[str, list[dict[str, Any]]]) -> None:
    from scripts.local_stack.streams import MappingSettings

    spec = SPEC.purge
    (mapping,) = [m for m in tf["aws_lambda_event_source_mapping"] if m.get("starting_position")]
    assert (
        mapping["starting_position"],
        mapping["batch_size"],
        mapping["maximum_batching_window_in_seconds"],
        mapping["maximum_retry_attempts"],
        mapping["maximum_record_age_in_seconds"],
        mapping["bisect_batch_on_function_error"],
        mapping["parallelization_factor"],
        mapping["function_response_types"],
    ) == (
        spec["starting_position"],
        spec["batch_size"],
        spec["maximum_batching_window_seconds"],
        spec["maximum_retry_attempts"],
        spec["maximum_record_age_seconds"],
        spec["bisect_batch_on_function_error"],
        spec["parallelization_factor"],
        ["ReportBatchItemFailures"],
    )
    local = MappingSettings.from_spec(spec)
    assert (local.batch_size, local.maximum_retry_attempts, local.bisect_batch_on_function_error) == (
        spec["batch_size"],
        spec["maximum_retry_attempts"],
        spec["bisect_batch_on_function_error"],
    )
    # The filter: one list of patterns, resources.json's, given to AWS as JSON (tfparse cannot evaluate the dynamic
    # block, so the chain is checked as written) and to the local poller as is.
    assert local.filter_patterns == spec["filter_patterns"]
    locals_tf = (TERRAFORM / "locals.tf").read_text(encoding="utf-8")
    assert "for pattern in local.resources.purge.filter_patterns : jsonencode(pattern)" in locals_tf
    purge_tf = (TERRAFORM / "modules" / "compute" / "purge.tf").read_text(encoding="utf-8")
    assert "for_each = var.purge.filter_patterns" in purge_tf and "pattern = filter.value" in purge_tf
    one(tf, "aws_sqs_queue", name=SPEC.name(spec["failure_queue_role"]))


def test_jobs_queue_and_mapping_are_the_ones_the_local_stack_provisions(
    tf: dict[str, list[dict[str, Any]]], provisioned: Any
) -> None:
    jobs = SPEC.jobs
    queue = one(tf, "aws_sqs_queue", name=SPEC.name(jobs["queue_role"]))
    dlq = one(tf, "aws_sqs_queue", name=SPEC.name(jobs["dlq_role"]))
    mapping = one(tf, "aws_lambda_event_source_mapping", event_source_arn=queue["id"])
    redrive = json.loads(queue["redrive_policy"])

    assert (redrive["deadLetterTargetArn"], redrive["maxReceiveCount"]) == (dlq["id"], jobs["max_receive_count"])
    assert queue["visibility_timeout_seconds"] == SPEC.jobs_visibility_timeout
    assert queue["visibility_timeout_seconds"] >= 6 * SPEC.functions["jobs"]["timeout"]
    assert (mapping["batch_size"], mapping["function_response_types"]) == (
        jobs["batch_size"],
        ["ReportBatchItemFailures"],
    )

    resources, client = provisioned
    local = client("sqs").get_queue_attributes(QueueUrl=resources.jobs_queue_url, AttributeNames=["All"])["Attributes"]
    local_redrive = json.loads(local["RedrivePolicy"])
    assert int(local["VisibilityTimeout"]) == queue["visibility_timeout_seconds"]
    assert (local_redrive["deadLetterTargetArn"], local_redrive["maxReceiveCount"]) == (
        resources.jobs_dlq_arn,
        jobs["max_receive_count"],
    )


def test_exports_prefix_is_the_one_the_code_writes_under(tf: dict[str, list[dict[str, Any]]]) -> None:
    from photovault import keys

    exports = json.loads((TERRAFORM / "resources.json").read_text(encoding="utf-8"))["exports"]
    assert exports["prefix"] == keys.EXPORTS_PREFIX
    assert keys.export_part_key("sub", "job", 1).startswith(exports["prefix"])
    buckets = (TERRAFORM / "modules" / "storage" / "buckets.tf").read_text(encoding="utf-8")
    assert 'id     = "expire-exports"' in buckets and "prefix = rule.value.prefix" in buckets
    assert "exports                     = local.exports" in (TERRAFORM / "main.tf").read_text(encoding="utf-8")
