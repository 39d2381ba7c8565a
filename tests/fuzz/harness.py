"""The fuzz suite's harness: a ledger to copy for each example, the real CLI run with any bytes
as arguments, and the checks every case must pass (issue 13, "A fuzz suite").

Every example starts from a fresh copy of one prepared ledger (a SQLite file copied, or a
PostgreSQL database created from a template), so that a case that breaks its store cannot make
the following ones fail, and the example hypothesis reports is the one that broke it.

For every command run:

- the exit code is 0, 1, 2 or 3; neither ``unexpected failure`` nor ``Traceback`` appears;
- on failure, stderr is click's usage error (exactly ``Usage: …``, ``Try '…' for help.``, an
  empty line and one ``Error: …`` line, exit 2) or our own: ``warning: …`` lines and exactly one
  ``error: …`` line (``import``: one ``error: …`` line per invalid row), with no control
  character in any line;
- after a non-zero exit, ``history --format json`` and ``verify`` say what they said before.

The fuzzed commands run the installed script in a subprocess (any bytes as arguments, the real
start-up); the harness's own steps (the prepared ledger's set-up, ``history``, ``verify``, the
queries and the probe: plain arguments) run the same CLI in this process, through click's
runner, against the same store, and are held to the same checks.

After each example every query answers (``capital``, ``votes``, ``refunds``, ``members``,
``compliance``, ``register``, ``history``, ``verify``; ``compliance`` may exit 1 naming a
breach), and when every command of the example failed, their answers are those of the prepared
ledger. After an example that recorded something, one more ``hire`` must still work.

``SCOP_LEDGER_FUZZ_EXAMPLES`` sets the number of examples per test (default 15);
``SCOP_LEDGER_FUZZ_LOG=FILE`` appends every case to FILE as JSON and reports the problems there
instead of failing (to survey many cases at once); ``SCOP_LEDGER_FUZZ_SHRINK=1`` lets hypothesis
shrink a failing example (slow: every step runs the CLI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import traceback
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

from tests.conftest import console_script, pg_base_or_skip
from tests.helpers import init_args

EXAMPLES = int(os.environ.get("SCOP_LEDGER_FUZZ_EXAMPLES", "15"))
LOG = os.environ.get("SCOP_LEDGER_FUZZ_LOG") or None
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
if os.environ.get("SCOP_LEDGER_FUZZ_SHRINK"):
    _PHASES.append(Phase.shrink)

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=_PHASES,
    print_blob=True,
)

TIMEOUT = 120
TODAY = date.today().isoformat()
# Below the SQLite default of 30 s for a locked store: a command must answer, not wait.
Arg = str | bytes


@dataclass(frozen=True)
class Run:
    args: tuple[Arg, ...]
    code: int
    out: str
    err: str


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")


def run(url: str, args: Sequence[Arg], cwd: Path, user: Arg = "fuzz") -> Run:
    """The installed ``scop-ledger`` with ``args`` (bytes pass as they are: an argument that is
    not UTF-8, as a shell can give), the screen read as bytes (no newline translation)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOP_LEDGER_")}
    env["SCOP_LEDGER_DB"] = url
    given = (*(["--user", user] if user != "fuzz" else []), *args)
    full = [*console_script(), "--user", user, *args]
    try:
        proc = subprocess.run(
            full,
            capture_output=True,
            env=env,
            cwd=cwd,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as expired:
        return Run(given, -1, _decode(expired.stdout or b""), f"timed out after {TIMEOUT}s")
    return Run(given, proc.returncode, _decode(proc.stdout), _decode(proc.stderr))


def observe(url: str, args: Sequence[str]) -> Run:
    """The CLI with plain ``args`` run in this process (click's runner) as the user ``fuzz``:
    the harness's own set-up and observations, which a subprocess would only make slower. An
    exception that escapes the CLI is shown on stderr as its traceback, as the script would."""
    from click.testing import CliRunner

    from scop_ledger.cli.main import main

    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("SCOP_LEDGER_")}
    env.update({"SCOP_LEDGER_DB": url, "SCOP_LEDGER_LANG": "en"})
    result = CliRunner().invoke(main, ["--user", "fuzz", *args], env=env)
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(result.exception))
    return Run(tuple(args), result.exit_code, result.stdout, err)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def problems(run_: Run, *, many_lines: bool = False) -> list[str]:
    """What is wrong with one command's run (empty when nothing is). ``many_lines``: the
    command reports one line per invalid row (``import``)."""
    found = []
    if run_.code not in (0, 1, 2, 3):
        found.append(f"exit code {run_.code}")
    for word in ("unexpected failure", "Traceback"):
        if word in run_.out or word in run_.err:
            found.append(f"{word!r} in the output")
    if run_.code not in (0, -1) and not found:
        found.extend(_stderr_problems(run_.err, run_.code, many_lines))
    return found


