"""The write side's encoder (store/encoding.py) gives the bytes eventsourcing's mapper gives,
or raises what it raises: for any state of plain and registered values, and for every event a
ledger records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scop_ledger.store.encoding import encoder, state_encoder
from tests.helpers import acme, do, open_ledger

_ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(minutes=-90))])
_VALUES = st.one_of(
    st.text(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.decimals(),
    st.dates(),
    st.datetimes(timezones=st.none() | _ZONES),
    st.uuids(),
    st.floats(),
    st.lists(st.integers(), max_size=3),
    st.tuples(st.text(max_size=3)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_STATES = st.dictionaries(st.text(max_size=12), _VALUES, max_size=8)


def _outcome(encode: Any, state: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "bytes", encode(state)
    except Exception as error:  # the same refusal: its type and its words
        return type(error).__name__, str(error)


@pytest.fixture(scope="module")
def mapper(tmp_path_factory: pytest.TempPathFactory) -> Any:
    ledger = open_ledger(f"sqlite:///{tmp_path_factory.mktemp('enc') / 'x.db'}")
    yield ledger.mapper
    ledger.close()


@settings(max_examples=200, deadline=None)
@given(state=_STATES)
def test_a_state_is_written_as_the_mapper_writes_it(mapper: Any, state: dict[str, Any]) -> None:
    transcoder = mapper.transcoder
    assert _outcome(state_encoder(transcoder), dict(state)) == _outcome(
        transcoder.encode, dict(state)
    )


def test_text_orjson_could_write_otherwise_is_written_as_the_mapper_writes_it(mapper: Any) -> None:
    transcoder = mapper.transcoder
    encode = state_encoder(transcoder)
    for text in ['\x00\x1f\x7f\u2028\u2029"\\/é€😀', "\ud800", "\t\n\r\b\f"]:
        state = {"note": text, text: 1, "on": date(2020, 2, 29), "n": 2**64}
        assert _outcome(encode, state) == _outcome(transcoder.encode, state)
    state = {"at": datetime(2020, 1, 1, 12, 0, 0, 5, tzinfo=UTC), "id": UUID(int=7)}
    assert encode(state) == transcoder.encode(state)
    assert encode({"big": 10**30}) == transcoder.encode({"big": 10**30})
    assert encode({1: "x"}) == transcoder.encode({1: "x"})  # type: ignore[dict-item]


def test_every_event_a_ledger_records_is_stored_as_the_mapper_stores_it(store_url: str) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        do(ledger, "hire", "2016-01-15", person="zoe", name='Zoé Ŀ 😀 "q"', ref="r/1")
        do(ledger, "admit", "2016-02-01", person="zoe", note="n\\ote é\nline")
        do(ledger, "subscribe", "2016-02-01", person="zoe", shares="12", paid="0")
        do(ledger, "admit", "2016-02-01", person="fund", legal_person=True)
        do(ledger, "subscribe", "2016-02-01", person="fund", shares="30")
        do(ledger, "pay-up", "2016-03-01", person="zoe", amount="12.50")
        do(ledger, "transfer", "2016-04-01", person="fund", to="zoe", shares="3", price="80.5")
        entry = do(ledger, "withdraw", "2016-05-01", person="fund", shares="2").event
        do(ledger, "reverse", "2016-06-01", event=entry, reason="typo")
        do(ledger, "appoint", "2016-03-01", person="zoe", office="manager", term_years=4)
        encode = encoder(ledger.mapper)
        stored = list(ledger.recorder.select_notifications(start=1, limit=100))
        assert len(stored) >= 12
        for notification in stored:
            event = ledger.mapper.to_domain_event(notification)
            assert encode(event) == ledger.mapper.to_stored_event(event)
            assert encode(event).state == notification.state
    finally:
        ledger.close()
