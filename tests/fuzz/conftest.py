"""The fuzz suite's fixture: a prepared ledger on each back end (made once per session and
worker), copied for every example."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzz.harness import Store


@pytest.fixture(
    scope="session",
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.pg)],
)
def fuzz_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    store = Store(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}"))
    try:
        yield store
    finally:
        store.close()
