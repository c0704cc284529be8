"""Sign-out everywhere holds at the API, with real Cognito tokens (moto's user pool, verified against its JWKS as API
Gateway's JWT authorizer would): a token minted before the sign-out gets 401, one minted after works."""

from __future__ import annotations

import gzip
import json
import time
from importlib import resources
from typing import Any

import boto3
import pytest

from scripts.local_stack.jwt_auth import JwtVerifier, event_claims
from tests.integration.api.apitools import ApiResponse, invoke
from tests.integration.api.conftest import Stack
from tests.support.events import http_event

EMAIL, PASSWORD = "alice@example.com", "Correct-horse-1!"


def _moto_jwks(_url: str) -> dict[str, Any]:
    raw = resources.files("moto.cognitoidp").joinpath("resources/jwks-public.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))  # type: ignore[no-any-return]


class Pool:
    def __init__(self) -> None:
        self.idp = boto3.client("cognito-idp", region_name="eu-west-1")
        pool = self.idp.create_user_pool(PoolName="photovault-test", UsernameAttributes=["email"])["UserPool"]
        self.client_id = self.idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web")["UserPoolClient"][
            "ClientId"
        ]
        self.verifier = JwtVerifier(
            issuer=f"https://cognito-idp.eu-west-1.amazonaws.com/{pool['Id']}",
            audiences=[self.client_id],
            jwks_url="moto",
            fetch=_moto_jwks,
        )
        self.idp.sign_up(ClientId=self.client_id, Username=EMAIL, Password=PASSWORD)
        self.idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=EMAIL)

    def sign_in(self) -> dict[str, str]:
        result = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return {"access": result["AccessToken"], "id": result["IdToken"], "refresh": result["RefreshToken"]}

    def refresh(self, refresh_token: str) -> dict[str, str]:
        result = self.idp.initiate_auth(
            ClientId=self.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
        )["AuthenticationResult"]
        return {"access": result["AccessToken"], "id": result["IdToken"]}

    def call(self, method: str, path: str, token: str, body: Any = None) -> ApiResponse:
        """The request as the HTTP API hands it to the function after its JWT authorizer accepted ``token``."""
        claims = self.verifier.verify(token)
        event = http_event(method, path, sub=claims["sub"], body=body)
        event["requestContext"]["authorizer"]["jwt"]["claims"] = event_claims(claims)
        return invoke(event)


@pytest.fixture
def pool(stack: Stack) -> Pool:
    return Pool()


def _next_second(after: int) -> None:
    """``iat`` has whole seconds: a token minted in the sign-out's own second is refused by design."""
    while time.time() < after + 1:
        time.sleep(0.05)


def test_tokens_minted_before_sign_out_everywhere_get_401_and_tokens_minted_after_work(pool: Pool) -> None:
    before = pool.sign_in()
    assert pool.call("GET", "/photos", before["access"]).status == 200

    signed_out = pool.call("POST", "/account/sign-out-everywhere", before["access"], body={})
    assert signed_out.status == 200, signed_out.text

    for token in (before["access"], before["id"]):
        refused = pool.call("GET", "/photos", token)
        assert refused.status == 401 and refused.json["code"] == "unauthorized"
    _next_second(signed_out.json["tokens_valid_after"])
    after = pool.sign_in()
    assert pool.call("GET", "/photos", after["access"]).status == 200
    assert pool.call("GET", "/photos", after["id"]).status == 200


def test_keeping_this_session_signs_out_every_other_session_even_one_minted_in_the_same_second(pool: Pool) -> None:
    # After a password change or reset the client signs out everywhere else and carries on. The other device signed
    # in within the same second (iat cannot tell them apart): the kept session is named by its origin_jti instead.
    other_device = pool.sign_in()
    this_device = pool.sign_in()
    refreshed = pool.refresh(this_device["refresh"])

    kept = pool.call("POST", "/account/sign-out-everywhere", this_device["access"], body={"keep_this_session": True})
    assert kept.status == 200, kept.text

    for token in (this_device["access"], this_device["id"], refreshed["access"]):
        assert pool.call("GET", "/photos", token).status == 200
    for token in (other_device["access"], other_device["id"]):
        assert pool.call("GET", "/photos", token).status == 401


def test_a_later_sign_out_everywhere_ends_the_session_an_earlier_one_kept(pool: Pool) -> None:
    this_device = pool.sign_in()
    kept = pool.call("POST", "/account/sign-out-everywhere", this_device["access"], body={"keep_this_session": True})
    assert kept.status == 200, kept.text
    ended = pool.call("POST", "/account/sign-out-everywhere", this_device["access"], body={})
    assert ended.status == 200, ended.text
    assert pool.call("GET", "/photos", this_device["access"]).status == 401
