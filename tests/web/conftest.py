"""A ledger built from examples/fabrique.csv by the real CLI, once per module and back end,
and a test client of the web application on it (read-only, as ``serve`` makes it)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, _pg_schema_url, console_script, pg_base_url

SAMPLE = Path(__file__).parents[2] / "examples" / "fabrique.csv"
GABRIEL_TWICE = "entered twice by mistake"


def cli(db: str, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    """The installed console script on ``db`` (as tests/conftest.py's run_cli runs it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
    env.update({"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "e2e", "SCOP_LEDGER_LANG": lang})
    return subprocess.run(
        [*console_script(), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def build_fabrique(db: str) -> None:
    init = ["init", "fabrique", "--name", "La Fabrique", "--legal-form", "sarl"]
    for args in (
        [*init, "--share-value", "25", "--date", "2014-01-06"],
        ["import", str(SAMPLE)],
    ):
        done = cli(db, *args)
        assert done.returncode == 0, done.stderr


@contextmanager
def fabrique_on(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a new store holding La Fabrique (examples/fabrique.csv) on ``backend``."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'ledger.db'}"
        build_fabrique(url)
        yield url
        return
    base = pg_base_url()
    if base is None:
        pytest.skip("PostgreSQL tests need SCOP_LEDGER_TEST_PG")
    import sqlalchemy

    from scop_ledger.store.engine import normalise_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    try:
        url = _pg_schema_url(base, schema)
        build_fabrique(url)
        yield url
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def fabrique(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """La Fabrique on each back end, for the tests of a module that only read."""
    with fabrique_on(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def client(fabrique: str) -> Iterator[object]:
    """A Starlette test client of the application ``serve`` makes on the ledger."""
    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app

    with TestClient(create_app(Settings(url=fabrique, user="web"))) as test_client:
        yield test_client


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``scop-ledger serve`` in a subprocess on a free port, until :meth:`stop`."""

    def __init__(self, db: str, *args: str) -> None:
        import time
        import urllib.request

        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
        env.update({"SCOP_LEDGER_DB": db, "SCOP_LEDGER_LANG": "en"})
        self.process = subprocess.Popen(
            [*console_script(), "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/api/coops", timeout=5):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    out, err = self.process.communicate(timeout=10)
                    raise AssertionError(f"serve did not start: {out} {err}") from None
                time.sleep(0.1)

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C, as a user stops it: the exit code and what it printed."""
        import signal

        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err
