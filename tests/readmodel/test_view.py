"""The read model against the oracle (a pure fold over the events), on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.app import commands as cmd
from scop_ledger.domain.errors import LedgerError
from scop_ledger.readmodel import queries
from scop_ledger.readmodel.access import catch_up
from scop_ledger.readmodel.compliance import compliance, timeline
from scop_ledger.readmodel.hooks import Hooks
from scop_ledger.readmodel.projector import Projector
from scop_ledger.readmodel.rebuild import ensure_view, rebuild
from scop_ledger.readmodel.register import register_from_events, register_from_view
from scop_ledger.readmodel.snapshot import (
    refunds_from_view,
    snapshot_from_events,
    snapshot_from_view,
)
from scop_ledger.readmodel.sources import EventReader, ViewReader
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger

START = date(2016, 1, 1)


def answers(snapshot) -> dict:
    return {
        "capital": queries.capital(snapshot).model_dump(mode="json"),
        "votes": queries.votes(snapshot).model_dump(mode="json"),
        "refunds": queries.refunds(snapshot).model_dump(mode="json"),
        "members": queries.members(snapshot).model_dump(mode="json"),
        "eligible": queries.members(snapshot, only_eligible=True).model_dump(mode="json"),
    }


def assert_view_matches_oracle(ledger, url: str, as_of: date, known_at: datetime) -> None:
    db = connect(url)
    try:
        view = answers(snapshot_from_view(db, "acme", as_of, known_at))
        oracle = answers(snapshot_from_events(ledger, "acme", as_of, known_at))
        assert view == oracle
        active = snapshot_from_view(db, "acme", as_of, known_at, only="active")
        assert queries.capital(active).model_dump(mode="json") == oracle["capital"]
        assert queries.votes(active).model_dump(mode="json") == oracle["votes"]
        coop, rows = refunds_from_view(db, "acme", as_of, known_at)
        from_table = queries.refunds_of(coop, as_of, known_at, rows)
        assert from_table.model_dump(mode="json") == oracle["refunds"]
        assert register_from_view(db, "acme", as_of, known_at) == register_from_events(
            ledger, "acme", as_of, known_at
        )
        register = register_from_view(db, "acme", as_of, known_at)
        paid_in = sum(
            (m.amount for m in register.movements if m.nature in ("payment", "paid")), Decimal(0)
        )
        assert paid_in == Decimal(oracle["capital"]["paid_up"])
        assert ViewReader(db, lambda: ledger).admissions("acme", as_of, known_at) == EventReader(
            ledger
        ).admissions("acme", as_of, known_at)
        if as_of >= START:
            view_rules = ViewReader(db, lambda: ledger).rules("acme")
            oracle_rules = EventReader(ledger).rules("acme")
            assert compliance(view_rules, as_of, known_at) == compliance(
                oracle_rules, as_of, known_at
            )
            assert timeline(view_rules, as_of, known_at) == timeline(oracle_rules, as_of, known_at)
    finally:
        db.close()


PERSONS = ["ann", "ben", "cat", "dan", "fund"]
ACTIONS = [
    "hire",
    "terminate",
    "admit",
    "subscribe",
    "pay-up",
    "withdraw",
    "leave",
    "pay-refund",
    "reverse",
    "transfer",
    "transfer",
]


def random_command(rng: random.Random, recorded: list[int]) -> cmd.Command:
    action = rng.choice(ACTIONS)
    on = START + timedelta(days=rng.randint(0, 3650))
    person = rng.choice(PERSONS)
    fields: dict = {"on": on}
    if action == "reverse":
        fields.update(event=rng.choice(recorded) if recorded else 1, reason="test")
        return cmd.build(cmd.Reverse, **fields)
    fields["person"] = person
    if action == "terminate":
        fields["reason"] = rng.choice(
            ["dismissal", "retirement", "resignation", "death", "invalidity"]
        )
    elif action == "admit":
        fields["legal_person"] = person == "fund"
    elif action == "subscribe":
        fields["shares"] = rng.randint(1, 40)
        if rng.random() < 0.3:
            fields["paid"] = Decimal(rng.randint(0, 25 * fields["shares"]))
    elif action in ("pay-up", "pay-refund"):
        fields["amount"] = Decimal(rng.randint(1, 400))
    elif action == "withdraw":
        fields["shares"] = rng.randint(1, 20)
    elif action == "leave":
        fields["reason"] = rng.choice(["resignation", "exclusion", "death"])
    elif action == "transfer":
        # Mostly between the partners of the good start, so that some go through.
        fields["person"] = rng.choice(["ann", "ben", person])
        others = [p for p in ("ann", "ben", "fund", "cat") if p != fields["person"]]
        fields.update(to=rng.choice(others), shares=rng.randint(1, 30))
        if rng.random() < 0.5:
            fields["price"] = Decimal(rng.randint(0, 900))
    return cmd.build(cmd.ACTIONS[action], **fields)


def build_history(ledger, seed: int, steps: int) -> list[datetime]:
    """Random commands (refused ones skipped), with the view caught up at random moments so
    that back-dated entries and reversals land on rows already projected."""
    rng = random.Random(seed)
    recorded: list[int] = []
    moments = []
    # A few good starts, so that the random steps reach the interesting paths.
    for person in ("ann", "ben"):
        recorded.append(do(ledger, "hire", "2016-01-01", person=person).event)
        recorded.append(do(ledger, "admit", "2016-02-01", person=person).event)
        recorded.append(do(ledger, "subscribe", "2016-02-01", person=person, shares="30").event)
    recorded.append(do(ledger, "admit", "2016-03-01", person="fund", legal_person=True).event)
    # The cooperative's own entries: mandates whose holders' categories the rules read.
    do(ledger, "appoint", "2016-03-01", person="ann", office="manager", term_years=4)
    do(ledger, "appoint", "2017-01-01", person="fund", office="director", term_years=5)
    do(ledger, "review", "2019-05-01", reviewer="Union régionale")
    do(
        ledger,
        "allocate",
        "2018-06-30",
        year=2017,
        surplus="1000",
        legal_reserve="150",
        development_fund="10",
        employees="300",
        dividends="100",
    )
    for _ in range(steps):
        try:
            recorded.append(ledger.execute(random_command(rng, recorded)).event)
        except LedgerError:
            continue
        moments.append(datetime.now(UTC))
        if rng.random() < 0.3:
            catch_up(ledger)
    exits_on_one_day(ledger, rng, moments)
    catch_up(ledger)
    return moments


def exits_on_one_day(ledger, rng: random.Random, moments: list[datetime]) -> None:
    """Ends of contract followed by the partner's exit on the same date (one movement of the
    register when nothing moves between them: register.planned), with another partner's
    subscription (a movement, reversed now and then) or a hiring (none) between them."""
    on = (START + timedelta(days=rng.randint(0, 3650))).isoformat()
    for person, other in (("ann", "ben"), ("ben", "cat")):
        try:
            do(ledger, "terminate", on, person=person, reason="retirement")
        except LedgerError:
            continue
        between, choice = None, rng.randrange(3)
        with contextlib.suppress(LedgerError):
            if choice == 0:
                between = do(ledger, "subscribe", on, person=other, shares="2").event
            elif choice == 1:
                do(ledger, "hire", on, person="dan")
        if rng.random() < 0.5:
            catch_up(ledger)
        with contextlib.suppress(LedgerError):
            do(ledger, "leave", on, person=person, reason="resignation")
        moments.append(datetime.now(UTC))
        if between is not None and rng.random() < 0.5:
            catch_up(ledger)
            do(ledger, "reverse", "2026-01-01", event=str(between), reason="test")
            moments.append(datetime.now(UTC))


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_view_and_oracle_agree_on_random_histories(store_url: str, seed: int) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        moments = build_history(ledger, seed, steps=45)
        rng = random.Random(seed + 1)
        for _ in range(6):
            as_of = START + timedelta(days=rng.randint(-10, 4000))
            known_at = rng.choice(moments) if moments else datetime.now(UTC)
            assert_view_matches_oracle(ledger, store_url, as_of, known_at)
        assert_view_matches_oracle(ledger, store_url, date(2030, 1, 1), datetime.now(UTC))
    finally:
        _drop(ledger)


def _drop(ledger) -> None:
    """Each hypothesis example needs a clean store: drop everything it created."""
    from sqlalchemy import text

    from scop_ledger.readmodel.schema import drop_view_tables

    drop_view_tables(ledger.engine)
    with ledger.engine.begin() as conn:
        conn.execute(text("DROP TABLE ledger_events"))
    ledger.close()


@pytest.fixture
def ledger(store_url: str):
    ledger = open_ledger(store_url, view=False)  # these tests exercise the catch-up
    acme(ledger)
    yield ledger
    ledger.close()


def test_people_are_listed_in_the_same_order_whatever_the_servers_collation(pg_icu_url) -> None:
    """PostgreSQL orders text by the database's collation, which on most servers is not
    Python's code-point order (ICU English puts "ab" before "Ab" and ignores "-" at first)."""
    ledger = open_ledger(pg_icu_url)
    try:
        acme(ledger)
        people = ["b", "ab", "B", "a-c", "Ab", "a.b", "a1", "A-0"]
        for person in people:
            do(ledger, "hire", "2016-01-04", person=person)
            do(ledger, "admit", "2016-02-01", person=person)
            do(ledger, "subscribe", "2016-02-01", person=person, shares="2")
        catch_up(ledger)
        as_of, now = date(2016, 12, 31), datetime.now(UTC)
        db = connect(pg_icu_url)
        try:
            listed = [m.person for m in snapshot_from_view(db, "acme", as_of, now).members]
        finally:
            db.close()
        assert listed == sorted(people)
        assert_view_matches_oracle(ledger, pg_icu_url, as_of, now)
    finally:
        ledger.close()


