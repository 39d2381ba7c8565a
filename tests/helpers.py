"""Builders for tests: a ledger with a registered cooperative, and short command helpers."""

from __future__ import annotations

from datetime import date
from typing import Any

from scop_ledger.app import commands as cmd
from scop_ledger.app.ledger import Ledger, Recorded
from scop_ledger.settings import Settings

D = date.fromisoformat


def open_ledger(
    url: str,
    *,
    user: str = "tester",
    read_only: bool = False,
    create: bool = True,
    view: bool = True,
) -> Ledger:
    """A ledger on ``url``; ``view=False`` writes events alone, leaving the view to catch up
    (for the tests of the projector's catch-up)."""
    return Ledger(Settings(url=url, user=user, read_only=read_only), create=create, apply_view=view)


def do(ledger: Ledger, action: str, on: str, **fields: Any) -> Recorded:
    """Record ``action`` on ``on`` (YYYY-MM-DD) with ``fields``, as the CLI would."""
    return ledger.execute(cmd.build(cmd.ACTIONS[action], on=D(on), **fields))


def acme(
    ledger: Ledger, *, legal_form: str = "sarl", on: str = "2016-01-01", **statutes: Any
) -> Recorded:
    return do(
        ledger,
        "init",
        on,
        slug="acme",
        name="Acme Scop",
        legal_form=legal_form,
        share_value="25",
        **statutes,
    )


def event_count(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def init_args(on: str, name: str = "Acme Scop") -> list[str]:
    """The CLI arguments that register the cooperative ``acme`` (SARL, shares of 25) on ``on``."""
    return [
        "init",
        "acme",
        "--name",
        name,
        "--legal-form",
        "sarl",
        "--share-value",
        "25",
        "--date",
        on,
    ]


def kept_rows(url: str, table: str) -> int:
    """How many rows a table of kept answers (``rm_headlines``, ``rm_register_days``…) holds in
    the store at ``url`` (0: no such table yet)."""
    from scop_ledger.store.db import connect

    db = connect(url)
    try:
        return int(db.scalar(f"SELECT count(*) FROM {table}")) if db.has_table(table) else 0
    finally:
        db.close()
