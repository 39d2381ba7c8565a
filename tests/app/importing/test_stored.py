"""What an import stores: each row's events as the same commands recorded one at a time store
them (the rows read as the standard ``json`` module reads them), and each event's bytes as
eventsourcing's mapper writes them."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.generate import generate, write

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing import import_file
from scop_ledger.app.importing.reading import read_rows
from tests.helpers import D, open_ledger

# The recorded time differs from one store to the other: everything else is compared.
_RECORDED = re.compile(rb'"timestamp":\{"_type_":"datetime_iso","_data_":"[^"]*"\}')


def _stored(ledger: Any) -> list[tuple[Any, ...]]:
    rows = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, _RECORDED.sub(b"", n.state))
        for n in rows
    ]


def _init(ledger: Any) -> None:
    ledger.execute(
        cmd.build(
            cmd.Init,
            on=D("2004-01-01"),
            slug="acme",
            name="Bench Scop",
            legal_form="sa",
            share_value="25",
        )
    )


def test_an_import_stores_what_its_rows_recorded_one_at_a_time_store(tmp_path: Path) -> None:
    path, _journal = write(generate(16, 6), tmp_path / "history")
    prefix = read_rows(path)[0][:16]
    imported = open_ledger(f"sqlite:///{tmp_path / 'imported.db'}")
    one_by_one = open_ledger(f"sqlite:///{tmp_path / 'one-by-one.db'}")
    try:
        _init(imported)
        done = import_file(lambda: imported, imported.settings, path, page=50)
        assert done.result.recorded > 200
        _init(one_by_one)
        for line, text in enumerate(path.read_text().splitlines(), 1):
            row: dict[str, Any] = json.loads(text, parse_float=Decimal)
            action, on = row.pop("action"), D(str(row.pop("date")))
            fields = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
            command = cmd.build(cmd.ACTIONS[action], on=on, source=f"{prefix}:{line}", **fields)
            one_by_one.execute(command)
        assert _stored(imported) == _stored(one_by_one)
        for notification in imported.recorder.select_notifications(start=1, limit=1_000_000):
            event = imported.mapper.to_domain_event(notification)
            assert imported.mapper.to_stored_event(event).state == notification.state
    finally:
        imported.close()
        one_by_one.close()
