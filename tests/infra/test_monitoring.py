"""The monitoring module, evaluated offline: every widget and alarm reads a metric that exists — one the code emits
(``photovault.observability.MetricName``, with exactly the dimensions Powertools attaches) or an AWS metric of a
resource in the stack — every alarm notifies someone, and the dashboard covers what an operator needs."""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from photovault.observability import NAMESPACE, SERVICE, MetricName, metrics

tfparse = pytest.importorskip("tfparse")

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "terraform" / "modules" / "monitoring"
TFVARS = Path(__file__).parent / "fixtures" / "monitoring.tfvars"
OPERATIONS = ROOT / "docs" / "operations.md"

INPUTS = dict(
    worker="pvtest-dev-worker-fn",
    api="pvtest-dev-api-fn",
    queue="pvtest-dev-ingest-q",
    dlq="pvtest-dev-ingest-dlq-q",
    purge="pvtest-dev-purge-fn",
    purge_failures="pvtest-dev-purge-failures-q",
    jobs="pvtest-dev-jobs-fn",
    jobs_queue="pvtest-dev-jobs-q",
    jobs_dlq="pvtest-dev-jobs-dlq-q",
    forwarder="pvtest-dev-forwarder-fn",
    intake="pvtest-dev-intake-q",
    intake_dlq="pvtest-dev-intake-dlq-q",
    table="pvtest-dev-photos-table",
    api_id="a1b2c3d4e5",
    stage="$default",
    distribution="E2TESTDISTRIBUTION",
)

# AWS metrics the stack's resources publish, with the dimension set each is read with.
AWS_METRICS: dict[str, tuple[set[str], dict[str, set[str]]]] = {
    "AWS/Lambda": (
        # IteratorAge: functions with a stream event source (the purge).
        {"Errors", "Invocations", "Throttles", "Duration", "ConcurrentExecutions", "IteratorAge"},
        {"FunctionName": {INPUTS["worker"], INPUTS["api"], INPUTS["purge"], INPUTS["jobs"], INPUTS["forwarder"]}},
    ),
    "AWS/SQS": (
        {
            "ApproximateNumberOfMessagesVisible",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateAgeOfOldestMessage",
        },
        {
            "QueueName": {
                INPUTS["queue"],
                INPUTS["dlq"],
                INPUTS["purge_failures"],
                INPUTS["jobs_queue"],
                INPUTS["jobs_dlq"],
                INPUTS["intake"],
                INPUTS["intake_dlq"],
            }
        },
    ),
    "AWS/ApiGateway": (
        {"Count", "4xx", "5xx", "Latency", "IntegrationLatency"},
        {"ApiId": {INPUTS["api_id"]}, "Stage": {INPUTS["stage"]}},
    ),
    "AWS/DynamoDB": (
        {"ReadThrottleEvents", "WriteThrottleEvents", "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"},
        {"TableName": {INPUTS["table"]}},
    ),
    "AWS/CloudFront": (
        {"4xxErrorRate", "5xxErrorRate", "Requests"},
        {"DistributionId": {INPUTS["distribution"]}, "Region": {"Global"}},
    ),
}

Metric = tuple[str, str, dict[str, str], dict[str, Any]]  # namespace, name, dimensions, options


@cache
def evaluate(alarm_email: bool = True) -> dict[str, Any]:
    """tfparse the module with the fixture inputs (vars paths are relative to the module, so copy it)."""
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="monitoring-")) / "module"
    shutil.copytree(MODULE, work, ignore=shutil.ignore_patterns(".terraform*"))
    text = TFVARS.read_text(encoding="utf-8")
    if not alarm_email:
        text = re.sub(r"(?m)^alarm_email.*$", "", text)
    (work / "test.tfvars").write_text(text, encoding="utf-8")
    return dict(tfparse.load_from_path(str(work), vars_paths=["test.tfvars"]))


def local(name: str) -> Any:
    for block in evaluate()["locals"]:
        if name in block:
            return block[name]
    raise KeyError(name)


def dashboard() -> dict[str, Any]:
    return dict(local("dashboard"))


def alarms() -> dict[str, dict[str, Any]]:
    return {a["__tfmeta"]["path"]: a for a in evaluate()["aws_cloudwatch_metric_alarm"]}


def widget_metrics(widget: dict[str, Any]) -> list[Metric]:
    """CloudWatch's compact metric rows: [namespace, name, dim, value, …, {options}]; expressions left out."""
    found: list[Metric] = []
    for row in widget["properties"].get("metrics", []):
        options = row[-1] if isinstance(row[-1], dict) else {}
        values = [v for v in row if not isinstance(v, dict)]
        if not values:
            continue
        assert len(values) % 2 == 0, f"odd metric row {row}"
        namespace, name, *pairs = values
        dims = dict(zip(pairs[::2], pairs[1::2], strict=True))
        found.append((namespace, name, dims, options))
    return found


