"""Job items on the single table: ``USER#<sub>`` / ``JOB#<id>`` (state, progress, checkpoint, outputs, lease) and the
job's input beside it (``JOBINPUT#<id>``, a compressed blob, so reading progress stays a small read). Every key is
built from the ``owner`` argument: one user can never read, claim or change another's job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError

from photovault import keys
from photovault.adapters.aws import aws_errors, cancellation_codes, error_code
from photovault.adapters.dynamodb.codec import deserialize, job_attributes, job_from_item, job_item, serialize
from photovault.adapters.dynamodb.table import CONDITION_FAILED, applied
from photovault.errors import Conflict
from photovault.jobs.model import Job, JobError, JobState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_DYNAMODB = "DynamoDB"
_UNFINISHED = {":queued": JobState.QUEUED.value, ":running": JobState.RUNNING.value}


class DynamoJobRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, owner: str, job_id: str) -> dict[str, Any]:
        return serialize({"pk": keys.user_pk(owner), "sk": keys.job_sk(job_id)})

    @aws_errors(_DYNAMODB)
    def create(self, job: Job, job_input: bytes) -> None:
        blob = {
            "pk": keys.user_pk(job.owner),
            "sk": keys.job_input_sk(job.job_id),
            "owner": job.owner,
            "job_id": job.job_id,
            "input": Binary(job_input),
            "expires_at": job.expires_at,
        }
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": serialize(item),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                    for item in (job_item(job), blob)
                ]
            )
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException" and "ConditionalCheckFailed" in cancellation_codes(
                exc
            ):
                raise Conflict("A job with this id already exists.") from exc
            raise

    @aws_errors(_DYNAMODB)
    def get(self, owner: str, job_id: str) -> Job | None:
        response = self._client.get_item(TableName=self._table, Key=self._key(owner, job_id), ConsistentRead=True)
        item = response.get("Item")
        return job_from_item(deserialize(item)) if item else None

    @aws_errors(_DYNAMODB)
    def read_input(self, owner: str, job_id: str) -> bytes:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize({"pk": keys.user_pk(owner), "sk": keys.job_input_sk(job_id)}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if not item:
            raise LookupError(f"job {job_id} has no input")
        return bytes(item["input"]["B"])

    @aws_errors(_DYNAMODB)
    def claim(self, owner: str, job_id: str, *, token: str, lease_until: int, now_epoch: int, now: str) -> Job | None:
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(owner, job_id),
                UpdateExpression="SET #state = :running, lease_token = :token, lease_until = :until, updated_at = :now",
                ConditionExpression=(
                    "attribute_exists(pk) AND #state IN (:queued, :running)"
                    " AND (attribute_not_exists(lease_until) OR lease_until < :epoch)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=serialize(
                    {**_UNFINISHED, ":token": token, ":until": lease_until, ":epoch": now_epoch, ":now": now}
                ),
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if error_code(exc) == CONDITION_FAILED:
                return None
            raise
        return job_from_item(deserialize(response["Attributes"]))

    @aws_errors(_DYNAMODB)
    def save(self, job: Job, *, token: str) -> bool:
        attributes = job_attributes(job)
        names = {f"#{name}": name for name in attributes}
        values = {f":{name}": value for name, value in attributes.items()}
        sets = ", ".join(f"#{name} = :{name}" for name in attributes)
        removes = ["lease_token", "lease_until"] + ([] if job.error is not None else ["#error"])
        if job.error is None:
            names["#error"] = "error"
        return applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(job.owner, job.job_id),
                UpdateExpression=f"SET {sets} REMOVE {', '.join(removes)}",
                ConditionExpression="lease_token = :lease",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=serialize({**values, ":lease": token}),
            )
        )

    @aws_errors(_DYNAMODB)
    def fail(self, owner: str, job_id: str, error: JobError, *, now: str) -> bool:
        return applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(owner, job_id),
                UpdateExpression=(
                    "SET #state = :failed, #error = :error, updated_at = :now REMOVE lease_token, lease_until"
                ),
                ConditionExpression="attribute_exists(pk) AND #state IN (:queued, :running)",
                ExpressionAttributeNames={"#state": "state", "#error": "error"},
                ExpressionAttributeValues=serialize(
                    {
                        **_UNFINISHED,
                        ":failed": JobState.FAILED.value,
                        ":error": {"code": error.code, "message": error.message},
                        ":now": now,
                    }
                ),
            )
        )

    @aws_errors(_DYNAMODB)
    def resume(self, owner: str, job_id: str, *, gave_up: str, now: str) -> bool:
        return applied(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._key(owner, job_id),
                UpdateExpression="SET #state = :running, updated_at = :now REMOVE #error, lease_token, lease_until",
                ConditionExpression="attribute_exists(pk) AND #state = :failed AND #error.code = :gave_up",
                ExpressionAttributeNames={"#state": "state", "#error": "error"},
                ExpressionAttributeValues=serialize(
                    {
                        ":running": JobState.RUNNING.value,
                        ":failed": JobState.FAILED.value,
                        ":gave_up": gave_up,
                        ":now": now,
                    }
                ),
            )
        )
