"""app.recording.record: the write workflow every front end shares, its warnings as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from scop_ledger.app import commands as cmd
from scop_ledger.app.ledger import Ledger
from scop_ledger.app.recording import record
from scop_ledger.settings import Settings
from scop_ledger.store.engine import ReadOnlyStore
from tests.helpers import D


class Session:
    """A front end's session: its settings, and its ledger opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.opened: Ledger | None = None

    def ledger(self, *, create: bool = False) -> Ledger:
        if self.opened is None:
            self.opened = Ledger(self.settings, create=create)
        return self.opened


def build(action: str, on: str, **fields: str) -> cmd.Command:
    return cmd.build(cmd.ACTIONS[action], on=D(on), **fields)


@pytest.fixture
def session(tmp_path: Path):
    session = Session(Settings(url=f"sqlite:///{tmp_path / 'ledger.db'}", user="tester"))
    yield session
    if session.opened is not None:
        session.opened.close()


def test_init_creates_the_store_and_a_write_returns_what_it_recorded(session) -> None:
    init = build(
        "init", "2016-01-01", slug="acme", name="Acme", legal_form="sarl", share_value="25"
    )
    assert record(session, init).recorded.action == "init"
    outcome = record(session, build("hire", "2016-01-04", person="alice"))
    assert (outcome.recorded.action, outcome.recorded.person) == ("hire", "alice")
    assert outcome.warnings == ()


def test_the_warnings_come_back_as_lines(session) -> None:
    init = build(
        "init", "2016-01-01", slug="acme", name="Acme", legal_form="sarl", share_value="25"
    )
    record(session, init)
    record(session, build("hire", "2016-01-04", person="alice"))
    record(session, build("admit", "2016-02-01", person="alice"))
    record(session, build("subscribe", "2016-02-01", person="alice", shares="10"))
    record(session, build("admit", "2016-03-01", person="bob"))
    outcome = record(session, build("subscribe", "2016-03-01", person="bob", shares="100"))
    assert [w.split(" is in breach")[0] for w in outcome.warnings] == [
        "warning: after this, employee-capital-majority"
    ]
    ahead = record(session, build("hire", "2199-01-01", person="carol"))
    assert ahead.warnings[-1].startswith("warning: the date 2199-01-01 is more than a year ahead")


def test_a_read_only_store_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    missing = Settings(url=f"sqlite:///{tmp_path / 'none.db'}", read_only=True)
    with pytest.raises(ReadOnlyStore, match="nothing can be recorded"):
        record(Session(missing), build("hire", "2016-01-04", person="alice"))
    assert not (tmp_path / "none.db").exists()
