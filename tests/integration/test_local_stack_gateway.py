"""The local gateway: API Gateway's JWT authorizer and payload 2.0 events, the Cognito proxy, config and the app."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from scripts.local_stack.stack import LocalStack
from tests.integration import local_stack_fixture as fixtures
from tests.integration.local_stack_fixture import api_calls, emulator_signing_key, mint_jwt, sign_in

local_stack = fixtures.local_stack


def api(stack: LocalStack, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, f"{stack.url}{path}", headers=headers, timeout=10, **kwargs)


def claims_for(stack: LocalStack, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": stack.resources.issuer,
        "sub": str(uuid.uuid4()),
        "aud": stack.resources.user_pool_client_id,
        "token_use": "id",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def demo_sub(stack: LocalStack) -> str:
    user = stack.client("cognito-idp").admin_get_user(
        UserPoolId=stack.resources.user_pool_id, Username=stack.resources.demo_username
    )
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def test_a_request_without_a_token_is_refused_before_the_function(local_stack: LocalStack) -> None:
    api_calls.clear()
    response = api(local_stack, "GET", "/api/photos")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert api_calls.events == []


def test_forged_expired_and_foreign_tokens_are_refused(local_stack: LocalStack) -> None:
    api_calls.clear()
    emulator_key = emulator_signing_key()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    genuine = sign_in(local_stack, local_stack.resources.demo_username, local_stack.resources.demo_password)["IdToken"]
    header, payload, signature = genuine.split(".")
    tampered_payload = fixtures.b64url(
        json.dumps({**json.loads(fixtures.b64url_decode(payload)), "sub": "someone-else"}).encode()
    )
    bad_tokens = {
        "signed by another key": mint_jwt(claims_for(local_stack), stranger),
        "payload changed after signing": f"{header}.{tampered_payload}.{signature}",
        "expired": mint_jwt(claims_for(local_stack, exp=int(time.time()) - 5), emulator_key),
        "other issuer": mint_jwt(
            claims_for(local_stack, iss="https://cognito-idp.eu-west-1.amazonaws.com/x"), emulator_key
        ),
        "other client": mint_jwt(claims_for(local_stack, aud="another-app"), emulator_key),
        "not a cognito token": mint_jwt(claims_for(local_stack, token_use="refresh"), emulator_key),
        "alg none": fixtures.b64url(json.dumps({"alg": "none", "kid": "dummy"}).encode()) + f".{payload}.",
        "garbage": "not-a-jwt",
    }
    for reason, token in bad_tokens.items():
        response = api(local_stack, "GET", "/api/photos", token)
        assert response.status_code == 401, reason
        assert "www-authenticate" in response.headers, reason
    assert api_calls.events == []
    # Control: the same minting with valid claims passes, so each refusal above is for its stated reason.
    assert api(local_stack, "GET", "/api/photos", mint_jwt(claims_for(local_stack), emulator_key)).status_code == 200


def test_a_valid_token_reaches_the_function_with_the_verified_sub_in_a_payload_2_event(local_stack: LocalStack) -> None:
    api_calls.clear()
    tokens = sign_in(local_stack, local_stack.resources.demo_username, local_stack.resources.demo_password)

    response = api(
        local_stack,
        "GET",
        "/api/photos/abc%20def?cursor=x&tag=a&tag=b",
        tokens["IdToken"],
        headers={"Cookie": "a=1; b=2", "X-Custom": "yes"},
    )

    assert response.status_code == 200
    event = response.json()["event"]
    assert response.json()["function_name"] == "photovault-local-api"
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /api/photos/{id}"
    assert event["rawPath"] == "/api/photos/abc%20def"
    assert event["rawQueryString"] == "cursor=x&tag=a&tag=b"
    assert event["queryStringParameters"] == {"cursor": "x", "tag": "a,b"}
    assert event["pathParameters"] == {"id": "abc def"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-custom"] == "yes"
    assert "cookie" not in event["headers"]
    assert event["isBase64Encoded"] is False
    http = event["requestContext"]["http"]
    assert (http["method"], http["path"], http["sourceIp"]) == ("GET", "/api/photos/abc%20def", "127.0.0.1")
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["sub"] == demo_sub(local_stack)
    assert claims["token_use"] == "id"
    assert all(isinstance(value, str) for value in claims.values())  # API Gateway stringifies every claim

    access = api(local_stack, "POST", "/api/uploads", tokens["AccessToken"], json={"filename": "a.jpg"}).json()["event"]
    assert access["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == claims["sub"]
    assert access["requestContext"]["authorizer"]["jwt"]["scopes"] == ["aws.cognito.signin.user.admin"]
    assert json.loads(access["body"]) == {"filename": "a.jpg"}


def test_public_routes_need_no_token_and_carry_no_claims(local_stack: LocalStack) -> None:
    for path, route in (
        ("/api/public/shares/tok123", "GET /api/public/shares/{token}"),
        ("/api/health", "GET /api/health"),
        ("/api/openapi.json", "GET /api/openapi.json"),
    ):
        response = api(local_stack, "GET", path)
        assert response.status_code == 200, path
        event = response.json()["event"]
        assert event["routeKey"] == route
        assert "authorizer" not in event["requestContext"]


def test_unknown_routes_are_404_like_api_gateway(local_stack: LocalStack) -> None:
    assert api(local_stack, "GET", "/api/nothing-here").status_code == 404
    assert api(local_stack, "PATCH", "/api/photos/x").status_code == 404


def test_config_json_tells_the_web_app_where_to_sign_in(local_stack: LocalStack) -> None:
    config = requests.get(f"{local_stack.url}/config.json", timeout=10).json()
    r = local_stack.resources
    assert config["apiBaseUrl"] == "/api"
    assert config["auth"]["userPoolId"] == r.user_pool_id
    assert config["auth"]["clientId"] == r.user_pool_client_id
    assert config["auth"]["region"] == r.region
    assert config["auth"]["endpoint"] == f"{local_stack.url}/cognito/"


def test_sign_up_through_the_cognito_proxy_is_confirmed_at_once(local_stack: LocalStack) -> None:
    endpoint = f"{local_stack.url}/cognito/"
    client_id = local_stack.resources.user_pool_client_id
    username, password = f"new-{uuid.uuid4().hex[:8]}@example.com", "Another-pass-42!"

    def cognito(operation: str, body: dict[str, Any]) -> requests.Response:
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
        }
        return requests.post(endpoint, data=json.dumps(body), headers=headers, timeout=10)

    signed_up = cognito(
        "SignUp",
        {
            "ClientId": client_id,
            "Username": username,
            "Password": password,
            "UserAttributes": [{"Name": "email", "Value": username}],
        },
    )
    assert signed_up.status_code == 200, signed_up.text
    assert signed_up.json()["UserConfirmed"] is True

    auth = cognito(
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        },
    )
    assert auth.status_code == 200, auth.text
    token = auth.json()["AuthenticationResult"]["IdToken"]
    assert api(local_stack, "GET", "/api/photos", token).status_code == 200

    wrong = cognito(
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": "nope"},
        },
    )
    assert wrong.status_code == 400
    assert wrong.json()["__type"] == "NotAuthorizedException"
    admin = cognito("AdminCreateUser", {"UserPoolId": local_stack.resources.user_pool_id, "Username": "x"})
    assert admin.status_code == 400  # only the public, unauthenticated operations pass


def test_the_single_page_app_is_served_with_a_fallback_for_client_routes(local_stack: LocalStack) -> None:
    index = requests.get(f"{local_stack.url}/", timeout=10)
    deep_link = requests.get(f"{local_stack.url}/photos/some-id", timeout=10)
    missing_asset = requests.get(f"{local_stack.url}/js/does-not-exist.js", timeout=10)
    escape = requests.get(f"{local_stack.url}/..%2f..%2fpyproject.toml", timeout=10)

    assert index.status_code == 200
    assert "text/html" in index.headers["content-type"]
    assert deep_link.text == index.text
    assert missing_asset.status_code == 404
    assert "photovault" not in escape.text.lower() or escape.text == index.text
