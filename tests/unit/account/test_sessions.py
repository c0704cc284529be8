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
    sessions().check("alice", NOW - 3000, None)


def test_tokens_issued_up_to_the_sign_out_second_are_refused_and_later_ones_pass() -> None:
    given = sessions()
    given.sign_out_everywhere("alice")
    for iat in (NOW - 600, NOW):
        with pytest.raises(Unauthorized):
            given.check("alice", iat, "some-session")
    given.check("alice", NOW + 1, "some-session")


def test_a_token_without_iat_is_refused_once_the_user_signed_out() -> None:
    given = sessions()
    given.sign_out_everywhere("alice")
    with pytest.raises(Unauthorized):
        given.check("alice", None, "some-session")


def test_keeping_this_session_keeps_only_the_callers_authentication_whatever_its_tokens_iat() -> None:
    given = sessions()
    given.sign_out_everywhere("alice", keep="this-device")
    for iat in (NOW - 3000, NOW):  # its first token, and one refreshed in the sign-out's own second
        given.check("alice", iat, "this-device")
    for origin in ("other-device", None):  # minted in the same second as the kept one, or without an origin
        with pytest.raises(Unauthorized):
            given.check("alice", NOW, origin)


def test_another_users_sign_out_changes_nothing_for_this_one() -> None:
    given = sessions()
    given.sign_out_everywhere("bob")
    given.check("alice", NOW - 600, None)


def test_an_older_sign_out_never_replaces_a_later_one() -> None:
    repo = InMemorySessionRepository()
    Sessions(repo, clock=Clock(float(NOW))).sign_out_everywhere("alice")
    late = Sessions(repo, clock=Clock(float(NOW - 100)))  # a request that took a long way round
    assert late.sign_out_everywhere("alice", keep="old-device") == NOW
    with pytest.raises(Unauthorized):
        late.check("alice", NOW - 50, "old-device")


def test_once_the_account_is_closing_every_token_is_refused_even_one_issued_later() -> None:
    given = sessions()
    given.close("alice", job_id="job-1", keep="this-device")
    for iat, origin in ((NOW - 60, "other-device"), (NOW + 3600, "new-sign-in"), (NOW + 3600, "this-device")):
        with pytest.raises(Unauthorized, match="deleted"):
            given.check("alice", iat, origin)
    given.check("bob", NOW - 60, "bobs-device")


def test_the_kept_session_may_only_follow_the_deletion_job() -> None:
    given = sessions()
    given.close("alice", job_id="job-1", keep="this-device")
    given.check("alice", NOW - 60, "this-device", reading_job="job-1")
    for origin, job in (("this-device", "job-2"), ("other-device", "job-1"), (None, "job-1")):
        with pytest.raises(Unauthorized):
            given.check("alice", NOW - 60, origin, reading_job=job)


def test_closing_twice_names_the_first_deletion_job() -> None:
    given = sessions()
    assert given.close("alice", job_id="job-1", keep=None) == "job-1"
    assert given.close("alice", job_id="job-2", keep=None) == "job-1"
    assert given.closing("alice") == "job-1" and given.closing("bob") is None
