"""The read side's lean decoder gives exactly the objects eventsourcing's mapper gives."""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent
from sqlalchemy import text

from scop_ledger.store.decoding import plain_decoder
from scop_ledger.store.eventstore import as_uuid, decoder
from tests.helpers import acme, do, open_ledger


def test_lean_decoder_equals_the_mapper(sqlite_url: str) -> None:
    ledger = open_ledger(sqlite_url)
    acme(ledger, boot_until="2020-12-31")
    do(ledger, "hire", "2016-01-01", person="ann", name="Ann")
    do(ledger, "admit", "2016-02-01", person="ann", ref="AGM", note="n")
    sub = do(ledger, "subscribe", "2016-02-01", person="ann", shares="10", paid="100.50")
    do(ledger, "reverse", "2016-03-01", event=str(sub.event), reason="typo")
    do(ledger, "appoint", "2016-02-01", person="ann", office="manager", term_years="4")
    do(
        ledger,
        "allocate",
        "2017-06-01",
        year="2016",
        surplus="100",
        legal_reserve="16",
        development_fund="1",
        employees="40",
        dividends="10",
    )
    do(ledger, "terminate", "2018-01-01", person="ann", reason="dismissal")
    decode = decoder(ledger.mapper)
    plain = plain_decoder()
    assert plain is not None
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT originator_id, originator_version, topic, state FROM ledger_events ORDER BY id"
            )
        ).all()
    assert len(rows) >= 9
    for oid, version, topic, state in rows:
        lean = decode(oid, version, topic, bytes(state))
        full = ledger.mapper.to_domain_event(
            StoredEvent(as_uuid(oid), version, topic, bytes(state))
        )
        assert type(lean) is type(full)
        assert vars(lean) == vars(full)
        without_the_store = plain(oid, version, topic, bytes(state))
        assert type(without_the_store) is type(full) and vars(without_the_store) == vars(full)
    ledger.close()


def test_a_registration_stored_before_the_statutes_options_is_upcast(sqlite_url: str) -> None:
    """Version 1 registrations (before --scop-thresholds, --external-vote-cap and
    --supervisory-board-from) read back with the defaults, through both decoders."""
    import json
    from decimal import Decimal

    ledger = open_ledger(sqlite_url)
    acme(ledger)
    with ledger.engine.connect() as conn:
        oid, version, topic, state = conn.execute(
            text("SELECT originator_id, originator_version, topic, state FROM ledger_events")
        ).first()
    old = json.loads(bytes(state))
    assert old.pop("class_version") == 2
    for key in ("scop_thresholds", "external_vote_cap", "supervisory_board_from"):
        del old[key]
    stored = json.dumps(old).encode()
    lean = decoder(ledger.mapper)(oid, version, topic, stored.decode())
    full = ledger.mapper.to_domain_event(StoredEvent(as_uuid(oid), version, topic, stored))
    for event in (lean, full):
        assert event.scop_thresholds is None
        assert event.external_vote_cap == Decimal("0.35")
        assert event.supervisory_board_from == 20
    ledger.close()


def test_an_allocation_stored_before_the_net_asset_value_is_upcast(sqlite_url: str) -> None:
    """Version 1 allocations (before --net-asset-value-per-share) read back with none given,
    through both decoders."""
    import json

    ledger = open_ledger(sqlite_url)
    acme(ledger)
    do(
        ledger,
        "allocate",
        "2017-06-30",
        year=2016,
        surplus="0",
        legal_reserve="0",
        development_fund="0",
        employees="0",
        dividends="0",
        net_asset_value_per_share="20",
    )
    with ledger.engine.connect() as conn:
        oid, version, topic, state = conn.execute(
            text(
                "SELECT originator_id, originator_version, topic, state FROM ledger_events "
                "WHERE topic LIKE '%SurplusAllocated'"
            )
        ).first()
    old = json.loads(bytes(state))
    assert old.pop("class_version") == 2
    assert old.pop("net_asset_value_per_share") is not None
    stored = json.dumps(old).encode()
    lean = decoder(ledger.mapper)(oid, version, topic, stored.decode())
    full = ledger.mapper.to_domain_event(StoredEvent(as_uuid(oid), version, topic, stored))
    for event in (lean, full):
        assert event.net_asset_value_per_share is None
    ledger.close()


def test_no_plain_decoder_when_the_environment_configures_the_mapper(monkeypatch) -> None:
    monkeypatch.setenv("LEDGER_COMPRESSOR_TOPIC", "eventsourcing.compressor:ZlibCompressor")
    assert plain_decoder() is None