def alarm_specs() -> dict[str, dict[str, Any]]:
    """local.alarms, the map the one alarm resource iterates over (tfparse keeps one instance of a dynamic block)."""
    return dict(local("alarms"))


def alarm_metrics(spec: dict[str, Any]) -> list[Metric]:
    return [
        (query["namespace"], query["name"], dict(query["dimensions"]), {"stat": query["stat"], "id": query_id})
        for query_id, query in spec["metrics"].items()
    ]


def all_dashboard_metrics() -> list[Metric]:
    return [m for w in dashboard()["widgets"] if w["type"] == "metric" for m in widget_metrics(w)]


def assert_metric_exists(namespace: str, name: str, dims: dict[str, str], where: str) -> None:
    if namespace == NAMESPACE:
        assert name in {m.value for m in MetricName}, f"{where}: {name} is not emitted (MetricName)"
        assert dims == {"service": SERVICE}, f"{where}: {name} read with {dims}; Powertools emits service only"
        return
    assert namespace in AWS_METRICS, f"{where}: unexpected namespace {namespace}"
    names, dimension_values = AWS_METRICS[namespace]
    assert name in names, f"{where}: {namespace} {name} is not a metric the stack's resources publish"
    assert set(dims) == set(dimension_values), f"{where}: {namespace} {name} dimensions {sorted(dims)}"
    for key, value in dims.items():
        assert value in dimension_values[key], f"{where}: {key}={value} is not a resource of the stack"


# ---------------------------------------------------------------- one list of metric names, one dimension set


def test_powertools_publishes_custom_metrics_under_the_service_dimension_only() -> None:
    """Given the project's Metrics object, when a metric is serialised, its EMF dimension set is [["service"]]."""
    try:
        metrics.add_metric(name=MetricName.PHOTOS_RECEIVED, unit="Count", value=1)
        emf = metrics.serialize_metric_set()
    finally:
        metrics.clear_metrics()
    directive = emf["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == NAMESPACE
    assert directive["Dimensions"] == [["service"]]
    assert emf["service"] == SERVICE


def test_module_defaults_match_what_the_code_emits() -> None:
    variables = {v["__tfmeta"]["label"]: v for v in evaluate()["variable"]}
    assert variables["metric_namespace"]["default"] == NAMESPACE
    assert variables["metric_dimensions"]["default"] == {"service": SERVICE}


def test_the_module_lists_exactly_the_metrics_the_code_emits() -> None:
    assert sorted(local("custom_metric_names")) == sorted(m.value for m in MetricName)


def test_handlers_name_metrics_only_through_metric_name_and_add_no_dimensions() -> None:
    """A literal name or an extra dimension would publish a metric no widget reads."""
    for path in (ROOT / "lambda_src" / "photovault").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"add_metric\(\s*name\s*=\s*[\"']", text), f"{path}: metric name as a string literal"
        for call in ("add_dimension(", "set_default_dimensions(", "single_metric("):
            assert call not in text, f"{path}: {call} changes the dimension set the dashboard reads"


def test_every_dashboard_metric_is_emitted_or_published_by_a_stack_resource() -> None:
    rows = all_dashboard_metrics()
    assert rows
    for namespace, name, dims, _ in rows:
        assert_metric_exists(namespace, name, dims, "dashboard")


def test_every_alarm_metric_is_emitted_or_published_by_a_stack_resource() -> None:
    for key, spec in alarm_specs().items():
        rows = alarm_metrics(spec)
        assert rows, f"{key} reads no metric"
        for namespace, name, dims, _ in rows:
            assert_metric_exists(namespace, name, dims, key)
        referenced = set(re.findall(r"\b([a-z][a-z0-9_]*)\b", spec["expression"])) - {"fill"}
        assert referenced <= set(spec["metrics"]), f"{key}: {referenced - set(spec['metrics'])} undefined"


def test_alarms_are_one_resource_over_the_alarm_map() -> None:
    text = (MODULE / "alarms.tf").read_text(encoding="utf-8")
    assert text.count('resource "aws_cloudwatch_metric_alarm"') == 1
    assert re.search(r'resource "aws_cloudwatch_metric_alarm" "this" \{\s+for_each = local\.alarms', text)
    assert set(alarms()) == {f'aws_cloudwatch_metric_alarm.this["{key}"]' for key in alarm_specs()}
    # Custom metrics are named through local.metric (only MetricName's names), never as a literal in alarms.tf.
    names = "|".join(m.value for m in MetricName)
    assert not re.search(rf'name\s*=\s*"({names})"', text)


