"""The collector pause of bulk work: always given back, never switched on if it was off."""

from __future__ import annotations

import gc

import pytest

from scop_ledger.store.gc import collector_paused


def test_the_collector_runs_again_after_the_block_even_when_it_fails() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: still paused inside, still paused after
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a refused row")
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
