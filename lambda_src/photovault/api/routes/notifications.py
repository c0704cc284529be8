"""The caller's notification settings: opt in to (or out of) one e-mail digest per burst of photos."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from photovault import composition
from photovault.api.contract import NotificationSettings, NotificationSettingsRequest
from photovault.api.routing import E400, E415, JWT, PRIVATE, caller, ok
from photovault.notifications.email import EmailSetting

router = APIGatewayHttpRouter()


def _settings(setting: EmailSetting) -> NotificationSettings:
    return NotificationSettings(email=setting.enabled, address=setting.address)


def _address() -> str | None:
    """The account's e-mail from the verified ID token (the Cognito user name is the e-mail: it is verified)."""
    claims = router.current_event.request_context.authorizer.jwt_claim
    value = claims.get("email") if isinstance(claims, dict) else None
    return value if isinstance(value, str) else None


@router.get(
    "/account/notifications",
    summary="Notification settings: is the digest e-mailed, and to which address",
    tags=["account"],
    security=JWT,
    responses={**ok(200, NotificationSettings), **PRIVATE},
)
def get_notifications() -> NotificationSettings:
    return _settings(composition.email_notifications().get(caller(router)))


@router.put(
    "/account/notifications",
    summary="Opt in to or out of the e-mail digest (an SNS subscription filtered to the caller's digests)",
    tags=["account"],
    security=JWT,
    responses={**ok(200, NotificationSettings), **PRIVATE, **E400, **E415},
)
def put_notifications(body: NotificationSettingsRequest) -> NotificationSettings:
    service = composition.email_notifications()
    owner = caller(router)
    return _settings(service.enable(owner, _address()) if body.email else service.remove(owner))
