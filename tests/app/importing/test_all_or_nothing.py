"""Any mix of valid and invalid rows: with no invalid row every row is recorded; with one or
more, nothing is recorded and each invalid row, and only those, is named by its line, the
rows the rules refuse included."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.app import importing
from tests.helpers import acme, event_count, open_ledger

_people = itertools.count()

# Each kind of row, on a person of its own (so that rows do not depend on one another):
# whether it is valid, and the row (``{p}`` the person).
KINDS = {
    "hire": (True, "Embauche;01/02/2016;{p};;"),
    "admit": (True, "admission;01/02/2016;{p};;{yes}"),
    "admit-no": (True, "ADMIT;01/02/2016;{p};;non"),
    "no-such-date": (False, "embauche;30/02/2016;{p};;"),
    "no-such-action": (False, "dance;01/02/2016;{p};;"),
    "not-yes-or-no": (False, "admission;01/02/2016;{p};;peut-être"),
    "nobody": (False, "souscription;01/02/2016;{p};3;"),
    "before-registration": (False, "embauche;01/01/2010;{p};;"),
}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("all-or-nothing")
    opened = open_ledger(f"sqlite:///{folder / 'ledger.db'}")
    acme(opened)
    yield opened
    opened.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kinds=st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=12),
    yes=st.sampled_from(["oui", "Vrai", "x", "YES", "1"]),
)
def test_all_rows_or_none_and_each_invalid_line_named(
    ledger, tmp_path_factory: pytest.TempPathFactory, kinds: list[str], yes: str
) -> None:
    rows = [KINDS[k][1].format(p=f"p{next(_people)}", yes=yes) for k in kinds]
    bad = [line for line, k in enumerate(kinds, 2) if not KINDS[k][0]]
    path = tmp_path_factory.mktemp("file") / "rows.csv"
    path.write_text("opération;date;personne;parts;personne morale\n" + "\n".join(rows) + "\n")
    before = event_count(ledger)
    if not bad:
        done = importing.import_file(lambda: ledger, ledger.settings, path)
        assert done.result.recorded == len(rows)
        return
    with pytest.raises((importing.InvalidRows, importing.RefusedRow)) as raised:
        importing.import_file(lambda: ledger, ledger.settings, path)
    lines = raised.value.lines
    assert [int(text.split(":")[0].removeprefix("line ")) for text in lines] == bad
    unreadable = {"no-such-date", "no-such-action", "not-yes-or-no"}
    assert isinstance(raised.value, importing.InvalidRows) == bool(unreadable & set(kinds))
    assert event_count(ledger) == before
