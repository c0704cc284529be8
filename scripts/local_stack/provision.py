"""Local provisioner: creates on the emulator what terraform/ creates in AWS, from the same ``resources.json``.

Idempotent: every step looks before it creates, so a second run against the same emulator converges.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from scripts.local_stack.config import REGION, ResourceSpec
from scripts.local_stack.emulator import ACCESS_KEY_ID, SECRET_ACCESS_KEY

log = logging.getLogger(__name__)

# all-MiniLM-L6-v2 (scripts/local_stack/offline/minilm.py); AWS's index holds Titan's 1024-d vectors.
LOCAL_EMBEDDING_DIMENSION = 384

DEMO_USERNAME = "demo@photovault.local"
DEMO_PASSWORD = "PhotoVault-demo-1!"  # meets the pool's policy (12+, upper, lower, digit, symbol); local only

# ID and access tokens live this long (the gateway refuses tokens issued longer ago, as their expiry would).
# terraform's client allows SRP only; the local client adds USER_PASSWORD_AUTH so scripts, tests and a web app
# without an SRP library can sign in (documented in README.md).
AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass(frozen=True)
class LocalResources:
    """Everything the provisioner created: names, URLs and ids the rest of the stack and the tests need."""

    endpoint_url: str
    region: str
    account_id: str
    environment: str
    table_name: str
    table_stream_arn: str
    buckets: dict[str, str]
    queue_url: str  # the ingest queue (the worker's), fed by the forwarder with MessageGroupId = owner
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    intake_queue_url: str  # where S3 notifies (the forwarder's)
    intake_queue_arn: str
    intake_dlq_url: str
    jobs_queue_url: str
    jobs_queue_arn: str
    jobs_dlq_url: str
    jobs_dlq_arn: str
    purge_failures_url: str
    purge_failures_arn: str
    events_topic_arn: str
    alarms_topic_arn: str
    user_pool_id: str
    user_pool_client_id: str
    demo_username: str
    demo_password: str
    signing_key_parameter: str
    origin_verify_parameter: str
    origin_verify_header: tuple[str, str]  # what the CloudFront stand-in adds to /api/* requests
    cloudfront_key_pair_id: str
    cloudfront_public_key_pem: str
    vector_bucket: str = ""
    vector_index: str = ""
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    ingest: dict[str, Any] = field(default_factory=dict)
    jobs_max_receive_count: int = 5
    exports_retention_days: int = 3
    token_lifetime_seconds: int = 15 * 60  # resources.json user_pool.token_validity (id and access tokens)
    username_case_sensitive: bool = False

    @property
    def originals_bucket(self) -> str:
        return self.buckets["originals"]

    @property
    def derivatives_bucket(self) -> str:
        return self.buckets["derivatives"]

    @property
    def issuer(self) -> str:
        """The ``iss`` Cognito (and moto) put in tokens; API Gateway's JWT authorizer is configured with it."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        """Where the emulator serves the pool's signing keys (in AWS: ``<issuer>/.well-known/jwks.json``)."""
        return f"{self.endpoint_url}/{self.user_pool_id}/.well-known/jwks.json"

    def function_environment(self, *, media_base_url: str) -> dict[str, str]:
        """The variables ``photovault.settings.Settings`` reads — the names terraform/modules/compute sets."""
        return {
            "ENVIRONMENT": self.environment,
            "TABLE_NAME": self.table_name,
            "ORIGINALS_BUCKET": self.originals_bucket,
            "DERIVATIVES_BUCKET": self.derivatives_bucket,
            "EVENTS_TOPIC_ARN": self.events_topic_arn,
            # The offline classifier spreads probability over many ImageNet classes: its confidences run lower
            # than Rekognition's for the same certainty, so the indexing threshold is lower locally.
            "MIN_LABEL_CONFIDENCE": "40",
            # One machine's vault, and `make bench` uploads hundreds of photos as one person: the upload quotas
            # (library.quota) are set far away here; their tests (tests/*/test_*quota*) set their own.
            "QUOTA_UPLOADS_PER_HOUR": "10000",
            "QUOTA_PENDING_UPLOADS": "1000",
            "QUOTA_BYTES": str(1024**4),
            "INGEST_MAX_RECEIVE_COUNT": str(self.ingest["max_receive_count"]),
            "INGEST_VISIBILITY_TIMEOUT_SECONDS": str(self.ingest["visibility_timeout_seconds"]),
            "INGEST_QUEUE_URL": self.queue_url,
            "MEDIA_BASE_URL": media_base_url.rstrip("/"),
            "CLOUDFRONT_KEY_PAIR_ID": self.cloudfront_key_pair_id,
            "SIGNING_KEY_PARAMETER": self.signing_key_parameter,
            "JOBS_QUEUE_URL": self.jobs_queue_url,
            "JOBS_MAX_RECEIVE_COUNT": str(self.jobs_max_receive_count),
            "EXPORTS_RETENTION_DAYS": str(self.exports_retention_days),
            # The offline embedder's vectors (scripts/local_stack/offline/embedder.py) in S3 Vectors on the emulator.
            "VECTOR_BUCKET": self.vector_bucket,
            "VECTOR_INDEX": self.vector_index,
            "EMBEDDING_DIMENSION": str(LOCAL_EMBEDDING_DIMENSION),
            "ORIGIN_VERIFY_PARAMETER": self.origin_verify_parameter,
            "USER_POOL_ID": self.user_pool_id,
            "POWERTOOLS_SERVICE_NAME": "photovault",
            "POWERTOOLS_METRICS_NAMESPACE": "PhotoVault",
            "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
        }


def provision(
    spec: ResourceSpec,
    *,
    endpoint_url: str,
    region: str = REGION,
    web_origins: Sequence[str] = (),
    demo_username: str = DEMO_USERNAME,
    demo_password: str = DEMO_PASSWORD,
) -> LocalResources:
    """Create (or find) every resource of ``spec`` on the emulator at ``endpoint_url``."""
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY, region_name=region
    )

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]

    table_name, stream_arn = _table(client("dynamodb"), spec)
    buckets = _buckets(client("s3"), spec, region, web_origins)
    sqs = client("sqs")
    dlq_url, dlq_arn, queue_url, queue_arn = ingest_queues(sqs, spec)
    intake_dlq_url, intake_url, intake_arn = intake_queues(sqs, spec, buckets["originals"])
    _notification(client("s3"), spec, buckets["originals"], intake_arn)
    jobs_dlq_url, jobs_dlq_arn, jobs_url, jobs_arn = job_queues(sqs, spec)
    purge_failures_url = _queue(
        sqs,
        spec.name(spec.purge["failure_queue_role"]),
        {"MessageRetentionPeriod": spec.purge["failure_message_retention_seconds"]},
    )
    sns = client("sns")
    events_arn = sns.create_topic(Name=spec.name(spec.topics["events_role"]))["TopicArn"]
    alarms_arn = sns.create_topic(Name=spec.name(spec.topics["alarms_role"]))["TopicArn"]
    pool_id, client_id = _cognito(client("cognito-idp"), spec, demo_username, demo_password)
    key_pair_id, public_pem = _signing_key(client("ssm"), spec)
    vector_bucket, vector_index = vector_store(client("s3vectors"), spec, LOCAL_EMBEDDING_DIMENSION)
    origin_header = _origin_verify(client("ssm"), spec)

    resources = LocalResources(
        endpoint_url=endpoint_url,
        region=region,
        account_id=spec.account_id,
        environment=spec.environment,
        table_name=table_name,
        table_stream_arn=stream_arn,
        buckets=buckets,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        intake_queue_url=intake_url,
        intake_queue_arn=intake_arn,
        intake_dlq_url=intake_dlq_url,
        jobs_queue_url=jobs_url,
        jobs_queue_arn=jobs_arn,
        jobs_dlq_url=jobs_dlq_url,
        jobs_dlq_arn=jobs_dlq_arn,
        purge_failures_url=purge_failures_url,
        purge_failures_arn=_queue_arn(sqs, purge_failures_url),
        events_topic_arn=events_arn,
        alarms_topic_arn=alarms_arn,
        user_pool_id=pool_id,
        user_pool_client_id=client_id,
        demo_username=demo_username,
        demo_password=demo_password,
        signing_key_parameter=spec.signing_key_parameter,
        origin_verify_parameter=spec.origin_verify_parameter,
        origin_verify_header=origin_header,
        cloudfront_key_pair_id=key_pair_id,
        cloudfront_public_key_pem=public_pem,
        vector_bucket=vector_bucket,
        vector_index=vector_index,
        functions=spec.functions,
        ingest={**spec.ingest, "visibility_timeout_seconds": spec.ingest_visibility_timeout},
        jobs_max_receive_count=int(spec.jobs["max_receive_count"]),
        exports_retention_days=int(spec.exports["expiration_days"]),
        token_lifetime_seconds=int(spec.user_pool["token_validity"]["id_token_minutes"]) * 60,
        username_case_sensitive=bool(spec.user_pool["username_case_sensitive"]),
    )
    log.info("provisioned %s resources on %s", spec.name_prefix, endpoint_url)
    return resources


# ---------------------------------------------------------------- S3 Vectors


def vector_store(s3vectors: Any, spec: ResourceSpec, dimension: int) -> tuple[str, str]:
    """The vector bucket and its index (what terraform/modules/storage creates), created unless they exist."""
    vectors = spec.vectors
    bucket, index = spec.name(vectors["bucket_role"]), spec.vector_index_name(dimension)
    existing = {b["vectorBucketName"] for b in s3vectors.list_vector_buckets().get("vectorBuckets", [])}
    if bucket not in existing:
        s3vectors.create_vector_bucket(vectorBucketName=bucket, encryptionConfiguration={"sseType": "AES256"})
    indexes = {i["indexName"] for i in s3vectors.list_indexes(vectorBucketName=bucket).get("indexes", [])}
    if index not in indexes:
        s3vectors.create_index(
            vectorBucketName=bucket,
            indexName=index,
            dataType=vectors["data_type"],
            dimension=dimension,
            distanceMetric=vectors["distance_metric"],
        )
    return bucket, index


# ---------------------------------------------------------------- DynamoDB


def table_definition(table: Mapping[str, Any], name: str) -> dict[str, Any]:
    """CreateTable arguments for the table resources.json describes (what terraform/modules/storage creates)."""
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in table["attributes"].items()],
        "KeySchema": [
            {"AttributeName": table["hash_key"], "KeyType": "HASH"},
            {"AttributeName": table["range_key"], "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": gsi["name"],
                "KeySchema": [
                    {"AttributeName": gsi["hash_key"], "KeyType": "HASH"},
                    {"AttributeName": gsi["range_key"], "KeyType": "RANGE"},
                ],
                "Projection": {
                    "ProjectionType": gsi["projection_type"],
                    **({"NonKeyAttributes": gsi["non_key_attributes"]} if gsi.get("non_key_attributes") else {}),
                },
            }
            for gsi in table["global_secondary_indexes"]
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": table["stream_view_type"]},
        "SSESpecification": {"Enabled": True},
    }


def _table(ddb: Any, spec: ResourceSpec) -> tuple[str, str]:
    table = spec.table
    name = spec.name(table["role"])
    try:
        description = ddb.describe_table(TableName=name)["Table"]
    except ddb.exceptions.ResourceNotFoundException:
        ddb.create_table(**table_definition(table, name))
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        description = ddb.describe_table(TableName=name)["Table"]
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") != "ENABLED" or ttl.get("AttributeName") != table["ttl_attribute"]:
        ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table["ttl_attribute"]}
        )
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return name, str(description.get("LatestStreamArn", ""))


# ---------------------------------------------------------------- S3


def _buckets(s3: Any, spec: ResourceSpec, region: str, web_origins: Sequence[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for role in spec.buckets:
        name = spec.bucket_name(role)
        names[role] = name
        try:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        # terraform versions every bucket; the originals bucket's versions give the worker exact revisions.
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if web_origins:
        # Browsers upload originals with a presigned POST straight to the emulator (another origin), under the
        # CORS rule terraform puts on the originals bucket.
        cors = spec.uploads_cors
        s3.put_bucket_cors(
            Bucket=names["originals"],
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedMethods": list(cors["allowed_methods"]),
                        "AllowedOrigins": list(web_origins),
                        "AllowedHeaders": list(cors["allowed_headers"]),
                        "ExposeHeaders": list(cors["expose_headers"]),
                        "MaxAgeSeconds": int(cors["max_age_seconds"]),
                    }
                ]
            },
        )
    return names


def _notification(s3: Any, spec: ResourceSpec, bucket: str, queue_arn: str) -> None:
    ingest = spec.ingest
    wanted = {
        "QueueConfigurations": [
            {
                "Id": "ingest",
                "QueueArn": queue_arn,
                "Events": list(ingest["s3_events"]),
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": ingest["upload_prefix"]}]}},
            }
        ]
    }
    current = s3.get_bucket_notification_configuration(Bucket=bucket)
    if _notification_matches(current, queue_arn, ingest):
        return  # S3 sends an s3:TestEvent on every put: don't add one per run
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=wanted)


def _notification_matches(current: dict[str, Any], queue_arn: str, ingest: dict[str, Any]) -> bool:
    for config in current.get("QueueConfigurations", []):
        rules = config.get("Filter", {}).get("Key", {}).get("FilterRules", [])
        prefixes = [r["Value"] for r in rules if r["Name"].lower() == "prefix"]
        if (
            config.get("QueueArn") == queue_arn
            and sorted(config.get("Events", [])) == sorted(ingest["s3_events"])
            and prefixes == [ingest["upload_prefix"]]
        ):
            return True
    return False


# ---------------------------------------------------------------- SQS


def ingest_queues(sqs: Any, spec: ResourceSpec) -> tuple[str, str, str, str]:
    """The ingest queue and its DLQ (redrive, visibility, retention) → (dlq url, dlq arn, url, arn). Only the
    forwarder and the schedule send to it, so it has no queue policy."""
    ingest = spec.ingest
    return _queue_with_dlq(
        sqs,
        spec.name(ingest["queue_role"]),
        spec.name(ingest["dlq_role"]),
        visibility_timeout=spec.ingest_visibility_timeout,
        ingest=ingest,
    )


def intake_queues(sqs: Any, spec: ResourceSpec, originals_bucket: str) -> tuple[str, str, str]:
    """The intake queue S3 notifies, with its DLQ and the policy that lets only the originals bucket send →
    (dlq url, url, arn)."""
    ingest = spec.ingest
    dlq_url, _, url, arn = _queue_with_dlq(
        sqs,
        spec.name(ingest["intake_queue_role"]),
        spec.name(ingest["intake_dlq_role"]),
        visibility_timeout=spec.intake_visibility_timeout,
        ingest=ingest,
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OriginalsBucketNotifications",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{originals_bucket}"},
                    "StringEquals": {"aws:SourceAccount": spec.account_id},
                },
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return dlq_url, url, arn


def _queue_with_dlq(
    sqs: Any, name: str, dlq_name: str, *, visibility_timeout: int, ingest: dict[str, Any]
) -> tuple[str, str, str, str]:
    dlq_url = _queue(sqs, dlq_name, {"MessageRetentionPeriod": ingest["dlq_message_retention_seconds"]})
    dlq_arn = _queue_arn(sqs, dlq_url)
    url = _queue(
        sqs,
        name,
        {
            "VisibilityTimeout": visibility_timeout,
            "MessageRetentionPeriod": ingest["message_retention_seconds"],
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": int(ingest["max_receive_count"])}
            ),
        },
    )
    arn = _queue_arn(sqs, url)
    sqs.set_queue_attributes(
        QueueUrl=dlq_url,
        Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn]})},
    )
    return dlq_url, dlq_arn, url, arn


def job_queues(sqs: Any, spec: ResourceSpec) -> tuple[str, str, str, str]:
    """The jobs queue and its DLQ (redrive, visibility, retention) → (dlq url, dlq arn, url, arn)."""
    jobs = spec.jobs
    dlq_url = _queue(
        sqs, spec.name(jobs["dlq_role"]), {"MessageRetentionPeriod": jobs["dlq_message_retention_seconds"]}
    )
    dlq_arn = _queue_arn(sqs, dlq_url)
    url = _queue(
        sqs,
        spec.name(jobs["queue_role"]),
        {
            "VisibilityTimeout": spec.jobs_visibility_timeout,
            "MessageRetentionPeriod": jobs["message_retention_seconds"],
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": int(jobs["max_receive_count"])}
            ),
        },
    )
    return dlq_url, dlq_arn, url, _queue_arn(sqs, url)


def _queue(sqs: Any, name: str, attributes: dict[str, Any]) -> str:
    values = {key: str(value) for key, value in attributes.items()}
    try:
        url = str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except sqs.exceptions.QueueDoesNotExist:
        return str(sqs.create_queue(QueueName=name, Attributes=values)["QueueUrl"])
    sqs.set_queue_attributes(QueueUrl=url, Attributes=values)
    return url


def _queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


# ---------------------------------------------------------------- Cognito


def _cognito(idp: Any, spec: ResourceSpec, username: str, password: str) -> tuple[str, str]:
    pool_name = spec.name("users")
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == pool_name), None)
    if pool_id is None:
        pool_id = idp.create_user_pool(
            PoolName=pool_name,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            UsernameConfiguration={"CaseSensitive": bool(spec.user_pool["username_case_sensitive"])},
            Policies={"PasswordPolicy": password_policy(spec)},
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": False},
            AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        )["UserPool"]["Id"]
    client_name = spec.name("web")
    validity = spec.user_pool["token_validity"]
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == client_name), None)
    if client_id is None:
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=client_name,
            GenerateSecret=False,
            ExplicitAuthFlows=AUTH_FLOWS,
            PreventUserExistenceErrors="ENABLED",
            EnableTokenRevocation=True,
            AccessTokenValidity=int(validity["access_token_minutes"]),
            IdTokenValidity=int(validity["id_token_minutes"]),
            RefreshTokenValidity=int(validity["refresh_token_days"]),
            TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        )["UserPoolClient"]["ClientId"]
    ensure_user(idp, pool_id, username, password)
    return str(pool_id), str(client_id)


def password_policy(spec: ResourceSpec) -> dict[str, Any]:
    """resources.json's password policy (terraform's ``password_policy`` block) in Cognito API form."""
    policy = spec.password_policy
    return {
        "MinimumLength": int(policy["minimum_length"]),
        "RequireUppercase": bool(policy["require_uppercase"]),
        "RequireLowercase": bool(policy["require_lowercase"]),
        "RequireNumbers": bool(policy["require_numbers"]),
        "RequireSymbols": bool(policy["require_symbols"]),
        "TemporaryPasswordValidityDays": int(policy["temporary_password_validity_days"]),
    }


def ensure_user(idp: Any, pool_id: str, username: str, password: str) -> str:
    """A confirmed user with a permanent password (creates or resets it). Returns the user's ``sub``."""
    try:
        user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    except idp.exceptions.UserNotFoundException:
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": username}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
        user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    return str(attributes.get("sub", ""))