def test_every_emitted_metric_is_on_the_dashboard() -> None:
    shown = {name for namespace, name, _, _ in all_dashboard_metrics() if namespace == NAMESPACE}
    assert shown == {m.value for m in MetricName}


# ---------------------------------------------------------------- alarms


def test_every_alarm_notifies_the_encrypted_alarm_topic_and_clears_through_it() -> None:
    (topic,) = evaluate()["aws_sns_topic"]
    assert topic["kms_master_key_id"] == "arn:aws:kms:eu-west-1:111122223333:key/pvtest"  # the environment's key
    assert not evaluate().get("aws_kms_key"), "one key per environment: the storage module's"
    assert len(alarms()) >= 12
    for address, alarm in alarms().items():
        assert alarm["alarm_actions"] == [topic["id"]], address
        assert alarm["ok_actions"] == [topic["id"]], address
        assert alarm["treat_missing_data"] == "notBreaching", address


def test_the_issue_alarms_exist() -> None:
    specs = alarm_specs()
    assert {
        "dlq-not-empty",
        "ingest-oldest-message",
        "worker-error-rate",
        "worker-duration-near-timeout",
        "photos-failed",
        "oldest-pending-upload",
        "api-5xx-rate",
        "api-throttles",
        "worker-throttles",
        "dynamodb-throttles",
        "analysis-throttled",
        "caption-fallback-rate",
    } <= set(specs)
    dlq = specs["dlq-not-empty"]
    assert (dlq["threshold"], dlq["comparison"]) == (0, "GreaterThanThreshold")
    assert alarm_metrics(dlq)[0][2] == {"QueueName": INPUTS["dlq"]}


def test_the_purge_and_jobs_alarms_watch_their_queues_and_the_stream_lag() -> None:
    specs = alarm_specs()
    for key, queue in (("purge-failures-not-empty", "purge_failures"), ("jobs-dlq-not-empty", "jobs_dlq")):
        ((namespace, name, dims, _),) = alarm_metrics(specs[key])
        assert (namespace, name, dims) == (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": INPUTS[queue]},
        )
        assert (specs[key]["threshold"], specs[key]["comparison"]) == (0, "GreaterThanThreshold")
    lag = specs["purge-iterator-age"]
    ((namespace, name, dims, options),) = alarm_metrics(lag)
    assert (namespace, name, dims, options["stat"]) == (
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": INPUTS["purge"]},
        "Maximum",
    )
    assert lag["threshold"] == 3600 * 1000  # IteratorAge is in milliseconds; the threshold variable in seconds
    for key, function in (("purge-errors", "purge"), ("jobs-errors", "jobs")):
        ((namespace, name, dims, options),) = alarm_metrics(specs[key])
        assert (namespace, name, dims, options["stat"]) == (
            "AWS/Lambda",
            "Errors",
            {"FunctionName": INPUTS[function]},
            "Sum",
        )
    assert {"purge-throttles", "jobs-throttles"} <= set(specs)


def test_worker_duration_alarm_fires_at_80_percent_of_the_timeout_at_p99() -> None:
    spec = alarm_specs()["worker-duration-near-timeout"]
    ((namespace, name, dims, options),) = alarm_metrics(spec)
    assert (namespace, name, dims, options["stat"]) == (
        "AWS/Lambda",
        "Duration",
        {"FunctionName": INPUTS["worker"]},
        "p99",
    )
    assert spec["threshold"] == 0.8 * 120 * 1000 and spec["comparison"] == "GreaterThanOrEqualToThreshold"


def test_failed_photos_and_oldest_pending_upload_alarms_read_the_metrics_the_code_emits() -> None:
    specs = alarm_specs()
    ((_, failed, _, failed_options),) = alarm_metrics(specs["photos-failed"])
    ((_, pending, _, pending_options),) = alarm_metrics(specs["oldest-pending-upload"])
    assert (failed, failed_options["stat"]) == (MetricName.PHOTOS_FAILED.value, "Sum")
    assert (pending, pending_options["stat"]) == (MetricName.OLDEST_PENDING_AGE.value, "Maximum")
    assert specs["photos-failed"]["threshold"] == 0
    ((_, given_up, _, given_up_options),) = alarm_metrics(specs["jobs-given-up"])
    assert (given_up, given_up_options["stat"]) == (MetricName.JOBS_GIVEN_UP.value, "Sum")
    assert (specs["jobs-given-up"]["threshold"], specs["jobs-given-up"]["comparison"]) == (0, "GreaterThanThreshold")