def _stderr_problems(err: str, code: int, many_lines: bool) -> list[str]:
    if err.startswith("Usage: "):
        lines = err.rstrip("\n").split("\n")
        shaped = (
            len(lines) == 4
            and lines[1].startswith("Try '")
            and lines[2] == ""
            and lines[3].startswith("Error: ")
        )
        if not shaped or code != 2:
            return [f"a usage error of another shape (exit {code}, {len(lines)} lines)"]
        lines = lines[3:]
    else:
        lines = [line for line in err.split("\n") if line.strip()]
        errors = [line for line in lines if not line.startswith("warning: ")]
        if not errors:
            return ["a failure with no error line"]
        if not all(line.startswith("error: ") for line in errors):
            return [f"a line on stderr that is not 'error: …' ({len(errors)} lines)"]
        if len(errors) > 1 and not many_lines:
            return [f"{len(errors)} error lines"]
    if any(_CONTROL.search(line) for line in lines):
        return ["a control character in an error line"]
    return []


# The harness's own commands name the cooperative: an example may register another one.
ACME = ["--coop", "acme"]
QUERIES: list[list[str]] = [
    [*ACME, "capital", "--as-of", TODAY, "--format", "json"],
    [*ACME, "votes", "--as-of", TODAY, "--format", "json"],
    [*ACME, "refunds", "--as-of", TODAY, "--format", "json"],
    [*ACME, "members", "--as-of", TODAY, "--format", "json"],
    [*ACME, "compliance", "--as-of", TODAY, "--format", "json"],
    [*ACME, "register", "--as-of", TODAY, "--format", "json"],
]


