"""A write applies its own events to the view (:class:`~scop_ledger.readmodel.projector.Written`)
rather than reading them back: the view it leaves is the view caught up from the stored events,
row for row; events that do not follow the view's position one after another are read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import sqlalchemy
from eventsourcing.persistence import StoredEvent

from scop_ledger.app import importing
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.projector import Projector, Written
from scop_ledger.readmodel.rebuild import ensure_view
from scop_ledger.readmodel.schema import drop_view_tables
from tests.helpers import acme, do, open_ledger

# Rows of every kind an import records, some back-dated behind a member's later entries (their
# rows are closed and recomputed), a transfer, exits and refunds; several pages of three.
CSV = """action,date,person,to,shares,paid,amount,price,reason,legal_person
hire,2016-02-01,ann,,,,,,,
hire,2016-02-01,ben,,,,,,,
admit,2016-03-01,ann,,,,,,,
admit,2016-03-01,ben,,,,,,,
subscribe,2016-03-01,ann,,10,0,,,,
subscribe,2016-03-01,ben,,20,,,,,
pay-up,2016-04-01,ann,,,,100,,,
pay-up,2016-03-20,ann,,,,10,,,
admit,2016-03-15,fund,,,,,,,yes
subscribe,2016-03-15,fund,,5,,,,,
transfer,2016-05-01,ben,ann,3,,,75,,
withdraw,2016-06-01,ben,,2,,,,,
subscribe,2016-04-15,ben,,4,,,,,
hire,2016-01-20,cat,,,,,,,
terminate,2017-01-01,ben,,,,,,resignation,
pay-refund,2018-01-01,ben,,,,10,,,
pay-up,2016-05-01,ann,,,,20,,,
"""


def _dump(ledger: Any) -> dict[str, list[tuple[Any, ...]]]:
    with ledger.engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(row) for row in conn.execute(sqlalchemy.select(table))), key=repr
            )
            for table in t.VIEW_TABLES
        }


def test_an_imports_view_is_the_view_caught_up_from_its_stored_events(
    store_url: str, tmp_path: Path
) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        do(ledger, "hire", "2016-01-15", person="zoe")
        path = tmp_path / "moves.csv"
        path.write_text(CSV)
        done = importing.import_file(lambda: ledger, ledger.settings, path, page=3)
        assert done.result.recorded == CSV.count("\n") - 1
        written = _dump(ledger)
        assert written["rm_entries"] and written["rm_states"] and written["rm_refunds"]
        drop_view_tables(ledger.engine)
        projector = Projector(ledger)
        ensure_view(projector)
        assert projector.catch_up() > 0
        assert _dump(ledger) == written
    finally:
        ledger.close()


def _stored(version: int) -> StoredEvent:
    return StoredEvent(uuid4(), version, "topic", b"{}")


def test_written_events_are_given_only_where_they_follow_the_position() -> None:
    engine = sqlalchemy.create_engine("sqlite://")
    with engine.connect() as conn:
        stored = [_stored(1), _stored(1), _stored(1)]
        events = ["e5", "e6", "e7"]
        assert Written(conn, [5, 6, 7], stored, events).after(3, 10) is None  # one lies between
        written = Written(conn, [5, 6, 7], stored, events)
        rows, given = written.after(4, 2) or ([], [])
        assert [row[0] for row in rows] == [5, 6] and given == ["e5", "e6"]
        assert rows[0][1:] == (stored[0].originator_id.bytes, 1, "topic", b"{}")
        assert written.after(6, 2) == (
            [(7, stored[2].originator_id.bytes, 1, "topic", b"{}")],
            ["e7"],
        )
        assert written.after(7, 2) is None  # all given
        gap = Written(conn, [5, 7], stored[:2], events[:2])
        assert gap.after(4, 10) is None  # 6 is another writer's, or none
