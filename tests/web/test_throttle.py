"""Failed logins, counted (web/throttle.py): against a plain model over random sequences of
logins, and through the login page and ``POST /api/login`` of a writing server (TestClient, on
both back ends)."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scop_ledger.web.throttle import Throttle
from tests.web.test_writing import PASSWORD, token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# A step: seconds passing, then a login of a name from an address, good or not.
steps = st.lists(
    st.tuples(
        st.sampled_from([0.0, 0.0, 0.0, 1.0, 59.0, 300.0, 899.0, 900.0, 1800.0]),
        st.sampled_from(["10.0.0.1", "10.0.0.2"]),
        st.sampled_from(["claire", "Claire", "yannick", "zoe"]),
        st.booleans(),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_a_login_is_refused_exactly_when_too_many_failures_count(sequence) -> None:
    clock = Clock()
    throttle = Throttle(per_name=2, per_address=4, window=900.0, clock=clock)
    failures: list[tuple[float, str, str]] = []  # the model: every failure counted, kept
    forgotten: set[tuple[int, str, str]] = set()  # failures a success forgot (by index)
    for passing, address, name, good in sequence:
        clock.now += passing

        recent = [
            (k, at, a, n.casefold())
            for k, (at, a, n) in enumerate(failures)
            if at > clock.now - 900.0 and a == address
        ]
        by_address = [at for _k, at, _a, _n in recent]
        by_name = [
            at for k, at, a, n in recent if n == name.casefold() and (k, a, n) not in forgotten
        ]
        expected = 0.0
        if len(by_name) >= 2:
            expected = max(expected, by_name[-2] + 900.0 - clock.now)
        if len(by_address) >= 4:
            expected = max(expected, by_address[-4] + 900.0 - clock.now)
        wait = throttle.wait(address, name)
        assert wait == pytest.approx(expected, abs=1.0)
        assert (wait > 0) == (expected > 0)
        if wait:
            continue  # refused unchecked: neither a failure nor a success
        if good:
            throttle.succeeded(address, name)
            forgotten |= {
                (k, a, n.casefold())
                for k, (_at, a, n) in enumerate(failures)
                if a == address and n.casefold() == name.casefold()
            }
        else:
            throttle.failed(address, name)
            failures.append((clock.now, address, name))


def test_a_guesser_elsewhere_does_not_lock_out_the_user() -> None:
    throttle = Throttle(clock=Clock())
    for _ in range(50):
        if not throttle.wait("203.0.113.9", "claire"):
            throttle.failed("203.0.113.9", "claire")
    assert throttle.wait("203.0.113.9", "claire") > 0
    assert throttle.wait("203.0.113.9", "yannick") == 0  # 5 failures: the name's limit only
    assert throttle.wait("192.0.2.1", "claire") == 0


def test_guessing_many_names_from_one_address_is_stopped_too() -> None:
    throttle = Throttle(clock=Clock())
    for k in range(20):
        assert throttle.wait("203.0.113.9", f"user{k}") == 0
        throttle.failed("203.0.113.9", f"user{k}")
    assert throttle.wait("203.0.113.9", "someone-else") == 900


def test_logging_in_as_oneself_does_not_clear_what_one_guessed() -> None:
    throttle = Throttle(clock=Clock())
    for k in range(19):
        throttle.failed("203.0.113.9", f"user{k}")
    throttle.failed("203.0.113.9", "mallory")
    throttle.succeeded("203.0.113.9", "mallory")
    assert throttle.wait("203.0.113.9", "claire") == 900


def test_memory_is_bounded() -> None:
    throttle = Throttle(keys=100, clock=Clock())
    for k in range(1000):
        throttle.failed(f"10.0.{k // 256}.{k % 256}", "claire")
    assert len(throttle._failures) <= 100


# Through the server.


@pytest.fixture
def writer(store_url: str):
    from starlette.testclient import TestClient

    from scop_ledger.app import users
    from scop_ledger.app.session import Session
    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app

    session = Session(Settings(url=store_url))
    try:
        users.add(session, "claire", PASSWORD)
    finally:
        session.close()
    with TestClient(create_app(Settings(url=store_url, user="os-user"), write=True)) as client:
        yield client


def test_the_login_page_refuses_a_sixth_wrong_password_without_checking_it(writer) -> None:
    csrf = token(writer.get("/login?lang=fr").text)
    for _ in range(5):
        wrong = {"csrf": csrf, "name": "claire", "password": "not it at all"}
        assert writer.post("/login", data=wrong).status_code == 401
    right = {"csrf": csrf, "name": "claire", "password": PASSWORD}
    refused = writer.post("/login", data=right, follow_redirects=False)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 900
    assert "trop d'échecs de connexion : réessayez dans 15 minutes" in html.unescape(refused.text)
    assert "claire" not in writer.get("/api/session").text


def test_the_api_login_is_counted_with_the_page_and_forgets_after_a_success(writer) -> None:
    credentials = {"name": "claire", "password": PASSWORD}
    for _ in range(4):
        assert (
            writer.post("/api/login", json={**credentials, "password": "nope"}).status_code == 401
        )
    assert writer.post("/api/login", json=credentials).status_code == 200  # the fifth: right
    for _ in range(5):  # its success forgot the four
        assert (
            writer.post("/api/login", json={**credentials, "password": "nope"}).status_code == 401
        )
    refused = writer.post("/api/login", json=credentials)
    assert refused.status_code == 429
    assert refused.json() == {"error": "too many failed logins: try again in 15 minutes"}
    assert 890 < int(refused.headers["retry-after"]) <= 900
