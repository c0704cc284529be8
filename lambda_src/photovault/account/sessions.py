"""Server-side sign-out: a per-user "tokens valid after" time that the API checks on every request — and the
tombstone of an account being deleted, which refuses every token of it.

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

# How long a deleted account's tombstone refuses its tokens: far beyond any token's lifetime (ID and access tokens last
# an hour at most; AdminDeleteUser revokes the refresh tokens) and beyond any deletion's run (steps are bounded).
TOMBSTONE_SECONDS = 7 * 86_400


class Sessions:
    def __init__(self, repo: SessionRepository, *, clock: Callable[[], float] = time.time) -> None:
        self._repo = repo
        self._clock = clock

    def check(self, owner: str, issued_at: int | None, origin: str | None, *, reading_job: str | None = None) -> None:
        """Refuse a token of ``owner`` issued at or before the user's last sign-out everywhere, unless it belongs to
        the session that sign-out kept (one read). While and after the account is deleted every token is refused,
        except the kept session's reads of the deletion job (``reading_job``: the request is GET /jobs/{that id})."""
        signed_out = self._repo.signed_out(owner)
        if signed_out is None:
            return
        if signed_out.closing is not None:
            if reading_job == signed_out.closing and origin is not None and origin == signed_out.kept:
                return
            raise Unauthorized("This account has been deleted.")
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

    def close(self, owner: str, *, job_id: str, keep: str | None) -> str:
        """The account is being deleted by ``job_id``: from now on no token of ``owner`` works (nothing can be created
        while the deletion runs, nor by a token that outlives it), except ``keep``'s reads of that job. Idempotent;
        returns the deletion job the tombstone names (an earlier request's, when there was one)."""
        now = int(self._clock())
        stored = self._repo.close(
            owner, SignOut(valid_after=now, kept=keep, closing=job_id), expires_at=now + TOMBSTONE_SECONDS
        )
        return stored.closing or job_id

    def closing(self, owner: str) -> str | None:
        """The job deleting the account, if one was started."""
        signed_out = self._repo.signed_out(owner)
        return signed_out.closing if signed_out else None
