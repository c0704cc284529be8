"""``/cognito/``: the Cognito user-pools JSON API of the emulator on the web app's own origin.

Only the public, unauthenticated operations a browser uses pass (``Admin*`` never does). Locally there is no e-mail,
so a sign-up is confirmed at once and answered with ``UserConfirmed: true``, as Cognito answers for a pool that
auto-confirms.

The pool is case-insensitive (resources.json ``username_case_sensitive: false``, Cognito's
``username_configuration``): ``Alice@Example.com`` and ``alice@example.com`` are one account. moto matches user
names exactly, so the proxy does what Cognito does for such a pool: it lower-cases the user name (and the e-mail
that is the user name) in every operation that carries one.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

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
    }
)
_TARGET_PREFIX = "AWSCognitoIdentityProviderService."
_CONTENT_TYPE = "application/x-amz-json-1.1"


class CognitoProxy:
    def __init__(self, *, emulator_url: str, user_pool_id: str, cognito: Any, case_sensitive: bool = False) -> None:
        self._case_sensitive = case_sensitive
        self._emulator_url = emulator_url
        self._user_pool_id = user_pool_id
        self._cognito = cognito  # a boto3 cognito-idp client on the emulator (for the auto-confirmation)

    def handle(self, headers: Sequence[tuple[str, str]], body: bytes) -> HttpResponse:
        target = next((v for k, v in headers if k.lower() == "x-amz-target"), "")
        operation = target.removeprefix(_TARGET_PREFIX)
        if not target.startswith(_TARGET_PREFIX) or operation not in OPERATIONS:
            return json_response(400, {"__type": "UnknownOperationException", "message": f"not allowed here: {target}"})
        if not self._case_sensitive:
            body = fold_username_case(operation, body)
        request = urllib.request.Request(
            f"{self._emulator_url}/",
            data=body,
            method="POST",
            headers={"Content-Type": _CONTENT_TYPE, "X-Amz-Target": target},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as upstream:
                status, payload = upstream.status, upstream.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        if operation == "SignUp" and status == 200:
            payload = self._auto_confirm(body, payload)
        return HttpResponse(status, [("content-type", _CONTENT_TYPE)], payload)

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
            answer["UserConfirmed"] = True
            answer.pop("CodeDeliveryDetails", None)
            return json.dumps(answer).encode()
        except Exception:
            log.exception("auto-confirm failed")
            return payload


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
