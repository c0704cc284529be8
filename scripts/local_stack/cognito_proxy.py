"""``/cognito/``: the Cognito user-pools JSON API of the emulator on the web app's own origin.

Only the public, unauthenticated operations a browser uses pass (``Admin*`` never does). Locally there is no e-mail,
so a sign-up is confirmed at once and answered with ``UserConfirmed: true``, as Cognito answers for a pool that
auto-confirms; what Cognito would have e-mailed goes to the local outbox (:mod:`~scripts.local_stack.outbox`).

Forgot password is moto's own flow: ForgotPassword makes a code ``moto-confirmation-code:NNNNNN`` and returns it in
an ``x-moto-forgot-password-confirmation-code`` header. The proxy takes that header off the answer (a browser never
sees the code), puts the six digits in the outbox, and prefixes what the person types on ConfirmForgotPassword, so
moto checks it (moto accepts any code without its prefix). moto neither checks the new password there against the
pool's policy nor names a wrong code as Cognito does: the proxy does both (the policy is resources.json's).

The pool is case-insensitive (resources.json ``username_case_sensitive: false``, Cognito's
``username_configuration``): ``Alice@Example.com`` and ``alice@example.com`` are one account. moto matches user
names exactly, so the proxy does what Cognito does for such a pool: it lower-cases the user name (and the e-mail
that is the user name) in every operation that carries one.

Software-token MFA (enrolment on the account page, the ``SOFTWARE_TOKEN_MFA`` challenge at sign-in) passes too, with
per-user secrets and real code checks (:mod:`~scripts.local_stack.cognito_mfa`): moto's own accept any code.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from scripts.local_stack import cognito_mfa
from scripts.local_stack.outbox import Outbox
from scripts.local_stack.responses import HttpResponse, json_response

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
OPERATIONS = frozenset(
    {
        "InitiateAuth",
        "RespondToAuthChallenge",
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "GetUser",
        "ChangePassword",
        "GlobalSignOut",
        "RevokeToken",
        *cognito_mfa.OPERATIONS,
    }
)
_TARGET_PREFIX = "AWSCognitoIdentityProviderService."
_CONTENT_TYPE = "application/x-amz-json-1.1"
MOTO_CODE_HEADER = "x-moto-forgot-password-confirmation-code"
MOTO_CODE_PREFIX = "moto-confirmation-code:"
_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


class CognitoProxy:
    def __init__(
        self,
        *,
        emulator_url: str,
        user_pool_id: str,
        cognito: Any,
        case_sensitive: bool = False,
        outbox: Outbox | None = None,
        password_policy: dict[str, Any] | None = None,
    ) -> None:
        self.outbox = outbox or Outbox()
        # moto picks its region from the credential scope; a browser's call carries none (GlobalSignOut would look
        # for the token in us-east-1), so the proxy names the pool's region as a signed request would.
        region = user_pool_id.split("_", 1)[0]
        self._region_scope = f"AWS4-HMAC-SHA256 Credential=local/20000101/{region}/cognito-idp/aws4_request"
        self._policy = password_policy or {}
        self._case_sensitive = case_sensitive
        self._emulator_url = emulator_url
        self._user_pool_id = user_pool_id
        self._cognito = cognito  # a boto3 cognito-idp client on the emulator (for the auto-confirmation)
        self.totp = cognito_mfa.TotpGuard(cognito=cognito, user_pool_id=user_pool_id)

    def handle(self, headers: Sequence[tuple[str, str]], body: bytes) -> HttpResponse:
        target = next((v for k, v in headers if k.lower() == "x-amz-target"), "")
        operation = target.removeprefix(_TARGET_PREFIX)
        if not target.startswith(_TARGET_PREFIX) or operation not in OPERATIONS:
            return json_response(400, {"__type": "UnknownOperationException", "message": f"not allowed here: {target}"})
        if not self._case_sensitive:
            body = fold_username_case(operation, body)
        if operation == "ConfirmForgotPassword":
            refused, body = self._before_reset(body)
            if refused is not None:
                return refused
        request_fields = _fields(body)
        refused = self.totp.before(operation, request_fields)
        if refused is not None:
            return refused
        request = urllib.request.Request(
            f"{self._emulator_url}/",
            data=body,
            method="POST",
            headers={"Content-Type": _CONTENT_TYPE, "X-Amz-Target": target, "Authorization": self._region_scope},
        )
        code = None
        try:
            with urllib.request.urlopen(request, timeout=30) as upstream:
                status, payload = upstream.status, upstream.read()
                code = upstream.headers.get(MOTO_CODE_HEADER)
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        if status == 200 and (operation in cognito_mfa.OPERATIONS or b'"ChallengeName"' in payload):
            payload = json.dumps(self.totp.after(operation, request_fields, json.loads(payload))).encode()
        if operation == "SignUp" and status == 200:
            payload = self._auto_confirm(body, payload)
        if operation == "ForgotPassword" and status == 200 and code:
            self._send_reset_code(body, code)
        if operation == "ConfirmForgotPassword" and b"Invalid code provided" in payload:
            status, payload = (
                400,
                _error("CodeMismatchException", "Invalid verification code provided, please try again."),
            )
        return HttpResponse(status, [("content-type", _CONTENT_TYPE)], payload)

    def _send_reset_code(self, request_body: bytes, code: str) -> None:
        digits = code.removeprefix(MOTO_CODE_PREFIX)
        self.outbox.send(
            to=str(json.loads(request_body)["Username"]),
            subject="Your PhotoVault password reset code",
            body=f"Your code to reset your PhotoVault password is {digits}.",
            code=digits,
        )

    def _before_reset(self, body: bytes) -> tuple[HttpResponse | None, bytes]:
        """Check the new password against the pool's policy and prefix the code so that moto verifies it."""
        try:
            request = json.loads(body)
            password, code = str(request["Password"]), str(request["ConfirmationCode"])
        except (ValueError, KeyError, TypeError):
            return None, body  # the emulator answers a malformed request itself
        problem = password_problem(self._policy, password)
        if problem:
            return HttpResponse(
                400, [("content-type", _CONTENT_TYPE)], _error("InvalidPasswordException", problem)
            ), body
        request["ConfirmationCode"] = MOTO_CODE_PREFIX + code.strip()
        return None, json.dumps(request).encode()

    def _auto_confirm(self, request_body: bytes, payload: bytes) -> bytes:
        try:
            username = json.loads(request_body)["Username"]
            self._cognito.admin_confirm_sign_up(UserPoolId=self._user_pool_id, Username=username)
            self._cognito.admin_update_user_attributes(
                UserPoolId=self._user_pool_id,
                Username=username,
                UserAttributes=[{"Name": "email_verified", "Value": "true"}],
            )
            answer = json.loads(payload)
            self.outbox.send(
                to=str(username).lower(),
                subject="Welcome to PhotoVault",
                body="Your account is confirmed (locally, new accounts are confirmed at once: no code is needed).",
            )
            answer["UserConfirmed"] = True
            answer.pop("CodeDeliveryDetails", None)
            return json.dumps(answer).encode()
        except Exception:
            log.exception("auto-confirm failed")
            return payload


