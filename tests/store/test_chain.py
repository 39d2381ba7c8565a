"""The chain's own mechanics: its hashes, the recorded time it binds, and :func:`extend`, which
the projector calls in the transaction that applies the events."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy

from scop_ledger.store import chain

TOPIC = "scop_ledger.domain.member:Member.Subscribed"


def state(n: int) -> bytes:
    return (
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:0'
        + str(n).encode()
        + b'+00:00"},"x":1}'
    )


@pytest.fixture
def conn() -> Iterator[sqlalchemy.Connection]:
    """An event table as eventsourcing lays it out, and the chain's tables, in memory."""
    engine = sqlalchemy.create_engine("sqlite://")
    with engine.connect() as connection:
        connection.exec_driver_sql(
            f"CREATE TABLE {chain.EVENTS} (id INTEGER PRIMARY KEY, originator_id BLOB, "
            "originator_version INTEGER, topic TEXT, state BLOB)"
        )
        chain.create_tables(connection)
        yield connection
    engine.dispose()


def notifications(conn: sqlalchemy.Connection, count: int) -> list[tuple]:
    """Store ``count`` more events; their rows, as the projector reads them."""
    start = conn.exec_driver_sql(f"SELECT count(*) FROM {chain.EVENTS}").scalar() or 0
    rows = [
        (seq, uuid.UUID(int=1).bytes, seq, TOPIC, state(seq % 10))
        for seq in range(start + 1, start + count + 1)
    ]
    conn.exec_driver_sql(f"INSERT INTO {chain.EVENTS} VALUES (?, ?, ?, ?, ?)", rows)
    return rows


def kept(conn: sqlalchemy.Connection) -> list[tuple]:
    return conn.exec_driver_sql(f"SELECT seq, content, link FROM {chain.CHAIN} ORDER BY seq").all()


def seal(conn: sqlalchemy.Connection) -> tuple | None:
    return conn.exec_driver_sql(f"SELECT seq, link FROM {chain.SEAL}").first()


def test_a_link_binds_the_previous_link_the_position_and_the_content() -> None:
    oid = uuid.UUID(int=7)
    digest = chain.content(oid, 3, TOPIC, b"abc")
    expected = hashlib.sha256(
        oid.bytes
        + (3).to_bytes(8, "big")
        + len(TOPIC).to_bytes(4, "big")
        + TOPIC.encode()
        + (3).to_bytes(4, "big")
        + b"abc"
    ).digest()
    assert digest == expected
    # The id as the back ends return it: UUID, 16 bytes, or text.
    assert chain.content(oid.bytes, 3, TOPIC, b"abc") == digest
    assert chain.content(str(oid), 3, TOPIC, b"abc") == digest
    value = chain.link(chain.GENESIS, 1, digest)
    assert value == hashlib.sha256(chain.GENESIS + (1).to_bytes(8, "big") + digest).digest()
    assert chain.head_text(1, value) == f"1:{value.hex()}"


def test_the_recorded_time_is_read_from_the_stored_state() -> None:
    assert chain.recorded_at(state(5)).isoformat() == "2024-01-01T00:00:05+00:00"
    with pytest.raises(ValueError, match="no readable recorded time"):
        chain.recorded_at(b'{"x":1}')
    with pytest.raises(ValueError, match="no UTC offset"):
        chain.recorded_at(b'{"timestamp":"2024-01-01T00:00:00"}')


def test_extend_links_new_events_once_and_moves_the_seal(conn) -> None:
    first = notifications(conn, 3)
    chain.extend(conn, first)
    chain.extend(conn, first)  # a rebuild re-applies the view, never the chain's memory
    more = notifications(conn, 2)
    chain.extend(conn, first[1:] + more)
    rows = kept(conn)
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    previous = chain.GENESIS
    for seq, oid, version, topic, stored in first + more:
        previous = chain.link(previous, seq, chain.content(oid, version, topic, stored))
    assert rows[-1][2] == previous.hex()
    assert seal(conn) == (5, previous.hex())


def test_extend_leaves_a_chain_that_no_longer_reaches_its_seal(conn) -> None:
    chain.extend(conn, notifications(conn, 3))
    conn.exec_driver_sql(f"DELETE FROM {chain.CHAIN} WHERE seq = 3")
    chain.extend(conn, notifications(conn, 2))
    assert [r[0] for r in kept(conn)] == [1, 2]
    assert seal(conn)[0] == 3


def test_extend_leaves_a_chain_that_does_not_reach_the_page(conn) -> None:
    notifications(conn, 2)  # stored, never linked
    chain.extend(conn, notifications(conn, 2)[1:])
    assert kept(conn) == [] and seal(conn) is None
