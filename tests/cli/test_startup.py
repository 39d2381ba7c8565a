"""What a point-in-time question loads: a structural check, not a timing. ``capital``, ``votes``
and ``refunds`` answer from the view through the standard library's sqlite3; the libraries of
the writing path, the files and the browser must not be imported for them (their import is
most of what a user would wait for); nor those of the writing path for ``compliance`` and
``timeline``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from scop_ledger.cli.main import main

HEAVY = (
    "pydantic",
    "sqlalchemy",
    "eventsourcing",
    "eventsourcing_sqlalchemy",
    "psycopg",
    "babel",
    "openpyxl",
    "jinja2",
    "weasyprint",
    "starlette",
    "orjson",
    "scop_ledger.store.eventstore",
    "scop_ledger.domain.member",
    "scop_ledger.app.commands",
)

DAY = ["--date", "2020-01-01"]

CHILD = """
import json, sys
from scop_ledger.cli.main import main
for args in sys.argv[1:]:
    try:
        main(json.loads(args))
    except SystemExit as stop:
        assert not stop.code, stop.code
    print(json.dumps(sorted(sys.modules)))
"""

# ``compliance`` and ``timeline`` decode the cooperative's own entries (eventsourcing's event
# classes), without the store's writing path.
WRITING = (
    "pydantic",
    "sqlalchemy",
    "eventsourcing_sqlalchemy",
    "psycopg",
    "babel",
    "openpyxl",
    "jinja2",
    "weasyprint",
    "starlette",
    "scop_ledger.store.eventstore",
    "scop_ledger.app.ledger",
    "scop_ledger.app.commands",
)


def test_point_in_time_queries_do_not_import_the_heavy_libraries(tmp_path: Path) -> None:
    env = {"SCOP_LEDGER_DB": f"sqlite:///{tmp_path / 'ledger.db'}", "SCOP_LEDGER_USER": "t"}
    runner = CliRunner()
    for args in (
        ["init", "acme", "--name", "Acme", "--legal-form", "sa", "--share-value", "25", *DAY],
        ["hire", "alice", "--name", "Alice", "--date", "2020-02-01"],
        ["admit", "alice", "--date", "2021-02-01"],
        ["subscribe", "alice", "--shares", "4", "--paid", "100", "--date", "2021-02-01"],
    ):
        assert runner.invoke(main, args, env=env).exit_code == 0, args
    asked = [
        [name, "--as-of", "2024-12-31", "--format", fmt]
        for name in ("capital", "votes", "refunds")
        for fmt in ("json", "table")
    ]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *(json.dumps(a) for a in asked)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"shares":4' in done.stdout
    lines = done.stdout.splitlines()
    assert loaded(lines[-1], HEAVY) == []
    rules = [
        [name, "--as-of", "2024-12-31", "--format", "json"] for name in ("compliance", "timeline")
    ]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *(json.dumps(a) for a in rules)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"checks":' in done.stdout and '"changes":' in done.stdout
    assert loaded(done.stdout.splitlines()[-1], WRITING) == []


def loaded(line: str, heavy: tuple[str, ...]) -> list[str]:
    """The modules of ``heavy`` (or within them) among those a child printed."""
    return sorted(m for m in json.loads(line) if m.split(".")[0] in heavy or m in heavy)