def _fields(body: bytes) -> dict[str, Any]:
    try:
        request = json.loads(body)
    except ValueError:
        return {}
    return request if isinstance(request, dict) else {}


def _error(kind: str, message: str) -> bytes:
    return json.dumps({"__type": kind, "message": message}).encode()


def password_problem(policy: dict[str, Any], password: str) -> str | None:
    """Why ``password`` breaks the pool's policy (Cognito API form: ``MinimumLength``, ``Require*``), or None."""
    rules = [
        (len(password) >= int(policy.get("MinimumLength", 0)), f"at least {policy.get('MinimumLength')} characters"),
        (not policy.get("RequireUppercase") or any(c.isupper() for c in password), "an upper-case letter"),
        (not policy.get("RequireLowercase") or any(c.islower() for c in password), "a lower-case letter"),
        (not policy.get("RequireNumbers") or any(c.isdigit() for c in password), "a number"),
        (not policy.get("RequireSymbols") or any(c in _SYMBOLS for c in password), "a symbol"),
    ]
    missing = [what for met, what in rules if not met]
    return "Password does not conform to policy: it needs " + ", ".join(missing) if missing else None


def fold_username_case(operation: str, body: bytes) -> bytes:
    """``body`` with its user name (and the e-mail attribute that is the user name) in lower case."""
    try:
        request = json.loads(body)
    except ValueError:
        return body  # the emulator answers a malformed body itself
    if not isinstance(request, dict):
        return body
    if isinstance(request.get("Username"), str):
        request["Username"] = request["Username"].lower()
    for block in ("AuthParameters", "ChallengeResponses"):
        values = request.get(block)
        if isinstance(values, dict) and isinstance(values.get("USERNAME"), str):
            values["USERNAME"] = values["USERNAME"].lower()
    for attribute in request.get("UserAttributes") or []:
        if isinstance(attribute, dict) and attribute.get("Name") == "email" and isinstance(attribute.get("Value"), str):
            attribute["Value"] = attribute["Value"].lower()
    return json.dumps(request).encode()
