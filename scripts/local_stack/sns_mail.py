"""SNS e-mail subscriptions, locally: what SNS would e-mail lands in the local outbox.

moto accepts ``email`` subscriptions (confirmed at once, as the sign-up is) but sends nothing. :func:`install` makes
its delivery to an e-mail subscription put the message in the outbox instead — after moto's own filter-policy check,
so a subscription filtered on ``owner`` receives exactly what it would in AWS (tests rely on that). Idempotent, per
process (moto's state is per process too); the latest stack's outbox receives.
"""

from __future__ import annotations

import threading
from typing import Any

from scripts.local_stack.outbox import Outbox

_lock = threading.Lock()
_outbox: Outbox | None = None
_installed = False
EMAIL_PROTOCOLS = frozenset({"email", "email-json"})


def install(outbox: Outbox) -> None:
    global _outbox, _installed  # noqa: PLW0603 - one patch of moto per process, pointed at the running stack's outbox
    with _lock:
        _outbox = outbox
        if _installed:
            return
        from moto.sns.models import Subscription

        original = Subscription.publish

        def publish(self: Any, message: str, message_id: str, subject: str | None = None, **kwargs: Any) -> None:
            if self.protocol not in EMAIL_PROTOCOLS:
                return original(self, message, message_id, subject, **kwargs)
            matcher = getattr(self, "_filter_policy_matcher", None)
            if matcher is not None and not matcher.matches(kwargs.get("message_attributes"), message):
                return None
            if _outbox is not None:
                _outbox.send(to=str(self.endpoint).lower(), subject=subject or "PhotoVault", body=message)
            return None

        Subscription.publish = publish
        _installed = True
