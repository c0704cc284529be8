"""One e-mail per burst of photos, not one per photo.

Why this shape: a burst of uploads finishes photo by photo in many worker invocations at once, and every step is
delivered at least once. So each finished photo only *adds itself* to the owner's pending digest — one conditional
write on the owner's notification item, a set add (a retried photo is not listed twice) that does nothing for
someone who has not opted in — and the first photo of a burst queues a *timer*: a delayed message on the jobs queue.
When the timer fires, :class:`SendDigest` sends one digest once the burst has been quiet for ``quiet_seconds``
(or has lasted ``max_wait_seconds``: a steady trickle still gets a mail); otherwise it queues the timer again for the
rest of the quiet period. Sending *claims* the pending photos first with a conditional write (``last_at`` unchanged,
no other send in flight) that moves them to ``sending`` under a lease, then publishes, then clears them. So:

- duplicate or concurrent timers: only one claim succeeds, the others find nothing to send;
- a photo arriving while the timer runs changes ``last_at``: the claim fails, and the timer waits again;
- a crash after the claim: the message is delivered again, finds the lease run out and sends the claimed photos;
- a lost timer (a crash between the write and the send of the message) is re-queued by the next photo.

SNS has no idempotency key on a standard topic, so only a crash between SNS accepting the digest and the clearing
write can repeat one digest — the same guarantee the per-photo event has.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from photovault.model import Photo, PhotoStatus
from photovault.ports import DigestMailer, DigestTimer, NotificationRepository, PendingDigest

ATTENTION = frozenset({PhotoStatus.REJECTED, PhotoStatus.QUARANTINED, PhotoStatus.FAILED})


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """When a digest goes out (after a quiet spell, or at the latest after the longest wait) and how much it lists."""

    quiet_seconds: int = 60
    max_wait_seconds: int = 900
    lease_seconds: int = 60
    max_entries: int = 200  # listed by name; more are counted (the item stays far below DynamoDB's 400 KB)


def entry(photo: Photo) -> str:
    """The photo as one set member: the same photo and outcome always give the same string."""
    return json.dumps([photo.photo_id, photo.status.value, photo.filename or ""], separators=(",", ":"))


def _read(raw: str) -> tuple[str, PhotoStatus, str]:
    photo_id, status, name = json.loads(raw)
    return str(photo_id), PhotoStatus(status), str(name or photo_id)


def compose(entries: Iterable[str], more: int = 0) -> tuple[str, str]:
    """The digest's subject and text: what is ready, what is already there, what needs attention."""
    photos = sorted((_read(raw) for raw in entries), key=lambda p: (p[2].lower(), p[0]))
    ready = [name for _, status, name in photos if status is PhotoStatus.READY]
    duplicate = [name for _, status, name in photos if status is PhotoStatus.DUPLICATE]
    attention = [(name, status) for _, status, name in photos if status in ATTENTION]
    total = len(photos) + more
    parts = [f"{len(ready)} ready"] if ready else []
    if attention:
        parts.append(f"{len(attention)} need{'s' if len(attention) == 1 else ''} attention")
    subject = f"PhotoVault: {total} photo{'s' if total != 1 else ''} processed" + (
        f" ({', '.join(parts)})" if parts else ""
    )
    lines: list[str] = []
    if ready:
        lines += [f"Ready ({len(ready)}):", *(f"- {name}" for name in ready), ""]
    if attention:
        lines += [f"Need attention ({len(attention)}):"]
        lines += [f"- {name}: {status.value.lower()}" for name, status in attention] + [""]
    if duplicate:
        lines += [f"Already in your library ({len(duplicate)}):", *(f"- {name}" for name in duplicate), ""]
    if more:
        lines.append(f"…and {more} more.")
    lines.append("Open PhotoVault to see them. You get this mail because you asked for it on your account page.")
    return subject[:100], "\n".join(lines).strip()


