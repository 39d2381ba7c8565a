"""An import recorded a page at a time within one transaction: every row once, or nothing.

``import_file(..., page=2)`` records two rows per page, so a few rows make several pages.
Into a ledger with no entry an import could have made, the file is read once; into one that
holds some, twice (the recorded rows told apart first): both ways are checked, on SQLite and
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from scop_ledger.app import importing
from scop_ledger.audit.verify import verify
from scop_ledger.readmodel.projector import Projector
from scop_ledger.store.db import connect
from tests.helpers import acme, do, open_ledger

HEADER = "action,date,person,shares,paid,amount\n"
# Eleven rows, six pages of two: each person hired, admitted, subscribing; two pay-ups.
ROWS = [
    f"{action},{on},{person},{shares}"
    for person in ("ann", "ben", "cat")
    for action, on, shares in (
        ("hire", "2016-02-01", ",,"),
        ("admit", "2016-03-01", ",,"),
        ("subscribe", "2016-03-01", "4,0,"),
    )
] + ["pay-up,2016-04-01,ann,,,10", "pay-up,2016-05-01,ben,,,10"]


@pytest.fixture(params=["empty", "with entries"])
def ledger(request: pytest.FixtureRequest, store_url: str):
    """A ledger with no entry an import could have made, or with one (``zoe`` hired)."""
    opened = open_ledger(store_url)
    acme(opened)
    if request.param == "with entries":
        do(opened, "hire", "2016-01-15", person="zoe")
    yield opened
    opened.close()


def _import(ledger, path: Path, **kwargs):
    return importing.import_file(lambda: ledger, ledger.settings, path, page=2, **kwargs)


def event_count(ledger) -> int:
    """How many events the store holds (PostgreSQL's ids may skip those of a rolled-back
    write: its sequence moves on)."""
    with ledger.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM ledger_events").scalar_one())


def _view_rows(ledger) -> list[tuple[str, str, str]]:
    """The view's entries as (action, person, date), the view read where the write left it."""
    with ledger.engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT e.action, m.person, e.on_date FROM rm_entries e "
            "JOIN rm_members m ON m.mid = e.mid ORDER BY e.seq"
        ).all()
    return [(a, p, str(on)) for a, p, on in found]


@pytest.mark.parametrize("progress", [False, True])
def test_a_multi_page_import_records_every_row_once(ledger, tmp_path: Path, progress: bool) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n")
    before = event_count(ledger)
    views_before = _view_rows(ledger)
    seen: list[int] = []
    step = (lambda n, total: seen.append(total)) if progress else None
    done = _import(ledger, path, progress=step)
    assert (done.result.rows, done.result.recorded, done.result.skipped) == (11, 11, 0)
    assert seen == ([11] * 11 if progress else [])
    # Each hire registers its person too: 3 more events than rows.
    assert event_count(ledger) == before + 14
    assert done.result.last_event - done.result.first_event == 12
    expected = [(r.split(",")[0], r.split(",")[2], r.split(",")[1]) for r in ROWS]
    assert _view_rows(ledger) == views_before + expected
    assert Projector(ledger).lag() == 0
    # Once more: every row is recorded already.
    again = _import(ledger, path)
    assert (again.result.recorded, again.result.skipped) == (0, 11)
    assert event_count(ledger) == before + 14


@pytest.mark.parametrize(
    ("late", "message"),
    [
        ("pay-up,2016-06-01,nobody,,,10", "line 13: "),  # refused by the rules
        ("pay-up,2016-06-01,ann,,,ten", "line 13: "),  # cannot be read
    ],
)
def test_an_import_failing_on_a_late_row_writes_nothing(
    ledger, tmp_path: Path, late: str, message: str
) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(HEADER + "\n".join([*ROWS, late]) + "\n")
    before = event_count(ledger)
    views_before = _view_rows(ledger)
    with pytest.raises((importing.RefusedRow, importing.InvalidRows)) as raised:
        _import(ledger, path)
    assert raised.value.lines[0].startswith(message)
    assert event_count(ledger) == before
    assert _view_rows(ledger) == views_before
    assert Projector(ledger).lag() == 0
    # The same file without that row: every row once.
    path.write_text(HEADER + "\n".join(ROWS) + "\n")
    assert _import(ledger, path).result.recorded == 11
    assert event_count(ledger) == before + 14
    db = connect(ledger.settings.url)
    try:
        assert verify(db).problem is None
    finally:
        db.close()
