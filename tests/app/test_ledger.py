"""The Ledger application on a real store: the same suite on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scop_ledger.app import commands as cmd
from scop_ledger.app.ledger import BatchError
from scop_ledger.domain.errors import InvalidValue, NotFound, Refused
from scop_ledger.readmodel.history import history_from_events
from tests.helpers import D, acme, do, event_count, open_ledger


@pytest.fixture
def ledger(store_url: str):
    ledger = open_ledger(store_url)
    acme(ledger)
    yield ledger
    ledger.close()


def test_every_command_records_an_entry_with_its_id(ledger) -> None:
    ids = [
        do(ledger, "hire", "2016-01-01", person="alice", name="Alice Martin").event,
        do(ledger, "admit", "2016-02-01", person="alice").event,
        do(ledger, "subscribe", "2016-02-01", person="alice", shares="40", paid="500").event,
        do(ledger, "pay-up", "2016-03-01", person="alice", amount="500").event,
        do(ledger, "withdraw", "2017-01-01", person="alice", shares="10").event,
        do(ledger, "pay-refund", "2017-02-01", person="alice", amount="250").event,
        do(ledger, "appoint", "2016-02-01", person="alice", office="manager", term_years="4").event,
        do(ledger, "end-mandate", "2017-02-01", person="alice", office="manager").event,
        do(ledger, "review", "2018-06-30", reviewer="URSCOP").event,
        do(
            ledger,
            "allocate",
            "2017-06-30",
            year="2016",
            surplus="1000",
            legal_reserve="160",
            development_fund="240",
            employees="450",
            dividends="150",
        ).event,
        do(ledger, "change-form", "2019-01-01", legal_form="sas").event,
    ]
    left = do(ledger, "leave", "2020-01-31", person="alice", reason="resignation")
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    assert [a for _, a in left.consequences] == ["terminate"]
    history = history_from_events(ledger, "acme")
    assert [h["action"] for h in history] == [
        "init",
        "hire",
        "admit",
        "subscribe",
        "pay-up",
        "withdraw",
        "pay-refund",
        "appoint",
        "end-mandate",
        "review",
        "allocate",
        "change-form",
        "leave",
        "terminate",
    ]
    assert all(h["recorded_by"] == "tester" for h in history)
    assert all(h["recorded_at"].utcoffset() is not None for h in history)
    assert {h["id"] for h in history} >= set(ids)
    alice = ledger.member("acme", "alice").state(ledger.cooperative("acme").terms)
    assert (alice.partner, alice.employed, alice.refund_outstanding) == (
        False,
        False,
        Decimal("750.00"),
    )


REFUSALS = [
    ("subscribe", {"person": "bob", "shares": "1"}, Refused, "not a partner"),
    ("withdraw", {"person": "alice", "shares": "40"}, Refused, "must leave"),
    ("withdraw", {"person": "alice", "shares": "41"}, Refused, "must leave"),
    ("subscribe", {"person": "alice", "shares": "1", "paid": "26"}, InvalidValue, "more than"),
    ("pay-up", {"person": "alice", "amount": "1"}, Refused, "owes only 0.00"),
    ("pay-refund", {"person": "alice", "amount": "1"}, Refused, "owed 0.00"),
    ("admit", {"person": "alice"}, Refused, "already a partner"),
    ("hire", {"person": "alice"}, Refused, "already employed"),
    (
        "hire",
        {"person": "fund", "on": "2015-01-01"},
        Refused,
        "before the cooperative's registration",
    ),
    ("terminate", {"person": "ghost", "reason": "dismissal"}, NotFound, "no person 'ghost'"),
    ("appoint", {"person": "ghost", "office": "manager", "term_years": "4"}, NotFound, "no person"),
    ("subscribe", {"person": "alice", "shares": "0"}, InvalidValue, "at least 1"),
    ("terminate", {"person": "alice", "reason": "holiday"}, InvalidValue, "reason"),
]


@pytest.mark.parametrize(("action", "fields", "error", "message"), REFUSALS)
def test_refusals_write_nothing(ledger, action, fields, error, message) -> None:
    do(ledger, "hire", "2016-01-01", person="alice")
    do(ledger, "admit", "2016-02-01", person="alice")
    do(ledger, "subscribe", "2016-02-01", person="alice", shares="40")
    do(ledger, "hire", "2016-01-01", person="bob")
    before = event_count(ledger)
    fields = dict(fields)
    on = fields.pop("on", "2018-01-01")
    with pytest.raises(error, match=message):
        do(ledger, action, on, **fields)
    assert event_count(ledger) == before


def test_a_back_dated_entry_that_breaks_a_later_one_writes_nothing(ledger) -> None:
    do(ledger, "hire", "2016-01-01", person="alice")
    do(ledger, "admit", "2016-02-01", person="alice")
    do(ledger, "subscribe", "2016-02-01", person="alice", shares="10")
    do(ledger, "withdraw", "2019-01-01", person="alice", shares="5")
    before = event_count(ledger)
    with pytest.raises(Refused, match="invalidate the later withdraw of alice on 2019-01-01"):
        do(ledger, "terminate", "2018-01-01", person="alice", reason="dismissal")
    assert event_count(ledger) == before


def test_reverse_by_entry_id(ledger) -> None:
    do(ledger, "hire", "2016-01-01", person="alice")
    do(ledger, "admit", "2016-02-01", person="alice")
    sub = do(ledger, "subscribe", "2016-02-01", person="alice", shares="10")
    dup = do(ledger, "subscribe", "2016-02-01", person="alice", shares="10")
    rev = do(ledger, "reverse", "2016-03-01", event=str(dup.event), reason="typed twice")
    terms = ledger.cooperative("acme").terms
    assert ledger.member("acme", "alice").state(terms).shares == 10
    entry = {h["id"]: h for h in history_from_events(ledger, "acme")}
    assert entry[dup.event]["reversed_by"] == rev.event
    assert entry[sub.event]["reversed_by"] is None
    assert entry[rev.event]["details"]["target"] == dup.event
    before = event_count(ledger)
    with pytest.raises(Refused, match="already reversed"):
        do(ledger, "reverse", "2016-03-01", event=str(dup.event), reason="again")
    with pytest.raises(Refused, match="a reversal cannot be reversed"):
        do(ledger, "reverse", "2016-03-01", event=str(rev.event), reason="again")
    with pytest.raises(Refused, match="registration \\(init\\) cannot be reversed"):
        do(ledger, "reverse", "2016-03-01", event="1", reason="again")
    with pytest.raises(NotFound, match="no entry 999"):
        do(ledger, "reverse", "2016-03-01", event="999", reason="again")
    registered = min(h["id"] for h in history_from_events(ledger, "acme", "alice")) - 1
    with pytest.raises(Refused, match="known to the ledger"):
        do(ledger, "reverse", "2016-03-01", event=str(registered), reason="x")
    assert event_count(ledger) == before


def test_known_at_in_history_ignores_later_entries_and_reversals(ledger) -> None:
    do(ledger, "hire", "2016-01-01", person="alice")
    first = history_from_events(ledger, "acme")[-1]["recorded_at"]
    hired_bob = do(ledger, "hire", "2016-01-01", person="bob")
    do(ledger, "reverse", "2016-03-01", event=str(hired_bob.event), reason="never came")
    then = history_from_events(ledger, "acme", known_at=first)
    assert [h["action"] for h in then] == ["init", "hire"]
    assert [
        h["reversed_by"]
        for h in history_from_events(ledger, "acme", "bob", known_at=hired_bob.recorded_at)
    ] == [None]


def test_a_batch_is_all_or_nothing(ledger) -> None:
    before = event_count(ledger)
    batch = [
        cmd.build(cmd.Hire, person="carol", on=D("2016-01-01")),
        cmd.build(cmd.Admit, person="carol", on=D("2016-02-01")),
        cmd.build(cmd.Withdraw, person="carol", shares=1, on=D("2016-03-01")),
    ]
    with pytest.raises(BatchError) as caught:
        ledger.execute_batch(batch)
    assert caught.value.index == 2 and "carol holds 0 shares" in caught.value.message
    assert event_count(ledger) == before
    batch[2] = cmd.build(cmd.Subscribe, person="carol", shares=3, on=D("2016-03-01"))
    recorded = ledger.execute_batch(batch)
    assert [r.action for r in recorded] == ["hire", "admit", "subscribe"]
    assert event_count(ledger) == before + 4  # the person's stream, then three entries


def test_cooperatives_and_default_coop(store_url: str) -> None:
    ledger = open_ledger(store_url)
    with pytest.raises(NotFound, match="no cooperative yet"):
        ledger.resolve_coop(None)
    acme(ledger)
    assert ledger.resolve_coop(None) == "acme"
    with pytest.raises(Refused, match="already registered"):
        acme(ledger)
    do(ledger, "init", "2018-01-01", slug="beta", name="Beta", legal_form="sa", share_value="100")
    assert [c.slug for c in ledger.cooperatives()] == ["acme", "beta"]
    with pytest.raises(InvalidValue, match="holds 2 cooperatives"):
        ledger.resolve_coop(None)
    ledger.close()


def test_a_large_batch_gets_each_entry_its_own_id_and_knows_who_is_already_there(
    ledger,
) -> None:
    """A batch over 100 people takes the bulk path (people looked up a query per 500, events
    inserted in one statement): each command's id is the position of its own event, people
    already recorded are found (not registered twice), and the collector runs again after."""
    import gc

    from scop_ledger.domain.member import member_id

    do(ledger, "hire", "2016-01-01", person="p000")  # already there before the batch
    batch = []
    for i in range(150):
        if i:
            batch.append(cmd.build(cmd.Hire, person=f"p{i:03d}", on=D("2016-01-04")))
        batch.append(cmd.build(cmd.Admit, person=f"p{i:03d}", on=D("2017-02-01")))
        batch.append(cmd.build(cmd.Subscribe, person=f"p{i:03d}", shares=2, on=D("2017-02-01")))
    before = event_count(ledger)
    recorded = ledger.execute_batch(batch)
    assert gc.isenabled()
    # p001…p149 each get their stream's first event (registered) besides their entries.
    assert event_count(ledger) == before + len(batch) + 149
    for command, done in zip(batch, recorded, strict=True):
        oid, version = ledger.entry_location(done.event)
        assert oid == member_id("acme", command.person)
        entry = ledger.member("acme", command.person).log[version - 2]
        assert command.action == entry.ACTION and entry.on == command.on
    assert [r.event for r in recorded] == sorted(r.event for r in recorded)
    assert len(ledger.member("acme", "p000").log) == 3  # hire, admit, subscribe: one stream


def test_every_command_but_init_has_its_handler() -> None:
    from scop_ledger.app.handlers import HANDLERS

    assert set(HANDLERS) == set(cmd.ACTIONS.values()) - {cmd.Init}
