"""The general meeting's roll, on SQLite and PostgreSQL: every partner with their college and
vote weight (the 35% cap applied), and the law's limits on proxies at, just below and just
above twenty partners."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from scop_ledger.app import queries
from scop_ledger.app.session import Session
from scop_ledger.readmodel.compliance import max_proxies
from scop_ledger.settings import Settings
from tests.helpers import acme, do, open_ledger


@pytest.mark.parametrize(
    ("partners", "proxies"),
    [(2, 1), (19, 1), (20, 1), (21, 1), (39, 1), (40, 2), (41, 2), (100, 5)],
)
def test_proxies_one_below_twenty_partners_then_a_twentieth(partners, proxies):
    assert max_proxies(partners) == proxies


def test_the_roll_gives_colleges_weights_and_proxies(store_url: str) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        for person in ("ben", "ann"):
            do(ledger, "hire", "2016-01-01", person=person)
            do(ledger, "admit", "2016-01-01", person=person)
            do(ledger, "subscribe", "2016-01-01", person=person, shares="10")
        for person in ("fund", "bank"):
            do(ledger, "admit", "2016-01-01", person=person, legal_person=True)
            do(ledger, "subscribe", "2016-01-01", person=person, shares="20")
        do(ledger, "admit", "2016-02-01", person="Zoe")  # a partner holding no share
    finally:
        ledger.close()
    session = Session(Settings(url=store_url, user="tester"), note=lambda _: None)
    try:
        before = queries.roll(session, date(2016, 1, 15), None)
        after = queries.roll(session, date(2016, 2, 1), None)
    finally:
        session.close()
        from tests.readmodel.test_view import _drop

        _drop(open_ledger(store_url))
    # 2 employees, 2 externals: k = 0.35 * 2 / (0.65 * 2) = 0.5385.
    assert [(m.person, m.college, m.shares, m.votes) for m in before.members] == [
        ("ann", "employee", 10, Decimal("1.0000")),
        ("ben", "employee", 10, Decimal("1.0000")),
        ("bank", "external", 20, Decimal("0.5385")),
        ("fund", "external", 20, Decimal("0.5385")),
    ]
    assert (before.partners, before.max_proxies, before.proxy_holder) == (4, 1, "partner")
    # Zoe, with no share, still counts as a partner: the external weight falls to 0.3590.
    assert after.partners == 5 and after.external_weight == Decimal("0.3590")
    assert ("Zoe", "external", 0) in [(m.person, m.college, m.shares) for m in after.members]
    answer = json.loads(after.model_dump_json())
    assert set(answer) == {
        "coop",
        "as_of",
        "known_at",
        "partners",
        "external_weight",
        "proxy_holder",
        "max_proxies",
        "proxy_source",
        "members",
    }
    assert answer["members"][0] == {
        "person": "ann",
        "name": None,
        "college": "employee",
        "shares": 10,
        "votes": "1.0000",
    }