def test_rate_alarms_divide_failures_by_attempts() -> None:
    rate_alarms = {
        "worker-error-rate": ("Errors", "Invocations"),
        "api-5xx-rate": ("5xx", "Count"),
        "caption-fallback-rate": ("CaptionFallback", "CaptionFallback"),
    }
    for key, (numerator, denominator) in rate_alarms.items():
        spec = alarm_specs()[key]
        queries = {f"{name}:{options['stat']}" for _, name, _, options in alarm_metrics(spec)}
        assert "/" in spec["expression"] and "100 *" in spec["expression"], key
        assert f"{numerator}:Sum" in queries, key
        assert any(q.startswith(f"{denominator}:") for q in queries), key


def test_alarm_email_subscription_is_optional() -> None:
    (subscription,) = evaluate()["aws_sns_topic_subscription"]
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "oncall@example.com")
    assert not evaluate(alarm_email=False).get("aws_sns_topic_subscription")


def test_every_alarm_names_a_runbook_section_that_exists() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in text.splitlines()
        if line.startswith("#")
    }
    for address, alarm in alarms().items():
        match = re.search(r"docs/operations\.md#([a-z0-9-]+)", alarm["alarm_description"])
        assert match, f"{address}: no runbook link"
        assert match.group(1) in anchors, f"{address}: docs/operations.md has no section #{match.group(1)}"


# ---------------------------------------------------------------- dashboard


def test_dashboard_body_is_the_jsonencoded_dashboard_and_valid_json() -> None:
    assert re.search(r"dashboard_body\s*=\s*jsonencode\(local\.dashboard\)", (MODULE / "dashboards.tf").read_text())
    body = json.loads(json.dumps(dashboard()))
    assert body["widgets"]


def test_dashboard_layout_fits_the_grid_without_overlap() -> None:
    taken: set[tuple[int, int]] = set()
    for widget in dashboard()["widgets"]:
        assert widget["type"] in {"metric", "text", "alarm"}
        x, y, w, h = widget["x"], widget["y"], widget["width"], widget["height"]
        assert x >= 0 and x + w <= 24 and w >= 1 and h >= 1, widget
        cells = {(cx, cy) for cx in range(x, x + w) for cy in range(y, y + h)}
        assert not cells & taken, f"overlap at {widget.get('properties', {}).get('title')}"
        taken |= cells


def test_metric_widgets_are_complete_and_expressions_reference_known_ids() -> None:
    for widget in dashboard()["widgets"]:
        if widget["type"] != "metric":
            continue
        props = widget["properties"]
        assert props["title"] and props["metrics"] and props["period"] in {60, 300, 3600, 86400}
        assert "region" in props  # null here: the module reads it from data.aws_region at plan time
        ids = {row[-1]["id"] for row in props["metrics"] if isinstance(row[-1], dict) and "id" in row[-1]}
        for identifier in ids:
            assert re.fullmatch(r"[a-z][a-zA-Z0-9_]*", identifier), identifier
        for row in props["metrics"]:
            expression = row[0].get("expression") if isinstance(row[0], dict) else None
            if expression:
                referenced = set(re.findall(r"\b([a-z][a-z0-9_]*)\b", expression)) - {"fill"}
                assert referenced <= ids, f"{props['title']}: {referenced - ids} undefined"


def test_cloudfront_widget_reads_us_east_1() -> None:
    (widget,) = [w for w in dashboard()["widgets"] if "CloudFront" in w.get("properties", {}).get("title", "")]
    assert widget["properties"]["region"] == "us-east-1"


def test_alarm_status_widget_lists_every_alarm() -> None:
    (widget,) = [w for w in dashboard()["widgets"] if w["type"] == "alarm"]
    assert sorted(widget["properties"]["alarms"]) == sorted(a["id"] for a in alarms().values())


def _has(namespace: str, name: str, *, stat: str | None = None, dims: dict[str, str] | None = None) -> bool:
    for widget in dashboard()["widgets"]:
        if widget["type"] != "metric":
            continue
        for ns, metric, metric_dims, options in widget_metrics(widget):
            chosen = options.get("stat", widget["properties"].get("stat"))
            same = (ns, metric) == (namespace, name) and (stat is None or chosen == stat)
            if same and (dims is None or all(metric_dims.get(k) == v for k, v in dims.items())):
                return True
    return False


