"""Server-side sign-out: a per-user "tokens valid after" time that the API checks on every request.

Cognito's ID and access tokens are self-contained JWTs: API Gateway's authorizer accepts them until ``exp`` whatever
happened since (sign-out, a new password, a reset by code). Cognito's GlobalSignOut kills the refresh tokens but not
the tokens already handed out, so the API itself refuses a token issued at or before the moment the user signed out
everywhere. ``iat`` has whole seconds: a token minted in that same second is refused too (the safe side — a client
that signs in again a second later is served).

After a new password the caller's own session stays (``keep_this_session``): it is named by its ``origin_jti`` —
Cognito's id for one authentication, carried by every ID and access token minted from it, refreshes included — not
by a time, because a time of whole seconds cannot tell the new session from an old one minted in the same second.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from photovault.errors import Unauthorized
from photovault.model import SignOut
from photovault.ports import SessionRepository


class Sessions:
    def __init__(self, repo: SessionRepository, *, clock: Callable[[], float] = time.time) -> None:
        self._repo = repo
        self._clock = clock

    def check(self, owner: str, issued_at: int | None, origin: str | None) -> None:
        """Refuse a token of ``owner`` issued at or before the user's last sign-out everywhere, unless it belongs to
        the session that sign-out kept (one GetItem)."""
        signed_out = self._repo.signed_out(owner)
        if signed_out is None:
            return
        if issued_at is not None and issued_at > signed_out.valid_after:
            return
        if signed_out.kept is not None and origin == signed_out.kept:
            return
        raise Unauthorized("This session has been signed out. Sign in again.")

    def sign_out_everywhere(self, owner: str, *, keep: str | None = None) -> int:
        """Every token of ``owner`` issued until now stops working, except those of the session ``keep`` names (the
        caller's ``origin_jti``, after a password change or reset). Returns the stored "tokens valid after" time: it
        never moves back, so an older request cannot revive tokens a later sign-out killed."""
        return self._repo.revoke_until(owner, SignOut(valid_after=int(self._clock()), kept=keep)).valid_after
