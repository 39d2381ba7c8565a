"""``diff``'s answer through the CLI, its rules as known at the earlier moment resumed from the
kept sweep (readmodel/sweeps.py ``resumed``), is the one made with the rules swept afresh by
the oracle, over random histories and moments, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.audit.diff import diff
from scop_ledger.cli.main import main
from scop_ledger.readmodel import compliance
from scop_ledger.readmodel.sources import EventReader, ViewReader
from scop_ledger.store.db import connect
from tests.helpers import acme, open_ledger
from tests.readmodel.test_resume import _more
from tests.readmodel.test_sweeps import _drop_kept
from tests.readmodel.test_tallies import _history
from tests.readmodel.test_view import START, _drop


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_the_diff_is_the_one_with_the_rules_swept_afresh(store_url: str, seed: int) -> None:
    ledger = open_ledger(store_url)
    try:
        acme(ledger)
        moments = _history(ledger, seed)
        rng = random.Random(seed + 7)
        _more(ledger, rng, moments)
        later = datetime.now(UTC)
        runner = CliRunner()
        env = {"SCOP_LEDGER_DB": store_url, "SCOP_LEDGER_USER": "cli"}
        assert runner.invoke(main, ["compliance", "--as-of", "2032-12-31"], env=env).exit_code == 0
        db = connect(store_url)
        try:
            view, oracle = ViewReader(db, lambda: ledger), EventReader(ledger)
            for t1 in rng.sample(moments, min(3, len(moments))):
                as_of = START + timedelta(days=rng.randint(0, 6000))
                args = ["diff", "--from-known-at", t1.isoformat(), "--to-known-at"]
                args += [later.isoformat(), "--as-of", as_of.isoformat(), "--format", "json"]
                found = runner.invoke(main, args, env=env)
                assert found.exit_code == 0, found.output
                expected = diff(
                    "acme",
                    as_of,
                    t1,
                    later,
                    lambda t, d=as_of: view.snapshot("acme", d, t, only="active"),
                    lambda t, d=as_of: compliance.compliance(oracle.rules("acme"), d, t),
                    lambda a, b: view.recorded_between("acme", a, b),
                )
                assert json.loads(found.stdout) == json.loads(expected.model_dump_json())
        finally:
            _drop_kept(db, store_url)
    finally:
        _drop(ledger)
