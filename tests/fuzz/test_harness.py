"""The harness's observers (run in this process) see what a fuzzed command (a subprocess) did:
a recorded entry changes ``history``, and a failure after which the history differs is flagged."""

from __future__ import annotations

import dataclasses

import pytest

from tests.fuzz.harness import Store

pytestmark = pytest.mark.fuzz


def test_the_observers_see_what_a_subprocess_recorded(fuzz_store: Store) -> None:
    with fuzz_store.copy() as case:
        assert case.state_now() == fuzz_store.state
        done = case.command(["--coop", "acme", "hire", "dave", "--date", "2020-06-01"])
        assert done.code == 0, done.err
        assert case.state.history != fuzz_store.state.history
        assert "dave" in case.state.history
        assert not case.found, case.found


def test_a_failure_after_which_the_history_differs_is_flagged(fuzz_store: Store) -> None:
    with fuzz_store.copy() as case:
        # As if the history had been another before the command: its failure must be flagged.
        case.state = dataclasses.replace(case.state, history="[]")
        done = case.command(["--coop", "acme", "hire", "dave", "--date", "not-a-date"])
        assert done.code != 0
        assert any("yet `history` changed" in found for found in case.found), case.found
