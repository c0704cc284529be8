"""Notifications on the emulator, end to end (issue 17's acceptance): opting in through the gateway creates an SNS
e-mail subscription whose filter lets only the owner's digests through (another user's publish does not reach it,
checked by moto's own filter-policy matcher); a burst of 10 uploads through the real API, worker and jobs function
yields exactly one digest in the local outbox, listing the 10 photos; opting out removes the subscription."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from scripts.local_stack.seed import DemoPhoto, upload
from scripts.local_stack.stack import LocalStack, StackOptions
from tests.integration.local_stack_fixture import sign_in, small_jpegs, token_sub, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-stack-notifications")]
PASSWORD = "Digest-password-1!"
BURST = 10


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # The burst counts as over after 15 s without a finished photo: far longer than the gap between two photos of
    # a burst even on a loaded machine (a shorter quiet period would, rightly, split the burst into two digests).
    options = StackOptions(seed=False, poll_wait_seconds=1, extra_environment={"DIGEST_QUIET_SECONDS": "15"})
    with LocalStack(options) as running:
        yield running


def new_user(stack: LocalStack) -> tuple[str, str]:
    """(e-mail, ID token) of a fresh confirmed user."""
    email = f"digest-{uuid.uuid4().hex[:8]}@example.com"
    idp = stack.client("cognito-idp")
    idp.sign_up(
        ClientId=stack.resources.user_pool_client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    idp.admin_confirm_sign_up(UserPoolId=stack.resources.user_pool_id, Username=email)
    return email, sign_in(stack, email, PASSWORD)["IdToken"]


def settings(stack: LocalStack, token: str, **body: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{stack.url}/api/account/notifications"
    answer = requests.put(url, json=body, headers=headers, timeout=30) if body else requests.get(url, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def mails(stack: LocalStack, to: str) -> list[dict[str, Any]]:
    return [m for m in requests.get(f"{stack.url}/_local/outbox", timeout=10).json()["messages"] if m["to"] == to]


def subscriptions(stack: LocalStack) -> list[dict[str, Any]]:
    sns = stack.client("sns")
    return sns.list_subscriptions_by_topic(TopicArn=stack.resources.events_topic_arn)["Subscriptions"]


def publish_digest(stack: LocalStack, owner: str, text: str) -> None:
    stack.client("sns").publish(
        TopicArn=stack.resources.events_topic_arn,
        Subject="PhotoVault digest",
        Message=text,
        MessageAttributes={
            "owner": {"DataType": "String", "StringValue": owner},
            "kind": {"DataType": "String", "StringValue": "digest"},
        },
    )


def jobs_queue_is_idle(stack: LocalStack) -> bool:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.resources.jobs_queue_url, AttributeNames=["All"]
    )["Attributes"]
    names = (
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    )
    return all(attributes[name] == "0" for name in names)


def test_opt_in_filter_burst_digest_and_opt_out(stack: LocalStack) -> None:
    alice, alice_token = new_user(stack)
    bob, bob_token = new_user(stack)
    assert settings(stack, alice_token) == {"email": False, "address": None}
    assert settings(stack, alice_token, email=True) == {"email": True, "address": alice}
    assert settings(stack, bob_token, email=True) == {"email": True, "address": bob}
    mine = [s for s in subscriptions(stack) if s["Endpoint"] == alice]
    assert len(mine) == 1 and mine[0]["Protocol"] == "email"
    policy = stack.client("sns").get_subscription_attributes(SubscriptionArn=mine[0]["SubscriptionArn"])
    assert json.loads(policy["Attributes"]["FilterPolicy"]) == {"owner": [token_sub(alice_token)], "kind": ["digest"]}

    # Another user's publish reaches that user only
    publish_digest(stack, token_sub(bob_token), "for bob")
    assert [m["body"] for m in mails(stack, bob)] == ["for bob"]
    assert mails(stack, alice) == []

    # A burst of 10 uploads: one digest, listing every photo (and no mail per photo)
    names, photos = [f"burst-{n:02d}.jpg" for n in range(BURST)], small_jpegs(BURST)
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda n: upload(stack.url, alice_token, DemoPhoto(names[n], photos[n])), range(BURST)))
    wait_until(lambda: mails(stack, alice), timeout=300, interval=0.5)
    wait_until(lambda: jobs_queue_is_idle(stack), timeout=60, interval=0.5)  # no timer left that could mail again
    (digest,) = mails(stack, alice)
    assert digest["subject"].startswith("PhotoVault: 10 photos processed")
    assert all(f"- {name}" in digest["body"] for name in names), digest["body"]
    assert [m["body"] for m in mails(stack, bob)] == ["for bob"]  # alice's burst mailed nobody else

    # Opting out removes the subscription: a digest published for alice reaches nobody
    assert settings(stack, alice_token, email=False) == {"email": False, "address": None}
    assert [s for s in subscriptions(stack) if s["Endpoint"] == alice] == []
    publish_digest(stack, token_sub(alice_token), "too late")
    assert len(mails(stack, alice)) == 1
