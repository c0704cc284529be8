"""Plan-like assertions on hosting the single-page app: deep links, its files in the web bucket, /config.json."""

from __future__ import annotations

import json

from scripts.local_stack.config import VENDOR_ROOT
from scripts.local_stack.static import vendor_files
from tests.infra.conftest import ROOT, Plan

WEB_DIR = ROOT / "web"
SITE_SUFFIXES = {".html", ".css", ".js", ".svg"}


def test_spa_routes_are_rewritten_by_a_viewer_request_function_on_the_web_behaviour(plan: Plan) -> None:
    function = plan.one("aws_cloudfront_function", "module.cdn.aws_cloudfront_function.spa_rewrite")
    distribution = plan.one("aws_cloudfront_distribution", "module.cdn.aws_cloudfront_distribution.this")
    default = distribution["default_cache_behavior"]
    association = default["function_association"]

    assert function["runtime"] == "cloudfront-js-2.0"
    assert function["publish"] is True
    assert "/index.html" in function["code"]
    assert default["target_origin_id"] == "web"
    assert association["event_type"] == "viewer-request"
    assert association["function_arn"] == function["id"]
    # A custom error response would turn the API's own 403/404s into index.html.
    assert not distribution.get("custom_error_response")


def test_every_web_file_is_uploaded_with_its_content_type(plan: Plan) -> None:
    objects = plan.keyed("aws_s3_object", "module.web.aws_s3_object.this")
    expected = {path.relative_to(WEB_DIR).as_posix() for path in WEB_DIR.rglob("*") if path.suffix in SITE_SUFFIXES}

    assert {"index.html", "styles.css", "favicon.svg", "js/app.js", "js/config.js"} <= expected
    assert set(objects) == expected
    for key, item in objects.items():
        assert item["content_type"], key
        assert item["source_hash"], key
        assert item["server_side_encryption"] == "aws:kms", key
    assert objects["index.html"]["content_type"].startswith("text/html")
    assert objects["js/app.js"]["content_type"].startswith("text/javascript")  # ES modules need a JS MIME type
    assert objects["styles.css"]["content_type"].startswith("text/css")
    assert objects["favicon.svg"]["content_type"] == "image/svg+xml"


def test_the_packages_the_app_loads_are_uploaded_exactly_as_the_local_server_serves_them(plan: Plan) -> None:
    # web/vendor.json is the one list: Terraform uploads from node_modules what the local static server serves
    objects = plan.keyed("aws_s3_object", "module.web.aws_s3_object.vendor")
    served = vendor_files(WEB_DIR, VENDOR_ROOT)

    assert {"vendor/world-atlas/countries-50m.json", "vendor/topojson-client/src/index.js"} <= set(served)
    assert set(objects) == set(served)
    for key, item in objects.items():
        assert item["source_hash"] and item["server_side_encryption"] == "aws:kms", key
        assert item["content_type"].startswith("application/json" if key.endswith(".json") else "text/javascript"), key


def test_config_json_points_the_app_at_this_environments_user_pool(plan: Plan, workspace: str) -> None:
    pool = plan.one("aws_cognito_user_pool", "module.api.aws_cognito_user_pool.this")
    client = plan.one("aws_cognito_user_pool_client", "module.api.aws_cognito_user_pool_client.web")
    item = plan.one("aws_s3_object", "module.web.aws_s3_object.config")
    config = json.loads(item["content"])

    assert item["key"] == "config.json"
    assert item["content_type"] == "application/json"
    assert config["environment"] == workspace
    assert config["apiBaseUrl"] == "/api"
    assert config["maxUploadBytes"] > 0
    auth = config["auth"]
    assert auth["mode"] == "cognito"
    assert auth["userPoolId"] == pool["id"]
    assert auth["clientId"] == client["id"]
    assert auth["endpoint"] == f"https://cognito-idp.{auth['region']}.amazonaws.com/"
    assert auth["tokenUse"] == "id"
    assert auth["mfa"] == pool["mfa_configuration"]  # the account page offers, requires or hides TOTP accordingly
    # No workspace configures identity providers: no hosted UI, so the sign-in page shows no social buttons
    assert auth["hostedUi"] == {"url": "", "providers": []}
    assert plan.all("aws_cognito_user_pool_domain") == {} and plan.all("aws_cognito_identity_provider") == {}
