"""Server-side sign-out: a per-user "tokens valid after" time that the API checks on every request.

Cognito's ID and access tokens are self-contained JWTs: API Gateway's authorizer accepts them until ``exp`` whatever
happened since (sign-out, a new password, a reset by code). Cognito's GlobalSignOut kills the refresh tokens but not
the tokens already handed out, so the API itself refuses a token issued at or before the moment the user signed out
everywhere. ``iat`` has whole seconds: a token minted in that same second is refused too (the safe side — a client
that signs in again a second later is served).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from photovault.errors import Unauthorized
from photovault.ports import SessionRepository


class Sessions:
    def __init__(self, repo: SessionRepository, *, clock: Callable[[], float] = time.time) -> None:
        self._repo = repo
        self._clock = clock

    def check(self, owner: str, issued_at: int | None) -> None:
        """Refuse a token of ``owner`` issued at or before the user's last sign-out everywhere (one GetItem)."""
        valid_after = self._repo.tokens_valid_after(owner)
        if valid_after is None:
            return
        if issued_at is None or issued_at <= valid_after:
            raise Unauthorized("This session has been signed out. Sign in again.")

    def sign_out_everywhere(self, owner: str, *, keep_from: int | None = None) -> int:
        """Every token of ``owner`` issued until now stops working; with ``keep_from`` (the caller's own ``iat``),
        only those issued before it — the session that asks survives (after a password change or reset).
        Returns the new "tokens valid after" time. It never moves back: an older request cannot revive tokens."""
        valid_after = int(self._clock()) if keep_from is None else min(int(keep_from) - 1, int(self._clock()))
        return self._repo.revoke_until(owner, valid_after)
