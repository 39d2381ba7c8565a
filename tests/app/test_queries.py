"""The application's reads: one call per question on a Session; where the answers come from
(the view, or the events when a read-only store's view lags) chosen once, said in a note."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from scop_ledger.app import queries
from scop_ledger.app.exporting import export
from scop_ledger.app.ledger import Ledger
from scop_ledger.app.maintenance import rebuild
from scop_ledger.app.queries import LAGS, Query
from scop_ledger.app.session import Session
from scop_ledger.domain.errors import InvalidValue, NotFound
from scop_ledger.settings import Settings, chosen_coop
from scop_ledger.store.engine import ReadOnlyStore
from tests.helpers import acme, do, open_ledger

AS_OF = date(2020, 1, 1)


def _session(url: str, notes: list[str], *, read_only: bool = False) -> Session:
    return Session(Settings(url=url, user="tester", read_only=read_only), note=notes.append)


def _partners(url: str, *, view: bool = True) -> None:
    ledger = open_ledger(url, view=view)
    acme(ledger)
    for person in ("ann", "ben"):
        do(ledger, "hire", "2016-01-04", person=person)
        do(ledger, "admit", "2016-02-01", person=person)
        do(ledger, "subscribe", "2016-02-01", person=person, shares="10")
    do(ledger, "terminate", "2018-06-30", person="ben", reason="resignation")
    ledger.close()


def test_a_lagging_read_only_view_is_answered_from_the_events(sqlite_url: str) -> None:
    _partners(sqlite_url, view=False)
    known_at = datetime.now(UTC)
    notes: list[str] = []
    lagging = _session(sqlite_url, notes, read_only=True)
    from_events = [
        queries.capital(lagging, AS_OF, known_at),
        queries.refunds(lagging, AS_OF, known_at),
        queries.register(lagging, AS_OF, known_at),
        queries.compliance(lagging, AS_OF, known_at),
    ]
    history = queries.history(lagging, None, known_at)
    lagging.close()
    assert notes == [LAGS] * 5
    writer = _session(sqlite_url, notes := [])
    from_view = [
        queries.capital(writer, AS_OF, known_at),  # catches the view up first
        queries.refunds(writer, AS_OF, known_at),
        queries.register(writer, AS_OF, known_at),
        queries.compliance(writer, AS_OF, known_at),
    ]
    # Details: the view's stored text, the events' values; the same once written out.
    viewed = queries.history(writer, None, known_at)
    assert json.dumps(viewed.entries, default=str) == json.dumps(history.entries, default=str)
    writer.close()
    assert notes == []
    assert from_view == from_events
    assert history.coop == "acme" and [e["action"] for e in history.entries][:2] == ["init", "hire"]


def test_a_query_reads_the_view_once_it_is_level(sqlite_url: str) -> None:
    _partners(sqlite_url)
    session = _session(sqlite_url, [])
    with Query(session, AS_OF, None) as q:
        assert type(q.reader).__name__ == "ViewReader"
        assert q.slug == "acme" and q.slugs() == ["acme"]
        assert [m.person for m in q.snapshot().partners] == ["ann"]
    assert queries.members(session, AS_OF, None, eligible=True).members == []
    coops = queries.coops(session, AS_OF, None)
    assert [(c["coop"], c["partners"]) for c in coops.coops] == [("acme", 1)]
    sheet = queries.factsheet(session, 2019, None)
    assert sheet.as_of == date(2019, 12, 31) and sheet.partners == 1
    session.close()


def test_the_cooperative_a_command_means() -> None:
    def never() -> list[str]:
        raise AssertionError("--coop given: the store is not asked")

    assert chosen_coop("acme", never) == "acme"
    assert chosen_coop(None, lambda: ["acme"]) == "acme"
    with pytest.raises(NotFound, match="no cooperative yet"):
        chosen_coop(None, list)
    with pytest.raises(InvalidValue, match=r"2 cooperatives \(acme, bee\): pass --coop"):
        chosen_coop(None, lambda: ["acme", "bee"])


def test_timeline_refuses_an_unknown_rule_and_a_period_backwards(sqlite_url: str) -> None:
    _partners(sqlite_url)
    session = _session(sqlite_url, [])
    with pytest.raises(InvalidValue, match="unknown rule 'nope'"):
        queries.timeline(session, AS_OF, None, None, ("nope",))
    with pytest.raises(InvalidValue, match="is after --as-of"):
        queries.timeline(session, AS_OF, None, date(2021, 1, 1), ())
    session.close()


def test_rebuild_and_export(sqlite_url: str, tmp_path: Path) -> None:
    _partners(sqlite_url)
    with pytest.raises(ReadOnlyStore):
        rebuild(_session(sqlite_url, [], read_only=True), 1)
    session = _session(sqlite_url, [])
    done = rebuild(session, 1)
    assert done.events > 0 and done.unviewable is None
    with pytest.raises(InvalidValue, match="JSON Lines"):
        export(session, tmp_path / "out.csv", None)
    assert export(session, tmp_path / "out.jsonl", None) == 7
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 7
    session.close()


def test_partner_numbers_follow_first_admission_and_are_never_reused(store_url: str) -> None:
    ledger = open_ledger(store_url)
    acme(ledger)
    for person, hired in (("ann", "2016-01-04"), ("ben", "2016-01-04"), ("eve", "2016-03-01")):
        do(ledger, "hire", hired, person=person)
    do(ledger, "admit", "2016-03-01", person="ben")
    do(ledger, "admit", "2016-02-01", person="ann")  # back-dated: ann was admitted first
    do(ledger, "subscribe", "2016-03-01", person="ann", shares="2")
    do(ledger, "subscribe", "2016-03-01", person="ben", shares="2")
    do(ledger, "leave", "2017-06-30", person="ann", reason="resignation")
    do(ledger, "admit", "2017-09-01", person="cat", legal_person=True, name="Cat SA")
    do(ledger, "admit", "2018-01-15", person="ann")
    ledger.close()
    session = _session(store_url, [])

    def places(on: date) -> dict[str, tuple]:
        rows = queries.members(session, on, None).members
        return {m.person: (m.register_number, m.partner_since, m.former_partner) for m in rows}

    assert places(date(2016, 2, 15)) == {
        "ann": (1, date(2016, 2, 1), False),
        "ben": (None, None, False),
    }
    assert places(date(2017, 12, 31)) == {
        "ann": (1, None, True),
        "ben": (2, date(2016, 3, 1), False),
        "cat": (3, date(2017, 9, 1), False),
        "eve": (None, None, False),
    }
    # Re-admitted, ann keeps her number; her current partnership began on 2018-01-15.
    assert places(date(2018, 6, 30))["ann"] == (1, date(2018, 1, 15), False)
    session.close()


def test_register_numbers_entries_per_cooperative_and_shows_money_paid_in(
    store_url: str,
) -> None:
    ledger = open_ledger(store_url)
    acme(ledger)
    do(ledger, "init", "2016-01-01", slug="bees", name="Bees", legal_form="sas", share_value="10")
    ledger.close()
    ledger = Ledger(Settings(url=store_url, user="tester", coop="acme"))
    do(ledger, "hire", "2016-01-04", person="ann")
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="10", paid="100")
    do(ledger, "pay-up", "2016-06-01", person="ann", amount="50")
    do(ledger, "withdraw", "2017-01-10", person="ann", shares="2")
    ledger.close()
    session = Session(Settings(url=store_url, user="t", coop="acme"))
    register = queries.register(session, date(2017, 12, 31), None)
    capital = queries.capital(session, date(2017, 12, 31), None)
    session.close()
    rows = [(m.entry, m.nature, m.shares, str(m.amount)) for m in register.movements]
    # acme's entries: init 1, hire 2, admit 3, subscribe 4, pay-up 5, withdraw 6 (bees' init,
    # recorded between, is not one of them).
    assert rows == [
        (3, "admission", 0, "0.00"),
        (4, "subscription", 10, "250.00"),
        (4, "paid", 0, "100.00"),
        (5, "payment", 0, "50.00"),
        (6, "withdrawal", -2, "-50.00"),
    ]
    paid = sum(m.amount for m in register.movements if m.nature in ("payment", "paid"))
    assert (capital.amount, capital.paid_up, capital.uncalled) == (
        Decimal("200.00"),
        paid,
        Decimal("200.00") - paid,
    )
