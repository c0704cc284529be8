"""The caller's account: sign out everywhere (every token issued until now stops working at this API)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from photovault import composition
from photovault.api.contract import SignedOut, SignOutRequest
from photovault.api.routing import E415, JWT, PRIVATE, caller, ok, token_origin

router = APIGatewayHttpRouter()


@router.post(
    "/account/sign-out-everywhere",
    summary="Sign out everywhere: tokens issued until now are refused (the client also calls Cognito GlobalSignOut)",
    tags=["account"],
    security=JWT,
    responses={**ok(200, SignedOut), **PRIVATE, **E415},
)
def sign_out_everywhere(body: SignOutRequest) -> SignedOut:
    keep = token_origin(router) if body.keep_this_session else None
    valid_after = composition.api().sessions.sign_out_everywhere(caller(router), keep=keep)
    return SignedOut(tokens_valid_after=valid_after)
