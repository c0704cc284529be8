"""Amazon Cognito implementation of ``UserDirectory``: the account's user, found by its ``sub`` and deleted.

The user is looked up by ``sub`` rather than deleted by it as a user name: a user who signs in with an e-mail address
has its sub as user name, but one federated through the hosted UI (social sign-in) is named after its provider."""

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
        if not owner or '"' in owner or "\\" in owner:  # a sub is a UUID: nothing can escape the filter's quotes
            raise ValueError(f"not a user's sub: {owner!r}")

        def delete() -> bool:
            found = self._client.list_users(UserPoolId=self._pool, Filter=f'sub = "{owner}"', Limit=1)["Users"]
            if not found:
                return False  # deleted by an earlier run of this step
            try:
                self._client.admin_delete_user(UserPoolId=self._pool, Username=found[0]["Username"])
            except ClientError as exc:
                if error_code(exc) == "UserNotFoundException":
                    return False  # deleted meanwhile
                raise
            return True

        return call_aws(delete, SERVICE)
