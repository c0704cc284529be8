"""Notifications that reach a person, on moto: the opt-in is an SNS e-mail subscription filtered to the owner's
digests, opting out (or the mail's unsubscribe link) removes it, and a burst of photos becomes one digest — once,
whatever the timer's duplicates, retries and crashes (the real DynamoDB adapter; the timer and SNS publish are
recorded)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from photovault.adapters.dynamodb.notifications import DynamoNotificationRepository
from photovault.model import PhotoStatus
from photovault.notifications.digest import DigestConfig, DigestNotices, DigestOutcome, SendDigest
from photovault.ports import EmailOptIn
from tests.integration.api.apitools import call, invoke
from tests.integration.api.conftest import EVENTS_TOPIC_ARN, TABLE, Stack
from tests.support.events import http_event
from tests.support.fakes import Clock, make_photo

OWNER, OTHER = "alice-0001", "bob-0002"
CONFIG = DigestConfig(quiet_seconds=30, max_wait_seconds=600, lease_seconds=60)


def opt_in(sub: str, address: str | None) -> Any:
    event = http_event("PUT", "/account/notifications", sub=sub, body={"email": True})
    if address:
        event["requestContext"]["authorizer"]["jwt"]["claims"]["email"] = address
    return invoke(event)


def subscriptions(sns: Any) -> list[dict[str, Any]]:
    return sns.list_subscriptions_by_topic(TopicArn=EVENTS_TOPIC_ARN)["Subscriptions"]


def test_opting_in_subscribes_the_accounts_address_filtered_to_the_owners_digests(
    stack: Stack, aws_clients: dict[str, Any]
) -> None:
    sns = aws_clients["sns"]
    answer = opt_in(OWNER, "Alice@Example.com")
    assert answer.status == 200 and answer.json == {"email": True, "address": "alice@example.com"}
    (subscription,) = subscriptions(sns)
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "alice@example.com")
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"owner": [OWNER], "kind": ["digest"]}
    assert opt_in(OWNER, "alice@example.com").json["email"] is True
    assert len(subscriptions(sns)) == 1  # asking twice subscribes once

    assert call("PUT", "/account/notifications", sub=OWNER, body={"email": False}).json == {
        "email": False,
        "address": None,
    }
    assert subscriptions(sns) == []
    assert call("GET", "/account/notifications", sub=OWNER).json == {"email": False, "address": None}


def test_the_unsubscribe_link_of_a_mail_turns_the_setting_off(stack: Stack, aws_clients: dict[str, Any]) -> None:
    sns = aws_clients["sns"]
    opt_in(OWNER, "alice@example.com")
    sns.unsubscribe(SubscriptionArn=subscriptions(sns)[0]["SubscriptionArn"])  # what the link in the mail does
    assert call("GET", "/account/notifications", sub=OWNER).json == {"email": False, "address": None}


def test_without_an_email_claim_opting_in_is_a_clear_400(stack: Stack) -> None:
    answer = opt_in(OWNER, None)  # an access token carries no e-mail: the web app sends its ID token
    assert answer.status == 400 and answer.json["details"]["field"] == "email"


# ---------------------------------------------------------------- the digest


@dataclass
class Timer:
    delays: list[tuple[str, int]] = field(default_factory=list)

    def schedule(self, owner: str, *, delay_seconds: int) -> None:
        self.delays.append((owner, delay_seconds))


@dataclass
class Mailer:
    sent: list[tuple[str, str, str]] = field(default_factory=list)
    fail_next: bool = False

    def publish_digest(self, owner: str, *, subject: str, message: str) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("SNS unreachable")
        self.sent.append((owner, subject, message))


@dataclass
class Digests:
    repo: DynamoNotificationRepository
    clock: Clock
    timer: Timer
    mailer: Mailer
    notices: DigestNotices
    send: SendDigest


@pytest.fixture
def digests(stack: Stack) -> Digests:
    repo = DynamoNotificationRepository(stack.dynamodb, TABLE)
    clock, timer, mailer = Clock(), Timer(), Mailer()
    repo.save_opt_in(OWNER, EmailOptIn(address="alice@example.com", subscription="arn:sub"))
    return Digests(
        repo,
        clock,
        timer,
        mailer,
        DigestNotices(repo=repo, timer=timer, config=CONFIG, clock=clock),
        SendDigest(repo=repo, timer=timer, mailer=mailer, config=CONFIG, clock=clock),
    )


def test_a_burst_of_ten_photos_is_one_digest_after_the_quiet_period(digests: Digests) -> None:
    photos = [make_photo(OWNER, filename=f"beach-{n:02d}.jpg") for n in range(9)]
    photos.append(make_photo(OWNER, filename="blurry.jpg", status=PhotoStatus.REJECTED))
    for photo in photos:
        assert digests.notices.add(photo)
        digests.clock.now += 1
    assert digests.notices.add(photos[0])  # a retried photo is listed once
    assert digests.timer.delays == [(OWNER, 30)]  # one timer for the burst

    digests.clock.now += 20  # the timer fires while the burst is still settling: it waits the rest of the quiet
    assert digests.send(OWNER) is DigestOutcome.WAITING
    assert digests.timer.delays[-1] == (OWNER, 10)
    digests.clock.now += 10
    assert digests.send(OWNER) is DigestOutcome.SENT
    assert digests.send(OWNER) is DigestOutcome.NOTHING  # the timer delivered twice: still one mail

    ((owner, subject, message),) = digests.mailer.sent
    assert owner == OWNER
    assert subject == "PhotoVault: 10 photos processed (9 ready, 1 needs attention)"
    assert all(f"- beach-{n:02d}.jpg" in message for n in range(9)) and "- blurry.jpg: rejected" in message

    digests.notices.add(make_photo(OWNER, filename="later.jpg"))  # the next burst starts its own timer and digest
    assert len(digests.timer.delays) == 3
    digests.clock.now += 30
    assert digests.send(OWNER) is DigestOutcome.SENT
    assert "later.jpg" in digests.mailer.sent[-1][2] and "beach" not in digests.mailer.sent[-1][2]


def test_a_photo_arriving_as_the_timer_claims_waits_for_the_next_claim_and_is_never_lost(digests: Digests) -> None:
    digests.notices.add(make_photo(OWNER, filename="first.jpg"))
    digests.clock.now += 30
    seen = digests.repo.pending(OWNER)
    assert seen is not None
    digests.notices.add(make_photo(OWNER, filename="second.jpg"))  # same second as the read
    assert not digests.repo.claim_digest(OWNER, seen, token="t", lease_until=int(digests.clock.now) + 60)
    assert digests.send(OWNER) is DigestOutcome.WAITING
    digests.clock.now += 30
    assert digests.send(OWNER) is DigestOutcome.SENT
    (sent,) = digests.mailer.sent
    assert "first.jpg" in sent[2] and "second.jpg" in sent[2]


def test_a_send_that_failed_is_sent_by_the_redelivery_once_its_lease_is_over(digests: Digests) -> None:
    digests.notices.add(make_photo(OWNER, filename="only.jpg"))
    digests.clock.now += 30
    digests.mailer.fail_next = True
    with pytest.raises(ConnectionError):
        digests.send(OWNER)
    digests.notices.add(make_photo(OWNER, filename="meanwhile.jpg"))  # joins the next digest, not the claimed one
    assert digests.timer.delays[-1] == (OWNER, 30)  # its own timer: the claim ended the first burst's
    digests.clock.now += 30
    assert digests.send(OWNER) is DigestOutcome.WAITING  # the failed send's lease still holds: try after it
    assert digests.timer.delays[-1] == (OWNER, 31)
    digests.clock.now += 31
    assert digests.send(OWNER) is DigestOutcome.SENT
    assert [("only.jpg" in m, "meanwhile.jpg" in m) for _, _, m in digests.mailer.sent] == [(True, False)]
    assert digests.send(OWNER) is DigestOutcome.SENT  # meanwhile.jpg's burst has been quiet long enough too
    assert "meanwhile.jpg" in digests.mailer.sent[-1][2]


def test_nobody_who_has_not_opted_in_gets_a_digest_or_a_timer(digests: Digests) -> None:
    assert not digests.notices.add(make_photo(OTHER))
    assert digests.timer.delays == []
    assert digests.send(OTHER) is DigestOutcome.NOTHING


def test_a_steady_trickle_still_gets_a_digest_after_the_longest_wait(digests: Digests) -> None:
    for _ in range(25):  # a photo every 25 s: never 30 s of quiet
        digests.notices.add(make_photo(OWNER))
        digests.clock.now += 25
    assert digests.send(OWNER) is DigestOutcome.SENT