def test_an_entry_counts_from_its_effective_date_and_from_its_recording(ledger, store_url) -> None:
    do(ledger, "hire", "2016-01-01", person="ann")
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="40")
    catch_up(ledger)
    before_backdating = datetime.now(UTC)
    late = do(ledger, "withdraw", "2017-01-01", person="ann", shares="10")  # recorded later
    catch_up(ledger)
    db = connect(store_url)

    def shares(as_of: str, known_at: datetime) -> int:
        return queries.capital(
            snapshot_from_view(db, "acme", date.fromisoformat(as_of), known_at)
        ).shares

    now = datetime.now(UTC)
    assert shares("2016-12-31", now) == 40
    assert shares("2017-01-01", now) == 30  # a query as of the effective date includes it
    assert shares("2017-01-01", before_backdating) == 40  # not yet known then
    do(ledger, "reverse", "2018-01-01", event=str(late.event), reason="never happened")
    catch_up(ledger)
    after = datetime.now(UTC)
    assert shares("2017-01-01", after) == 40  # reversed: gone from every as-of date
    assert shares("2017-01-01", now) == 30  # ... but as known before the reversal, it counted
    db.close()


def test_a_back_dated_entry_recomputes_the_later_rows(ledger, store_url) -> None:
    do(ledger, "hire", "2016-01-01", person="ann")
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="10")
    do(ledger, "leave", "2020-01-01", person="ann", reason="exclusion")
    catch_up(ledger)
    do(ledger, "subscribe", "2018-01-01", person="ann", shares="5")  # back-dated, before the exit
    catch_up(ledger)
    assert_view_matches_oracle(ledger, store_url, date(2021, 1, 1), datetime.now(UTC))
    db = connect(store_url)
    refunds = queries.refunds(snapshot_from_view(db, "acme", date(2021, 1, 1), datetime.now(UTC)))
    assert [r.amount for r in refunds.refunds] == [Decimal("375.00")]  # the exit now cancels 15
    db.close()


