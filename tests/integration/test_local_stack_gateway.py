"""The local gateway: API Gateway's JWT authorizer and payload 2.0 events, the Cognito proxy, config and the app."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from scripts.local_stack.config import REPO_ROOT, ResourceSpec
from scripts.local_stack.jwt_auth import IAT_SKEW_SECONDS
from scripts.local_stack.stack import LocalStack
from scripts.local_stack.static import spa_rewrite
from tests.integration import local_stack_fixture as fixtures
from tests.integration.local_stack_fixture import api_calls, emulator_signing_key, mint_jwt, sign_in

local_stack = fixtures.local_stack
SPA_REWRITE_JS = REPO_ROOT / "terraform" / "modules" / "cdn" / "functions" / "spa_rewrite.js"


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


def test_tokens_issued_in_the_future_or_longer_ago_than_their_lifetime_are_refused(local_stack: LocalStack) -> None:
    # moto's signing key is public: anyone can mint a token with a far-away exp, so iat must bound its life too.
    api_calls.clear()
    key, now = emulator_signing_key(), int(time.time())
    lifetime = local_stack.resources.token_lifetime_seconds
    refused = {
        "issued an hour from now": claims_for(local_stack, iat=now + 3600, exp=now + 7200),
        "issued beyond the clock skew": claims_for(local_stack, iat=now + IAT_SKEW_SECONDS + 30),
        "older than its lifetime, exp far away": claims_for(local_stack, iat=now - lifetime - 600, exp=now + 86400),
        "no iat": {k: v for k, v in claims_for(local_stack).items() if k != "iat"},
        "iat not a number": claims_for(local_stack, iat="yesterday"),
    }
    for reason, claims in refused.items():
        response = api(local_stack, "GET", "/api/photos", mint_jwt(claims, key))
        assert response.status_code == 401, reason
        assert response.json() == {"message": "Unauthorized"}, reason
    assert api_calls.events == []
    # Control: a clock a few seconds ahead, and a token near the end of its life, still pass.
    for claims in (claims_for(local_stack, iat=now + 5), claims_for(local_stack, iat=now - lifetime + 60)):
        assert api(local_stack, "GET", "/api/photos", mint_jwt(claims, key)).status_code == 200


def test_every_route_of_resources_json_is_served_with_its_authorization(local_stack: LocalStack) -> None:
    # The gateway takes its routes from terraform/resources.json, the description Terraform's routes come from.
    spec = ResourceSpec.load()
    for route, authorized in spec.api_routes:
        method, path = route.split(" ", 1)
        concrete = spec.api_route_prefix + path.replace("{id}", "p-1").replace("{token}", "t-1")
        response = api(local_stack, method, concrete)
        assert response.status_code == (401 if authorized else 200), route
        if not authorized:
            assert response.json()["event"]["routeKey"] == f"{method} {spec.api_route_prefix}{path}"


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


def test_the_gateway_adds_cloudfronts_origin_secret_and_replaces_a_clients_own(local_stack: LocalStack) -> None:
    header, value = local_stack.resources.origin_verify_header
    stored = local_stack.client("ssm").get_parameter(
        Name=local_stack.resources.origin_verify_parameter, WithDecryption=True
    )["Parameter"]["Value"]
    assert json.loads(stored) == {"header": header, "values": [value]}
    assert local_stack.resources.function_environment(media_base_url="x")["ORIGIN_VERIFY_PARAMETER"]

    event = api(local_stack, "GET", "/api/health", headers={header: "guessed"}).json()["event"]

    assert event["headers"][header] == value


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
    # Typed with capitals, as a phone's keyboard does: the pool is case-insensitive (resources.json, issue 17)
    username, password = f"New-{uuid.uuid4().hex[:8]}@Example.com", "Another-pass-42!"

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
    for typed in (username.lower(), username.upper()):
        again = cognito(
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": typed, "PASSWORD": password},
            },
        )
        assert again.status_code == 200, (typed, again.text)
    duplicate = cognito(
        "SignUp",
        {
            "ClientId": client_id,
            "Username": username.upper(),
            "Password": password,
            "UserAttributes": [{"Name": "email", "Value": username.upper()}],
        },
    )
    assert duplicate.status_code == 400 and duplicate.json()["__type"] == "UsernameExistsException"

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
    missing_asset = requests.get(f"{local_stack.url}/js/does-not-exist.js", timeout=10)
    escape = requests.get(f"{local_stack.url}/..%2f..%2fpyproject.toml", timeout=10)

    assert index.status_code == 200
    assert "text/html" in index.headers["content-type"]
    for deep_link in ("/photos/some-id", "/s/AbC-123_xyz", "/albums/summer/photos/p-1", "/search", "/shares/"):
        response = requests.get(f"{local_stack.url}{deep_link}", timeout=10)
        assert (response.status_code, response.text) == (200, index.text), deep_link
    assert requests.get(f"{local_stack.url}/favicon.svg", timeout=10).headers["content-type"].startswith("image/svg")
    assert missing_asset.status_code == 404
    assert "photovault" not in escape.text.lower() or escape.text == index.text


def test_the_maps_base_layer_and_its_reader_are_served_from_the_installed_packages(local_stack: LocalStack) -> None:
    atlas = requests.get(f"{local_stack.url}/vendor/world-atlas/countries-50m.json", timeout=10)
    reader = requests.get(f"{local_stack.url}/vendor/topojson-client/src/index.js", timeout=10)

    assert atlas.status_code == 200 and atlas.headers["content-type"].startswith("application/json")
    assert atlas.json()["type"] == "Topology" and "countries" in atlas.json()["objects"]
    assert reader.status_code == 200 and "javascript" in reader.headers["content-type"]
    assert 'export {default as feature} from "./feature.js"' in reader.text
    # Only what web/vendor.json lists: nothing else of node_modules, nor a way out of it
    for other in ("world-atlas/package.json", "world-atlas/land-10m.json", "eslint/package.json", "../package.json"):
        assert requests.get(f"{local_stack.url}/vendor/{other}", timeout=10).status_code == 404, other


def test_the_spa_rewrite_is_the_cloudfront_functions_rule() -> None:
    # The CloudFront function itself, run by node, against the gateway's rule on the same URIs.
    uris = ["/", "/index.html", "/s/tok", "/photos/abc", "/albums/a/b", "/js/app.js", "/a.b/c", "/v1.2", "/x/"]
    script = SPA_REWRITE_JS.read_text(encoding="utf-8") + (
        "\nconsole.log(JSON.stringify(" + json.dumps(uris) + ".map(u => handler({request: {uri: u}}).uri)));"
    )
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=30)

    assert json.loads(result.stdout) == [spa_rewrite(uri) for uri in uris]
