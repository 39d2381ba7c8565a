"""``verify`` of one cooperative (``--coop``) reads its own entries only: another cooperative's
entry rewritten in the store leaves its verdict whole, and names the other's."""

from __future__ import annotations

from typing import Any

import pytest

from scop_ledger.app import audit
from scop_ledger.app.ledger import Ledger
from scop_ledger.settings import Settings
from scop_ledger.store.db import connect
from tests.helpers import do, open_ledger


def _coop(url: str, slug: str, people: tuple[str, ...], on: str) -> None:
    ledger = open_ledger(url)
    try:
        do(ledger, "init", on, slug=slug, name=slug.title(), legal_form="sas", share_value="25")
    finally:
        ledger.close()
    ledger = Ledger(Settings(url=url, user="tester", coop=slug))
    try:
        for person in people:
            do(ledger, "hire", on, person=person)
            do(ledger, "admit", on, person=person)
            do(ledger, "subscribe", on, person=person, shares="4")
    finally:
        ledger.close()


def _sql(url: str, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    import sqlalchemy

    from scop_ledger.store.engine import normalise_url

    engine = sqlalchemy.create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            result = conn.execute(sqlalchemy.text(sql), params or {})
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _rewrite(url: str, seq: int) -> None:
    """Change one byte of the stored entry ``seq``, the append-only guards set aside, as
    someone with the database's owner rights would."""
    if url.startswith("sqlite"):
        for (name,) in _sql(url, "SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            _sql(url, f"DROP TRIGGER {name}")
    else:
        _sql(url, "ALTER TABLE ledger_events DISABLE TRIGGER USER")
    (state,) = _sql(url, "SELECT state FROM ledger_events WHERE id = :s", {"s": seq})[0]
    edited = bytes(state).replace(b'"shares":4', b'"shares":9')
    assert edited != bytes(state)
    _sql(url, "UPDATE ledger_events SET state = :b WHERE id = :s", {"b": edited, "s": seq})


def _verdict(url: str, coop: str | None) -> Any:
    return audit.verify(Settings(url=url, user="tester", coop=coop, read_only=True)).verdict


def _subscriptions(url: str, slug: str) -> list[int]:
    db = connect(url)
    try:
        rows = db.rows(
            "SELECT e.seq FROM rm_entries e JOIN rm_coops c ON c.cid = e.cid "
            "WHERE c.slug = :slug AND e.action = 'subscribe' ORDER BY e.seq",
            {"slug": slug},
        )
        return [int(r[0]) for r in rows]
    finally:
        db.close()


@pytest.mark.parametrize("which", ["first", "last"])
def test_verify_of_one_cooperative_never_reads_another(store_url: str, which: str) -> None:
    # Their entries interleave in the log: acme, then beta, then acme again.
    _coop(store_url, "acme", ("ann", "bob"), "2016-01-01")
    _coop(store_url, "beta", ("eve", "joe"), "2017-01-01")
    ledger = Ledger(Settings(url=store_url, user="tester", coop="acme"))
    try:
        do(ledger, "hire", "2018-01-01", person="cat")
    finally:
        ledger.close()
    whole = _verdict(store_url, None)
    acme, beta = _verdict(store_url, "acme"), _verdict(store_url, "beta")
    assert whole.ok and acme.ok and beta.ok, (whole.problem, acme.problem, beta.problem)
    # Each counts its own entries (records registered with them included), the two the log.
    assert acme.entries + beta.entries == whole.entries
    assert acme.kept == acme.entries and acme.coop == "acme"
    assert acme.head == whole.head  # the kept chain walked to the same head
    # One of beta's subscriptions rewritten in the store: acme's verdict is untouched.
    seqs = _subscriptions(store_url, "beta")
    seq = seqs[0] if which == "first" else seqs[-1]
    _rewrite(store_url, seq)
    assert _verdict(store_url, "acme").ok
    named = f"entry {seq} no longer matches the chain"
    assert str(_verdict(store_url, "beta").problem).startswith(named)
    assert str(_verdict(store_url, None).problem).startswith(named)


def test_verify_of_one_cooperative_names_its_own_rewritten_entry(store_url: str) -> None:
    _coop(store_url, "acme", ("ann",), "2016-01-01")
    # A store of one cooperative: --coop verifies the whole log (all of it is acme's).
    alone = _verdict(store_url, "acme")
    assert alone.ok and alone.coop is None and alone.entries == _verdict(store_url, None).entries
    _coop(store_url, "beta", ("eve",), "2017-01-01")
    seq = _subscriptions(store_url, "acme")[0]
    _rewrite(store_url, seq)
    assert str(_verdict(store_url, "acme").problem).startswith(
        f"entry {seq} no longer matches the chain"
    )
    assert _verdict(store_url, "beta").ok
