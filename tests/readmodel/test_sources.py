"""The two readers give the same answers: the view (ViewReader) and the events (EventReader),
the cooperative's own entries (forms, mandates, reversals of them) and history included."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.compliance import compliance
from scop_ledger.readmodel.snapshot import NoCooperative
from scop_ledger.readmodel.sources import EventReader, Reader, ViewReader
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger


@pytest.fixture
def ledger(store_url: str):
    ledger = open_ledger(store_url)
    yield ledger
    ledger.close()


def _history(reader: Reader, person: str | None, known_at: datetime) -> str:
    """The rows as the CLI writes them (details from the view are their stored text, from the
    events their values: both print the same)."""
    return json.dumps(reader.history("acme", person, known_at), default=str, sort_keys=False)


def _same(view: Reader, events: Reader, as_of: date, known_at: datetime) -> None:
    assert view.slugs() == events.slugs() == ["acme"]
    assert view.coop("acme", known_at) == events.coop("acme", known_at)
    assert view.snapshot("acme", as_of, known_at) == events.snapshot("acme", as_of, known_at)
    assert view.refunds("acme", as_of, known_at) == events.refunds("acme", as_of, known_at)
    assert view.register("acme", as_of, known_at) == events.register("acme", as_of, known_at)
    for person in (None, "ann"):
        assert _history(view, person, known_at) == _history(events, person, known_at)
    params, coop, facts = view.facts("acme", as_of, known_at)
    oracle_params, oracle_coop, oracle_facts = events.facts("acme", as_of, known_at)
    assert (params, coop, list(facts)) == (oracle_params, oracle_coop, list(oracle_facts))
    assert compliance(view.rules("acme"), as_of, known_at) == compliance(
        events.rules("acme"), as_of, known_at
    )


def test_the_view_and_the_events_agree_on_every_question(ledger, store_url) -> None:
    acme(ledger, legal_form="sa")
    for person in ("ann", "ben"):
        do(ledger, "hire", "2016-01-04", person=person)
        do(ledger, "admit", "2016-02-01", person=person)
        do(ledger, "subscribe", "2016-02-01", person=person, shares="20")
    appointed = do(ledger, "appoint", "2016-03-01", person="ann", office="director", term_years=4)
    do(ledger, "appoint", "2016-03-01", person="ben", office="director", term_years=4)
    moments = [datetime.now(UTC)]
    do(ledger, "reverse", "2016-04-01", event=str(appointed.event), reason="wrong office")
    do(ledger, "change-form", "2018-01-01", legal_form="sarl")
    do(ledger, "terminate", "2019-06-30", person="ben", reason="resignation")
    moments.append(datetime.now(UTC))
    catch_up(ledger)
    db = connect(store_url)
    try:
        view, events = ViewReader(db, lambda: ledger), EventReader(ledger)
        for known_at in moments:
            for as_of in (date(2016, 3, 15), date(2017, 1, 1), date(2020, 1, 1)):
                _same(view, events, as_of, known_at)
        then = view.facts("acme", date(2020, 1, 1), moments[0])[1]
        now = view.facts("acme", date(2020, 1, 1), moments[1])[1]
        assert [m.person for m in then.mandates] == ["ann", "ben"]
        assert [m.person for m in now.mandates] == ["ben"]
        assert [form.value for _on, form in now.forms] == ["sa", "sarl"]
    finally:
        db.close()


def test_a_cooperative_registered_after_the_moment_is_unknown_to_both(ledger, store_url) -> None:
    before = datetime.now(UTC)
    acme(ledger)
    catch_up(ledger)
    db = connect(store_url)
    try:
        for reader in (ViewReader(db, lambda: ledger), EventReader(ledger)):
            with pytest.raises(NoCooperative):
                reader.snapshot("acme", date(2020, 1, 1), before)
            with pytest.raises(NoCooperative):
                reader.coop("acme", before)
    finally:
        db.close()
