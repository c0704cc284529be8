"""The local provisioner creates on the emulator exactly what terraform/resources.json describes."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from cryptography.hazmat.primitives import serialization

from photovault.settings import Settings
from scripts.local_stack.config import ResourceSpec
from scripts.local_stack.provision import provision
from scripts.local_stack.stack import LocalStack
from tests.integration import local_stack_fixture as fixtures
from tests.integration.local_stack_fixture import sign_in, wait_until

local_stack = fixtures.local_stack

SPEC = ResourceSpec.load()


def test_table_has_the_keys_indexes_ttl_and_stream_of_resources_json(local_stack: LocalStack) -> None:
    ddb = local_stack.client("dynamodb")
    table = ddb.describe_table(TableName=SPEC.name(SPEC.table["role"]))["Table"]

    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    assert keys == {"HASH": SPEC.table["hash_key"], "RANGE": SPEC.table["range_key"]}
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == SPEC.table["attributes"]
    indexes = {
        gsi["IndexName"]: (
            {k["KeyType"]: k["AttributeName"] for k in gsi["KeySchema"]},
            gsi["Projection"]["ProjectionType"],
        )
        for gsi in table["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        g["name"]: ({"HASH": g["hash_key"], "RANGE": g["range_key"]}, g["projection_type"])
        for g in SPEC.table["global_secondary_indexes"]
    }
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": SPEC.table["stream_view_type"]}
    ttl = ddb.describe_time_to_live(TableName=table["TableName"])["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", SPEC.table["ttl_attribute"])


def test_buckets_are_named_per_convention_and_originals_accept_browser_uploads(local_stack: LocalStack) -> None:
    s3 = local_stack.client("s3")
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert names >= {f"photovault-local-{role}-123456789012" for role in SPEC.buckets}

    originals = local_stack.resources.originals_bucket
    assert s3.get_bucket_versioning(Bucket=originals)["Status"] == "Enabled"
    rule = s3.get_bucket_cors(Bucket=originals)["CORSRules"][0]
    assert rule["AllowedMethods"] == ["POST"]
    assert local_stack.url in rule["AllowedOrigins"]


def test_ingest_queue_redrives_to_the_dlq_with_the_visibility_of_resources_json(local_stack: LocalStack) -> None:
    sqs = local_stack.client("sqs")
    r = local_stack.resources
    attributes = sqs.get_queue_attributes(QueueUrl=r.queue_url, AttributeNames=["All"])["Attributes"]

    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == r.dlq_arn
    assert int(redrive["maxReceiveCount"]) == SPEC.ingest["max_receive_count"]
    expected_visibility = SPEC.ingest["visibility_timeout_multiplier"] * SPEC.functions["worker"]["timeout"]
    assert int(attributes["VisibilityTimeout"]) == expected_visibility
    assert int(attributes["MessageRetentionPeriod"]) == SPEC.ingest["message_retention_seconds"]
    assert r.queue_url.endswith("/photovault-local-ingest")
    assert r.dlq_url.endswith("/photovault-local-ingest-dlq")


def test_intake_queue_redrives_to_its_dlq_and_only_the_originals_bucket_may_send(local_stack: LocalStack) -> None:
    sqs = local_stack.client("sqs")
    r = local_stack.resources
    attributes = sqs.get_queue_attributes(QueueUrl=r.intake_queue_url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(":photovault-local-intake-dlq")
    assert int(redrive["maxReceiveCount"]) == SPEC.ingest["max_receive_count"]
    expected_visibility = SPEC.ingest["visibility_timeout_multiplier"] * SPEC.functions["forwarder"]["timeout"]
    assert int(attributes["VisibilityTimeout"]) == expected_visibility
    (statement,) = json.loads(attributes["Policy"])["Statement"]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == f"arn:aws:s3:::{r.originals_bucket}"
    # The ingest queue is written only by the forwarder and the schedule (their roles): no resource policy for S3
    ingest = sqs.get_queue_attributes(QueueUrl=r.queue_url, AttributeNames=["All"])["Attributes"]
    assert "Policy" not in ingest


def test_uploads_under_the_prefix_reach_the_intake_queue_and_other_keys_do_not(local_stack: LocalStack) -> None:
    s3, sqs = local_stack.client("s3"), local_stack.client("sqs")
    # S3 notifies the intake queue; the forwarder (not running here) moves each message to the ingest queue.
    bucket, queue_url = local_stack.resources.originals_bucket, local_stack.resources.intake_queue_url

    s3.put_object(Bucket=bucket, Key="elsewhere/ignored.jpg", Body=b"x")
    s3.put_object(Bucket=bucket, Key=f"{SPEC.ingest['upload_prefix']}user-1/photo-1", Body=b"x")

    records: list[dict[str, Any]] = []

    def object_records() -> list[dict[str, Any]]:
        # The queue also holds S3's s3:TestEvent (sent when the notification was configured): it has no Records.
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            records.extend(json.loads(message["Body"]).get("Records", []))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return records

    wait_until(object_records)
    # Event keys are URL-encoded (S3 keeps "/", moto encodes it too): consumers unquote_plus them.
    assert [unquote_plus(r["s3"]["object"]["key"]) for r in records] == ["uploads/user-1/photo-1"]
    assert records[0]["eventName"].startswith("ObjectCreated:")


def test_topics_user_pool_and_demo_account_exist(local_stack: LocalStack) -> None:
    r = local_stack.resources
    topics = {t["TopicArn"] for t in local_stack.client("sns").list_topics()["Topics"]}
    assert {r.events_topic_arn, r.alarms_topic_arn} <= topics
    assert r.events_topic_arn.endswith(":photovault-local-photo-events")

    client = local_stack.client("cognito-idp").describe_user_pool_client(
        UserPoolId=r.user_pool_id, ClientId=r.user_pool_client_id
    )["UserPoolClient"]
    assert "ClientSecret" not in client
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    assert sign_in(local_stack, r.demo_username, r.demo_password)["IdToken"]


def test_signing_key_is_a_secure_string_matching_the_trusted_public_key(local_stack: LocalStack) -> None:
    r = local_stack.resources
    parameter = local_stack.client("ssm").get_parameter(Name=r.signing_key_parameter, WithDecryption=True)["Parameter"]
    assert parameter["Type"] == "SecureString"
    assert r.signing_key_parameter == "/photovault-local/cloudfront/signing-key"
    private_key = serialization.load_pem_private_key(parameter["Value"].encode(), password=None)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public_pem.decode() == r.cloudfront_public_key_pem
    assert r.cloudfront_key_pair_id.startswith("K")


def test_function_environment_is_a_valid_settings_for_the_handlers(local_stack: LocalStack) -> None:
    settings = Settings.from_env(local_stack.function_environment())
    assert settings.table_name == local_stack.resources.table_name
    assert settings.originals_bucket == local_stack.resources.originals_bucket
    assert settings.media_base_url == local_stack.url
    assert not {"ANALYZER", "CAPTIONER"} & set(local_stack.function_environment())  # no production switch


def test_the_worker_gets_the_offline_analyzer_and_no_caption_model_through_the_composition_root(
    local_stack: LocalStack,
) -> None:
    from photovault import composition
    from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
    from photovault.adapters.sns import SnsNotifier
    from scripts.local_stack.offline import install
    from scripts.local_stack.offline.analyzer import OfflineAnalyzer

    # Given the wiring the stack runs in the worker's environment before its handler loads
    assert local_stack.options.worker_init == f"{install.__module__}.{install.__name__}"
    install()
    try:
        # When the worker builds its use case
        ingest = composition.ingest()
        # Then what the emulator cannot answer is offline, and everything else is the AWS adapters on the emulator
        assert isinstance(ingest.analyzer, OfflineAnalyzer) and ingest.captioner is None
        assert isinstance(ingest.repository, DynamoPhotoRepository) and isinstance(ingest.notifier, SnsNotifier)
    finally:
        composition.reset()


def test_a_second_run_converges_on_the_same_resources(local_stack: LocalStack) -> None:
    again = provision(SPEC, endpoint_url=local_stack.emulator.endpoint_url, web_origins=[local_stack.url])
    assert again == local_stack.resources
