"""Software-token (TOTP) MFA for the local Cognito proxy, checked for real.

moto gives every user the same fixed secret and accepts any code (unless a process-wide switch makes it check codes
against that one secret), so a wrong code would sign in locally where Cognito refuses it. :class:`TotpGuard` makes
the local stack behave like Cognito: AssociateSoftwareToken answers a fresh per-user secret, VerifySoftwareToken
and the ``SOFTWARE_TOKEN_MFA`` sign-in challenge are refused unless the code is that secret's RFC 6238 code
(:mod:`~scripts.local_stack.totp`), with Cognito's error names. moto then does the rest (the user's MFA state, the
challenge and its tokens). Secrets live in memory, like the rest of the emulator's state.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from scripts.local_stack import totp
from scripts.local_stack.responses import HttpResponse

_CONTENT_TYPE = "application/x-amz-json-1.1"
OPERATIONS = frozenset({"AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference"})


class TotpGuard:
    def __init__(self, *, cognito: Any, user_pool_id: str) -> None:
        self._cognito = cognito  # a boto3 cognito-idp client on the emulator
        self._user_pool_id = user_pool_id
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}  # moto user name -> the verified secret
        self._pending: dict[str, str] = {}  # moto user name -> the secret handed out, not verified yet
        self._sessions: dict[str, str] = {}  # an MFA_SETUP sign-in's session -> moto user name

    def before(self, operation: str, request: dict[str, Any]) -> HttpResponse | None:
        """A refusal as Cognito would answer it, or None to let the emulator answer."""
        if operation == "VerifySoftwareToken":
            user = self._user(request)
            with self._lock:
                secret = self._pending.get(user or "") or self._secrets.get(user or "")
            if user and not (secret and totp.verify(secret, str(request.get("UserCode", "")))):
                return refusal("EnableSoftwareTokenMFAException", "Code mismatch")
        if operation == "RespondToAuthChallenge" and request.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            answers = request.get("ChallengeResponses") or {}
            user = self._user_named(str(answers.get("USERNAME", "")))
            with self._lock:
                secret = self._secrets.get(user or "")
            if user and not (secret and totp.verify(secret, str(answers.get("SOFTWARE_TOKEN_MFA_CODE", "")))):
                return refusal("CodeMismatchException", "Invalid code received for user")
        return None

    def after(self, operation: str, request: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        """The emulator's successful ``answer``, with this guard's secret and its bookkeeping."""
        if operation == "AssociateSoftwareToken":
            user = self._user(request)
            if user:
                secret = totp.new_secret()
                with self._lock:
                    self._pending[user] = secret
                answer["SecretCode"] = secret
        elif operation == "VerifySoftwareToken":
            user = self._user(request)
            with self._lock:
                if user and user in self._pending:
                    self._secrets[user] = self._pending.pop(user)
                if user and answer.get("Session"):
                    self._sessions[str(answer["Session"])] = user
        elif operation == "SetUserMFAPreference":
            settings = request.get("SoftwareTokenMfaSettings") or {}
            user = self._user(request)
            if user and settings.get("Enabled") is False:
                with self._lock:
                    self._secrets.pop(user, None)  # turning it on again needs a new secret and a new code
        elif operation == "InitiateAuth" and answer.get("ChallengeName") == "MFA_SETUP":
            user = self._user_named(str((request.get("AuthParameters") or {}).get("USERNAME", "")))
            if user and answer.get("Session"):
                with self._lock:
                    self._sessions[str(answer["Session"])] = user
        return answer

    def _user(self, request: dict[str, Any]) -> str | None:
        """The moto user name behind an access token, or behind a sign-in session that sets up MFA."""
        if request.get("AccessToken"):
            try:
                return str(self._cognito.get_user(AccessToken=str(request["AccessToken"]))["Username"])
            except Exception:
                return None  # the emulator refuses the token itself
        with self._lock:
            return self._sessions.get(str(request.get("Session", "")))

    def _user_named(self, username: str) -> str | None:
        try:
            return str(self._cognito.admin_get_user(UserPoolId=self._user_pool_id, Username=username)["Username"])
        except Exception:
            return None


def refusal(kind: str, message: str) -> HttpResponse:
    body = json.dumps({"__type": kind, "message": message}).encode()
    return HttpResponse(400, [("content-type", _CONTENT_TYPE)], body)