# ---------------------------------------------------------------- CloudFront origin secret


def _origin_verify(ssm: Any, spec: ResourceSpec) -> tuple[str, str]:
    """The parameter terraform/modules/cdn/origin_verify.tf writes (one random value here: no rotation locally);
    returns the header CloudFront adds to /api/* requests, which the local gateway adds the same way."""
    name = spec.origin_verify_parameter
    try:
        document = json.loads(ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        document = {"header": "x-origin-verify", "values": [secrets.token_hex(32)]}
        ssm.put_parameter(
            Name=name,
            Description="Values of the X-Origin-Verify header CloudFront adds to /api/* requests (current, previous)",
            Type="SecureString",
            Value=json.dumps(document),
            Overwrite=True,
        )
    return str(document["header"]), str(document["values"][0])


# ---------------------------------------------------------------- CloudFront signing key


def _signing_key(ssm: Any, spec: ResourceSpec) -> tuple[str, str]:
    """RSA 2048 key in an SSM SecureString (as terraform stores it); the key pair id is derived from the public key."""
    name = spec.signing_key_parameter
    try:
        pem = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"].encode()
        private_key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise TypeError(f"{name} does not hold an RSA key")
    except ssm.exceptions.ParameterNotFound:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        ssm.put_parameter(
            Name=name,
            Description="Private key that signs CloudFront /media/* URLs (PEM)",
            Type="SecureString",
            Value=pem.decode(),
            Overwrite=True,
        )
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key_pair_id_for(public_pem), public_pem.decode()


def key_pair_id_for(public_pem: bytes) -> str:
    """A stable CloudFront-style public key id (``K`` + 13 base32 chars) for a public key."""
    digest = hashlib.sha256(public_pem).digest()
    return "K" + base64.b32encode(digest).decode()[:13]
