"""Sign-out everywhere: which tokens the API refuses afterwards."""

from __future__ import annotations

import pytest

from photovault.account.sessions import Sessions
from photovault.errors import Unauthorized
from tests.support.fakes import Clock, InMemorySessionRepository

NOW = 1_710_000_000


def sessions() -> Sessions:
    return Sessions(InMemorySessionRepository(), clock=Clock(float(NOW)))


def test_a_user_who_never_signed_out_everywhere_keeps_every_token() -> None:
    sessions().check("alice", NOW - 3000)


def test_tokens_issued_up_to_the_sign_out_second_are_refused_and_later_ones_pass() -> None:
    given = sessions()
    given.sign_out_everywhere("alice")
    for iat in (NOW - 600, NOW):
        with pytest.raises(Unauthorized):
            given.check("alice", iat)
    given.check("alice", NOW + 1)


def test_a_token_without_iat_is_refused_once_the_user_signed_out() -> None:
    given = sessions()
    given.sign_out_everywhere("alice")
    with pytest.raises(Unauthorized):
        given.check("alice", None)


def test_keeping_this_session_refuses_only_tokens_older_than_the_callers() -> None:
    given = sessions()
    given.sign_out_everywhere("alice", keep_from=NOW - 10)
    given.check("alice", NOW - 10)
    with pytest.raises(Unauthorized):
        given.check("alice", NOW - 11)


def test_another_users_sign_out_changes_nothing_for_this_one() -> None:
    given = sessions()
    given.sign_out_everywhere("bob")
    given.check("alice", NOW - 600)


def test_an_older_request_never_revives_tokens_a_later_sign_out_killed() -> None:
    given = sessions()
    given.sign_out_everywhere("alice")
    assert given.sign_out_everywhere("alice", keep_from=NOW - 100) == NOW
    with pytest.raises(Unauthorized):
        given.check("alice", NOW - 50)