def test_dashboard_covers_the_issue_list() -> None:
    """Given the operator's list in the issue, each item has a widget reading the right metric."""
    custom = NAMESPACE
    for name in ("UploadsRequested", "PhotosReceived", "PhotosProcessed"):
        assert _has(custom, name), name
    for name in ("PhotosProcessed", "PhotosRejected", "PhotosQuarantined", "PhotosDuplicate"):
        assert _has(custom, name, stat="Sum"), name
    for stat in ("p50", "p95", "p99"):
        assert _has(custom, "ProcessingLatency", stat=stat), stat
    assert _has("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims={"QueueName": INPUTS["queue"]})
    assert _has("AWS/SQS", "ApproximateAgeOfOldestMessage", dims={"QueueName": INPUTS["queue"]})
    assert _has("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims={"QueueName": INPUTS["dlq"]})
    for function in (INPUTS["worker"], INPUTS["api"]):
        for name in ("Errors", "Throttles", "Duration", "ConcurrentExecutions"):
            assert _has("AWS/Lambda", name, dims={"FunctionName": function}), (function, name)
    for name in ("Count", "4xx", "5xx", "Latency"):
        assert _has("AWS/ApiGateway", name, dims={"ApiId": INPUTS["api_id"]}), name
    assert _has("AWS/DynamoDB", "ReadThrottleEvents") and _has("AWS/DynamoDB", "WriteThrottleEvents")
    assert _has("AWS/CloudFront", "4xxErrorRate") and _has("AWS/CloudFront", "5xxErrorRate")
    expressions = [
        row[0]["expression"]
        for widget in dashboard()["widgets"]
        if widget["type"] == "metric"
        for row in widget["properties"]["metrics"]
        if isinstance(row[0], dict) and "expression" in row[0]
    ]
    assert any("fallback" in e for e in expressions), "Bedrock fallback rate"
    (spend,) = [e for e in expressions if "rekognition" in e]
    # The prices come from var.ai_prices (fixture values), not from constants in the module.
    assert "0.0012" in spend and "0.0003" in spend and "0.0015" in spend
    assert "0.00007" in spend and "0.0009" in spend  # embeddings: photos and query text
    assert "FILL(face_calls, 0) * 0.0011" in spend  # people: face index calls
    assert "FILL(geocoder_requests, 0) / 1000 * 0.55" in spend  # places: Amazon Location requests


def test_ai_spend_is_per_day() -> None:
    (widget,) = [w for w in dashboard()["widgets"] if "spend" in w.get("properties", {}).get("title", "").lower()]
    assert widget["properties"]["period"] == 86400
    hidden = {m[1] for m in widget_metrics(widget)}
    assert hidden == {
        "RekognitionImages",
        "BedrockInputTokens",
        "BedrockOutputTokens",
        "EmbeddingImages",
        "EmbeddingInputTokens",
        "FaceIndexCalls",  # people: IndexFaces and SearchFaces
        "GeocoderRequests",  # places: SearchPlaceIndexForPosition
    }


# ---------------------------------------------------------------- as wired by the root, per workspace


def test_root_wires_every_alarm_in_the_stack_to_the_alarm_topic(plan: Any, resources_json: dict[str, Any]) -> None:
    """Given the root evaluated for a workspace, the monitoring module watches the stack's own queues and timeout."""
    # tfparse cannot expand the alarms' for_each at the root; tests/modules/monitoring.tftest.hcl plans them.
    topic = plan.one("aws_sns_topic", "module.monitoring.aws_sns_topic.alarms")
    assert topic["kms_master_key_id"] == plan.one("aws_kms_key", "module.storage.aws_kms_key.this")["id"]
    (inputs,) = [m for m in plan.parsed["module"] if m["__tfmeta"]["path"] == "module.monitoring"]
    queues = {q["name"] for q in plan.all("aws_sqs_queue").values()}
    assert {
        inputs[name] for name in ("ingest_queue_name", "ingest_dlq_name", "intake_queue_name", "intake_dlq_name")
    } <= queues
    assert inputs["worker_timeout_seconds"] == resources_json["functions"]["worker"]["timeout"]
    assert inputs["max_receive_count"] == resources_json["ingest"]["max_receive_count"]


def test_every_metric_name_is_emitted_by_the_lambda_code() -> None:
    package = ROOT / "lambda_src" / "photovault"
    code = "\n".join(p.read_text(encoding="utf-8") for p in package.rglob("*.py") if p.name != "observability.py")
    emitted = {m for m in MetricName if f"MetricName.{m.name}" in code}
    assert set(MetricName) == emitted, "every metric the dashboards and alarms read has an emitter"