def test_catch_up_is_exactly_once_and_rebuild_gives_the_same_view(ledger, store_url) -> None:
    for i, person in enumerate(PERSONS[:4]):
        do(ledger, "hire", f"2016-01-0{i + 1}", person=person)
        do(ledger, "admit", "2016-02-01", person=person)
        do(ledger, "subscribe", "2016-02-01", person=person, shares=str(10 + i))
    one, two = Projector(ledger), Projector(ledger)
    ensure_view(one)
    assert one.catch_up() > 0
    assert two.catch_up() == 0  # nothing left: the tracking row says so
    do(ledger, "withdraw", "2017-01-01", person="ann", shares="5")
    assert one.catch_up() == 1
    # ``two`` holds no cache of what ``one`` applied; it starts from the tracked position.
    do(ledger, "withdraw", "2017-02-01", person="ann", shares="1")
    assert two.catch_up() == 1
    db = connect(store_url)
    now = datetime.now(UTC)
    before = answers(snapshot_from_view(db, "acme", date(2030, 1, 1), now))
    rebuild(Projector(ledger))
    assert answers(snapshot_from_view(db, "acme", date(2030, 1, 1), now)) == before
    assert before["capital"]["shares"] == 10 + 11 + 12 + 13 - 6
    db.close()


def test_a_projector_forgets_its_caches_when_another_moved_the_view(ledger, store_url) -> None:
    """Two processes catching up at once take pages in turn: what one remembers of a member
    is stale once the other has applied that member's later entries."""
    do(ledger, "hire", "2016-01-04", person="ann")
    one, two = Projector(ledger), Projector(ledger)
    ensure_view(one)
    assert one.catch_up() > 0  # one now remembers ann, hired
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="10")
    assert two.catch_up() == 2
    do(ledger, "subscribe", "2016-03-01", person="ann", shares="5")
    assert one.catch_up() == 1
    # And within one catch-up, between two of its pages.
    do(ledger, "subscribe", "2016-04-01", person="ann", shares="1")
    do(ledger, "subscribe", "2016-05-01", person="ann", shares="2")

    def meanwhile(applied: int) -> None:
        if meanwhile.once:
            meanwhile.once = False
            assert two.catch_up() == 1  # the subscription of 2 shares
            do(ledger, "subscribe", "2016-06-01", person="ann", shares="3")

    meanwhile.once = True
    assert one.catch_up(progress=meanwhile, page=1) == 2  # its first page, then the new one
    db = connect(store_url)
    try:
        now = datetime.now(UTC)
        assert queries.capital(snapshot_from_view(db, "acme", date(2017, 1, 1), now)).shares == 21
    finally:
        db.close()
    assert_view_matches_oracle(ledger, store_url, date(2017, 1, 1), datetime.now(UTC))


