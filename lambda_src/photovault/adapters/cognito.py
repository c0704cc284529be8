"""Amazon Cognito implementation of ``UserDirectory``: the account's user, deleted by its ``sub`` (the pool signs in
with e-mail addresses, so each user's username is its sub)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from photovault.adapters.aws import call_aws, error_code

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

SERVICE = "Cognito"


class CognitoUsers:
    def __init__(self, client: CognitoIdentityProviderClient, user_pool_id: str) -> None:
        self._client = client
        self._pool = user_pool_id

    def delete_user(self, owner: str) -> bool:
        def delete() -> bool:
            try:
                self._client.admin_delete_user(UserPoolId=self._pool, Username=owner)
            except ClientError as exc:
                if error_code(exc) == "UserNotFoundException":
                    return False  # deleted by an earlier run of this step
                raise
            return True

        return call_aws(delete, SERVICE)
