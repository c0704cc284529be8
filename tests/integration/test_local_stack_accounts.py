"""Forgot password and TOTP MFA through the local Cognito proxy: moto's own reset code reaches the local outbox (never
the browser), a wrong code or a weak password is refused as Cognito refuses them, and the new password signs in; a
TOTP code must come from the user's own secret, at enrolment and at sign-in."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import requests

from scripts.local_stack import totp
from scripts.local_stack.cognito_proxy import MOTO_CODE_HEADER
from scripts.local_stack.stack import LocalStack
from tests.integration import local_stack_fixture as fixtures

local_stack = fixtures.local_stack
OLD, NEW = "First-password-1!", "Second-password-2?"


def cognito(stack: LocalStack, operation: str, **body: Any) -> requests.Response:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
    }
    body["ClientId"] = stack.resources.user_pool_client_id
    return requests.post(f"{stack.url}/cognito/", data=json.dumps(body), headers=headers, timeout=10)


def sign_in(stack: LocalStack, email: str, password: str) -> requests.Response:
    return cognito(
        stack, "InitiateAuth", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": password}
    )


def outbox(stack: LocalStack, to: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{stack.url}/_local/outbox", timeout=10)
    assert answer.status_code == 200
    return [m for m in answer.json()["messages"] if m["to"] == to.lower()]


def test_a_password_is_reset_with_the_code_from_the_outbox(local_stack: LocalStack) -> None:
    email = f"Reset-{uuid.uuid4().hex[:8]}@Example.com"
    signed_up = cognito(
        local_stack, "SignUp", Username=email, Password=OLD, UserAttributes=[{"Name": "email", "Value": email}]
    )
    assert signed_up.status_code == 200, signed_up.text
    assert [m["subject"] for m in outbox(local_stack, email)] == ["Welcome to PhotoVault"]

    asked = cognito(local_stack, "ForgotPassword", Username=email.upper())
    assert asked.status_code == 200, asked.text
    assert MOTO_CODE_HEADER not in asked.headers  # the code goes to the mailbox, not to whoever asked
    assert asked.json()["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    (mail,) = [m for m in outbox(local_stack, email) if m["code"]]
    assert mail["code"].isdigit() and len(mail["code"]) == 6 and mail["code"] in mail["body"]

    wrong_code = "000000" if mail["code"] != "000000" else "111111"
    wrong = cognito(local_stack, "ConfirmForgotPassword", Username=email, Password=NEW, ConfirmationCode=wrong_code)
    assert wrong.status_code == 400 and wrong.json()["__type"] == "CodeMismatchException"
    code = mail["code"]
    weak = cognito(local_stack, "ConfirmForgotPassword", Username=email, Password="short", ConfirmationCode=code)
    assert weak.status_code == 400 and weak.json()["__type"] == "InvalidPasswordException"
    assert sign_in(local_stack, email, OLD).status_code == 200  # neither attempt changed anything

    reset = cognito(local_stack, "ConfirmForgotPassword", Username=email, Password=NEW, ConfirmationCode=mail["code"])
    assert reset.status_code == 200, reset.text
    assert sign_in(local_stack, email.lower(), NEW).status_code == 200
    old = sign_in(local_stack, email, OLD)
    assert old.status_code == 400 and old.json()["__type"] == "NotAuthorizedException"
    again = cognito(local_stack, "ConfirmForgotPassword", Username=email, Password=OLD, ConfirmationCode=mail["code"])
    assert again.status_code == 400  # a code works once


def test_totp_mfa_needs_the_code_of_the_users_own_secret_at_enrolment_and_at_sign_in(local_stack: LocalStack) -> None:
    email = f"Mfa-{uuid.uuid4().hex[:8]}@example.com"
    cognito(local_stack, "SignUp", Username=email, Password=OLD, UserAttributes=[{"Name": "email", "Value": email}])
    access = sign_in(local_stack, email, OLD).json()["AuthenticationResult"]["AccessToken"]

    secret = cognito(local_stack, "AssociateSoftwareToken", AccessToken=access).json()["SecretCode"]
    other = cognito(local_stack, "AssociateSoftwareToken", AccessToken=access).json()["SecretCode"]
    assert secret != other and len(other) == 32  # a fresh secret each time, not moto's one fixed secret
    secret = other
    wrong = totp.code_at(secret, time.time() + 300)
    refused = cognito(local_stack, "VerifySoftwareToken", AccessToken=access, UserCode=wrong)
    assert refused.status_code == 400 and refused.json()["__type"] == "EnableSoftwareTokenMFAException"
    right = totp.code_at(secret, time.time())
    verified = cognito(local_stack, "VerifySoftwareToken", AccessToken=access, UserCode=right)
    assert verified.status_code == 200 and verified.json()["Status"] == "SUCCESS"
    on = {"Enabled": True, "PreferredMfa": True}
    assert cognito(local_stack, "SetUserMFAPreference", AccessToken=access, SoftwareTokenMfaSettings=on).ok

    challenge = sign_in(local_stack, email.upper(), OLD).json()
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in challenge

    def answer(code: str) -> requests.Response:
        responses = {"USERNAME": email.upper(), "SOFTWARE_TOKEN_MFA_CODE": code}
        return cognito(
            local_stack,
            "RespondToAuthChallenge",
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses=responses,
        )

    bad = answer(wrong)
    assert bad.status_code == 400 and bad.json()["__type"] == "CodeMismatchException"
    good = answer(totp.code_at(secret, time.time()))
    assert good.status_code == 200 and good.json()["AuthenticationResult"]["AccessToken"]

    off = {"Enabled": False, "PreferredMfa": False}
    assert cognito(local_stack, "SetUserMFAPreference", AccessToken=access, SoftwareTokenMfaSettings=off).ok
    assert "AuthenticationResult" in sign_in(local_stack, email, OLD).json()