def _stable(text: str) -> str:
    """A query's JSON answer without its ``known_at`` (the moment it was asked)."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, dict):
        value.pop("known_at", None)
    return json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class State:
    history: str
    verify: str


class Case:
    """One example: commands run on one fresh copy of the prepared ledger, and the checks."""

    def __init__(self, store: Store, url: str, cwd: Path) -> None:
        self.store = store
        self.url = url
        self.cwd = cwd
        self.state = store.state
        self.runs: list[dict[str, object]] = []
        self.found: list[str] = []
        self.any_success = False
        self.read_only = False

    def _note(self, run_: Run, found: list[str]) -> None:
        self.runs.append(
            {
                "args": [_arg(a) for a in run_.args],
                "code": run_.code,
                "out": run_.out[-400:],
                "err": run_.err[:1500],
                "problems": found,
            }
        )
        self.found.extend(f"{_show(run_.args)}: {p}" for p in found)

    def state_now(self) -> State:
        history = observe(self.url, [*ACME, "history", "--format", "json"])
        verify = observe(self.url, [*ACME, "verify"])
        for step, expected in ((history, {0}), (verify, {0})):
            found = problems(step)
            if step.code not in expected:
                found.append(f"did not answer (exit {step.code}): {step.err.strip()[:300]}")
            if found:
                self._note(step, found)
        return State(_stable(history.out), verify.out)

    def query(self, args: Sequence[Arg]) -> Run:
        """Run one query (the ledger is compared with the prepared one at :meth:`finish`)."""
        done = run(self.url, args, self.cwd)
        self.read_only = True
        self._note(done, problems(done))
        return done

    def command(self, args: Sequence[Arg], *, many_lines: bool = False, user: Arg = "fuzz") -> Run:
        """Run one command; after a failure, the history and the chain must be unchanged."""
        done = run(self.url, args, self.cwd, user=user)
        found = problems(done, many_lines=many_lines)
        after = self.state_now()
        if done.code != 0 and after != self.state:
            which = "history" if after.history != self.state.history else "verify"
            found.append(f"exit {done.code}, yet `{which}` changed")
        self.any_success |= done.code == 0
        self.state = after
        self._note(done, found)
        return done

    def finish(self) -> None:
        """Every query answers; with nothing recorded, as it did on the prepared ledger;
        after something was recorded, a plain write still works. Then report."""
        if self.read_only:
            self.state = self.state_now()
            if self.state != self.store.state:
                self.found.append("after queries alone, `history` or `verify` changed")
        answers = self.store.answer(self.url, self._note)
        if not self.any_success and answers != self.store.answers:
            changed = [
                q[2] for q, a, b in zip(QUERIES, answers, self.store.answers, strict=True) if a != b
            ]
            self.found.append(f"every command failed, yet {', '.join(changed)} changed")
        if self.any_success:
            probe = observe(self.url, [*ACME, "hire", "probe-after", "--date", "2020-06-01"])
            if probe.code != 0:
                self._note(probe, [f"a plain hire fails afterwards (exit {probe.code})"])
        if LOG:
            with open(LOG, "a", encoding="utf-8") as log:
                log.write(
                    json.dumps(
                        {"backend": self.store.backend, "runs": self.runs, "found": self.found}
                    )
                    + "\n"
                )
            return
        assert not self.found, "\n".join(self.found) + "\n" + json.dumps(self.runs, indent=1)


def _arg(arg: Arg) -> str:
    """An argument as a failure message shows it: as typed when plain, else its repr, cut."""
    plain = isinstance(arg, str) and arg.isprintable() and " " not in arg and arg != ""
    text = arg if plain else repr(arg)
    return text if len(text) <= 120 else f"{text[:100]}...({len(arg)} chars)"


def _show(args: Sequence[Arg]) -> str:
    return "scop-ledger " + " ".join(_arg(a) for a in args)


SETUP: list[list[str]] = [
    init_args("2020-01-01", "Acme"),
    ["hire", "alice", "--name", "Alice", "--date", "2020-01-01"],
    ["hire", "bob", "--name", "Bob", "--date", "2020-01-01"],
    ["admit", "alice", "--date", "2020-02-01"],
    ["subscribe", "alice", "--shares", "10", "--paid", "100", "--date", "2020-02-01"],
    ["admit", "carol", "--name", "Carol", "--date", "2020-03-01"],
    ["subscribe", "carol", "--shares", "4", "--date", "2020-03-01"],
    ["appoint", "alice", "--office", "manager", "--term-years", "4", "--date", "2020-03-01"],
]


class Store:
    """A prepared ledger on one back end, and fresh copies of it."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend = backend
        self.tmp_path = tmp_path
        self._engine = None
        if backend == "sqlite":
            self.template = f"sqlite:///{tmp_path / 'template.db'}"
        else:
            import sqlalchemy
            from sqlalchemy.engine import make_url

            from scop_ledger.store.engine import normalise_url

            base = pg_base_or_skip()
            self._base = base
            self._engine = sqlalchemy.create_engine(
                normalise_url(base), isolation_level="AUTOCOMMIT"
            )
            self._template_name = f"scop_fuzz_{uuid.uuid4().hex[:12]}"
            self._execute(f"CREATE DATABASE {self._template_name}")
            url = make_url(base).set(database=self._template_name)
            self.template = url.render_as_string(hide_password=False)
        for step in SETUP:
            done = observe(self.template, step)
            assert done.code == 0, (step, done.err)
        # The first query prepares the view: make the template's copies start equal.
        self.answers: list[str] = []
        self.state = State("", "")
        probe = Case(self, self.template, tmp_path)
        self.state = probe.state_now()
        self.answers = self.answer(self.template, probe._note)
        assert not probe.found, probe.found

    def _execute(self, sql: str) -> None:
        import sqlalchemy

        assert self._engine is not None
        with self._engine.connect() as conn:
            conn.execute(sqlalchemy.text(sql))

    def answer(self, url: str, note) -> list[str]:  # type: ignore[no-untyped-def]
        out = []
        for query in QUERIES:
            done = observe(url, query)
            found = problems(done)
            breach = query[2] == "compliance" and done.code == 1 and "breach" in done.err
            if done.code != 0 and not breach:
                found.append(f"did not answer (exit {done.code}): {done.err.strip()[:300]}")
            if found:
                note(done, found)
            out.append(_stable(done.out))
        return out

    @contextmanager
    def copy(self) -> Iterator[Case]:
        """A fresh copy of the prepared ledger, dropped afterwards."""
        name = uuid.uuid4().hex[:12]
        cwd = self.tmp_path / f"case-{name}"
        cwd.mkdir()
        if self.backend == "sqlite":
            source = self.tmp_path / "template.db"
            target = cwd / "ledger.db"
            shutil.copyfile(source, target)
            url = f"sqlite:///{target}"
        else:
            from sqlalchemy.engine import make_url

            database = f"scop_fuzz_{name}"
            self._execute(f"CREATE DATABASE {database} TEMPLATE {self._template_name}")
            url = make_url(self._base).set(database=database).render_as_string(False)
        try:
            yield Case(self, url, cwd)
        finally:
            if self.backend != "sqlite":
                self._execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            shutil.rmtree(cwd, ignore_errors=True)

    def close(self) -> None:
        if self._engine is not None:
            self._execute(f"DROP DATABASE IF EXISTS {self._template_name} WITH (FORCE)")
            self._engine.dispose()