class DigestNotices:
    """The worker's side: a finished photo joins its owner's pending digest, and a burst's first photo starts the
    timer."""

    def __init__(
        self,
        *,
        repo: NotificationRepository,
        timer: DigestTimer,
        config: DigestConfig = DigestConfig(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repo = repo
        self._timer = timer
        self._config = config
        self._clock = clock

    def add(self, photo: Photo) -> bool:
        """True when the owner has opted in (the photo will be in a digest)."""
        now = int(self._clock())
        pending = self._repo.add_to_digest(photo.owner, entry(photo), now=now, max_entries=self._config.max_entries)
        if pending is None:
            return False
        # A timer is due when none was queued for this burst, or the queued one is long overdue (lost in a crash).
        overdue = self._config.quiet_seconds + self._config.max_wait_seconds + self._config.lease_seconds
        if pending.timer_at is None or now - pending.timer_at > overdue:
            self._timer.schedule(photo.owner, delay_seconds=self._config.quiet_seconds)
            self._repo.timer_queued(photo.owner, now=now)
        return True


class DigestOutcome(StrEnum):
    SENT = "sent"
    WAITING = "waiting"  # the burst goes on: the timer is queued again
    NOTHING = "nothing"  # nothing pending, or another delivery is sending it


class SendDigest:
    """The timer's side (in the jobs function): send the owner's pending photos as one digest, once."""

    def __init__(
        self,
        *,
        repo: NotificationRepository,
        timer: DigestTimer,
        mailer: DigestMailer,
        config: DigestConfig = DigestConfig(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repo = repo
        self._timer = timer
        self._mailer = mailer
        self._config = config
        self._clock = clock

    def __call__(self, owner: str) -> DigestOutcome:
        now = int(self._clock())
        seen = self._repo.pending(owner)
        if seen is None:
            return DigestOutcome.NOTHING
        if seen.sending_token is not None:
            return self._while_sending(owner, seen, now)
        if not seen.entries and not seen.more:
            return DigestOutcome.NOTHING
        wait = self._wait(seen, now)
        token = uuid.uuid4().hex
        if wait > 0 or not self._repo.claim_digest(owner, seen, token=token, lease_until=self._lease(now)):
            self._timer.schedule(owner, delay_seconds=max(1, wait or self._config.quiet_seconds))
            return DigestOutcome.WAITING
        return self._send(owner, seen.entries, seen.more, token)

    def _while_sending(self, owner: str, seen: PendingDigest, now: int) -> DigestOutcome:
        """A digest is being sent: take it over when its lease ran out (its sender died), or wait for it."""
        token = uuid.uuid4().hex
        if (seen.sending_until or 0) <= now and self._repo.take_over(
            owner, seen, token=token, lease_until=self._lease(now)
        ):
            return self._send(owner, seen.sending, seen.sending_more, token)
        if seen.entries or seen.more:  # photos of the next burst wait for this send to end
            self._timer.schedule(owner, delay_seconds=max(1, (seen.sending_until or now) - now + 1))
            return DigestOutcome.WAITING
        return DigestOutcome.NOTHING  # a live send holds it; if that one dies, its own redelivery resends

    def _lease(self, now: int) -> int:
        return now + self._config.lease_seconds

    def _wait(self, seen: PendingDigest, now: int) -> int:
        """Seconds until the burst counts as over: quiet long enough, or going on too long already."""
        quiet_left = (seen.last_at or now) + self._config.quiet_seconds - now
        patience_left = (seen.first_at or now) + self._config.max_wait_seconds - now
        return max(0, math.ceil(min(quiet_left, patience_left)))

    def _send(self, owner: str, entries: frozenset[str], more: int, token: str) -> DigestOutcome:
        subject, message = compose(entries, more)
        self._mailer.publish_digest(owner, subject=subject, message=message)
        self._repo.digest_sent(owner, token=token)
        return DigestOutcome.SENT


def digest_message(owner: str) -> str:
    """The timer's message on the jobs queue."""
    return json.dumps({"digest": owner})


def digest_owner(body: str) -> str | None:
    """The owner a jobs-queue message asks a digest for, or None when it is not a digest timer."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    owner = value.get("digest") if isinstance(value, dict) else None
    if not isinstance(owner, str) or not owner or "#" in owner or "/" in owner:
        return None
    return owner
