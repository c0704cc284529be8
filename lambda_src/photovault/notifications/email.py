"""The opt-in "e-mail me when my photos are ready or need attention": one SNS e-mail subscription per owner on the
events topic, filtered to that owner's digests (``{"owner": [<sub>], "kind": ["digest"]}``), so no other user's
publish and no per-photo event ever reaches it. Turning it off, or deleting the account (:meth:`remove`),
unsubscribes; a subscription ended by the unsubscribe link in a mail is noticed on the next read."""

from __future__ import annotations

from dataclasses import dataclass

from photovault.errors import InvalidInput
from photovault.ports import EmailOptIn, NotificationRepository, Subscriptions


@dataclass(frozen=True, slots=True)
class EmailSetting:
    enabled: bool
    address: str | None = None


class EmailNotifications:
    def __init__(self, *, repo: NotificationRepository, subscriptions: Subscriptions) -> None:
        self._repo = repo
        self._subscriptions = subscriptions

    def get(self, owner: str) -> EmailSetting:
        opt_in = self._repo.opt_in(owner)
        if opt_in is None:
            return EmailSetting(enabled=False)
        if not self._subscriptions.exists(opt_in.subscription):
            self._repo.forget(owner)  # unsubscribed from a mail's link: the setting follows
            return EmailSetting(enabled=False)
        return EmailSetting(enabled=True, address=opt_in.address)

    def enable(self, owner: str, address: str | None) -> EmailSetting:
        """Subscribe the account's verified address (from the caller's token, never from the request body)."""
        if not address or "@" not in address:
            raise InvalidInput("Your account has no e-mail address to send to.", details={"field": "email"})
        address = address.strip().lower()
        current = self._repo.opt_in(owner)
        if current is not None and current.address == address and self._subscriptions.exists(current.subscription):
            return EmailSetting(enabled=True, address=address)
        subscription = self._subscriptions.subscribe(owner, address)
        self._repo.save_opt_in(owner, EmailOptIn(address=address, subscription=subscription))
        if current is not None and current.subscription != subscription:
            self._subscriptions.unsubscribe(current.subscription)
        return EmailSetting(enabled=True, address=address)

    def remove(self, owner: str) -> EmailSetting:
        """Opt out: the subscription and any pending digest go. Idempotent; account deletion calls this too."""
        current = self._repo.opt_in(owner)
        if current is not None:
            self._subscriptions.unsubscribe(current.subscription)
        self._repo.forget(owner)
        return EmailSetting(enabled=False)