def test_a_crash_mid_page_leaves_the_view_as_it_was(ledger, store_url) -> None:
    do(ledger, "hire", "2016-01-01", person="ann")
    power = {"cut": True}

    def crash(notifications) -> None:  # the page's rows are written, not yet committed
        if power["cut"]:
            raise RuntimeError("power cut")

    projector = Projector(ledger, Hooks(on_page=crash))
    power["cut"] = False
    ensure_view(projector)
    projector.catch_up()
    position = projector.position()
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="4")
    power["cut"] = True
    with pytest.raises(RuntimeError, match="power cut"):
        projector.catch_up()
    power["cut"] = False
    assert projector.position() == position
    db = connect(store_url)
    assert db.scalar("SELECT COUNT(*) FROM rm_entries WHERE action = 'subscribe'") == 0
    assert projector.catch_up() == 2
    assert (
        queries.capital(snapshot_from_view(db, "acme", date(2020, 1, 1), datetime.now(UTC))).shares
        == 4
    )
    db.close()


def test_rebuild_and_catch_up_give_the_connection_its_settings_back(sqlite_url) -> None:
    """The projector widens SQLite's page cache and turns secure_delete off for the drop: a
    query that later takes the same pooled connection finds the settings as they were."""
    from sqlalchemy.pool import StaticPool

    ledger = open_ledger(sqlite_url)
    acme(ledger)
    do(ledger, "hire", "2016-01-04", person="ann")
    # One connection for everything, so that the projector's connection is the one read here.
    ledger.engine.pool = StaticPool(ledger.engine.pool._creator)  # type: ignore[attr-defined]

    def settings() -> tuple[int, int]:
        with ledger.engine.connect() as conn:
            cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
            secure = conn.exec_driver_sql("PRAGMA secure_delete").scalar_one()
        return int(cache), int(secure)

    before = settings()
    projector = Projector(ledger)
    ensure_view(projector)
    projector.catch_up()
    assert settings() == before
    rebuild(projector)
    assert settings() == before
    ledger.close()
