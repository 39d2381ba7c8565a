"""Shared fixtures: a store URL on each back end, a ledger on it, and the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

PG_ENV = "SCOP_LEDGER_TEST_PG"
# The suite speaks English whatever the machine's locale; a test of French asks for it.
os.environ["SCOP_LEDGER_LANG"] = "en"
BACKENDS = ["sqlite", "postgresql"]


def pg_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def pg_base_or_skip() -> str:
    base = pg_base_url()
    if base is None:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    return base


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    with fresh_pg_schema() as url:
        yield url


@contextmanager
def fresh_pg_schema() -> Iterator[str]:
    """:func:`pg_url`, where a test needs several (one per hypothesis example)."""
    base = pg_base_or_skip()
    import sqlalchemy

    from scop_ledger.store.engine import normalise_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    try:
        yield _pg_schema_url(base, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def pg_icu_url() -> Iterator[str]:
    """A fresh PostgreSQL database whose default collation is ICU's English one, as on most
    servers (the test server's is C), dropped afterwards."""
    base = pg_base_or_skip()
    import sqlalchemy
    from sqlalchemy.engine import make_url

    from scop_ledger.store.engine import normalise_url

    name = f"scop_ledger_icu_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(
                sqlalchemy.text(
                    f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu "
                    "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
                )
            )
    except sqlalchemy.exc.DBAPIError as error:
        engine.dispose()
        pytest.skip(f"cannot create a database with an ICU collation here: {error.orig}")
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text(f"DROP DATABASE {name} WITH (FORCE)"))
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a real SQLite file and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


def console_script() -> list[str]:
    """The installed ``scop-ledger`` next to this interpreter (else ``python -m``)."""
    candidate = Path(sys.executable).parent / "scop-ledger"
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which("scop-ledger")
    return [found] if found else [sys.executable, "-m", "scop_ledger"]


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(tmp_path: Path):
    """Run the installed console script in a subprocess against a store URL."""

    def run(db: str, *args: str, env: dict[str, str] | None = None) -> Run:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
        full_env.update({"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "e2e", "SCOP_LEDGER_LANG": "en"})
        full_env.update(env or {})
        proc = subprocess.run(
            [*console_script(), *args],
            capture_output=True,
            text=True,
            env=full_env,
            cwd=tmp_path,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def run_here():
    """Run the CLI in this process (click's runner) against a store URL, as ``run_cli`` runs the
    installed script: for a test's set-up and for the side of a comparison that is not what the
    test is about (a subprocess costs the interpreter's start and every import, each time)."""
    from click.testing import CliRunner

    from scop_ledger.cli.main import main

    runner = CliRunner()

    def run(db: str, *args: str, env: dict[str, str] | None = None) -> Run:
        full_env = {"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "e2e", "SCOP_LEDGER_LANG": "en"}
        full_env.update(env or {})
        result = runner.invoke(main, list(args), env=full_env)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run
