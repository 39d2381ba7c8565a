"""The CLI in-process (click's CliRunner): help, options, environment variables, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scop_ledger.cli.main import COMMANDS, main


@pytest.fixture
def cli(tmp_path: Path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'ledger.db'}"

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(
            main, list(args), env={"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "cli", **(env or {})}
        )

    return invoke


def test_every_command_has_help_with_an_example(cli) -> None:
    names = main.list_commands(click.Context(main))
    assert "hire" in names and "verify" in names
    for name in names:
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Example:" in result.output and f"scop-ledger {name}" in result.output, name


def test_the_root_help_lists_each_command_with_the_summary_of_its_own_help() -> None:
    ctx = click.Context(main)
    for name, (_, summary) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None and command.name == name, name
        assert command.get_short_help_str(10**6) == summary, name


def test_an_unknown_command_suggests_the_close_names(cli) -> None:
    result = cli("hir")
    assert result.exit_code == 2
    assert "No such command 'hir'." in result.output
    assert "'hire'" in result.output and "'history'" in result.output


def test_global_options_and_their_environment_variables(cli, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert (
        cli(
            "--db",
            other,
            "init",
            "beta",
            "--name",
            "B",
            "--legal-form",
            "sas",
            "--share-value",
            "10",
        ).exit_code
        == 0
    )
    assert (tmp_path / "other.db").exists() and not (tmp_path / "ledger.db").exists()
    assert (
        cli(
            "init",
            "acme",
            "--name",
            "A",
            "--legal-form",
            "sarl",
            "--share-value",
            "25",
            "--date",
            "2016-01-01",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "init",
            "zeta",
            "--name",
            "Z",
            "--legal-form",
            "sarl",
            "--share-value",
            "25",
            "--date",
            "2016-01-01",
        ).exit_code
        == 0
    )
    ambiguous = cli("hire", "alice", "--date", "2016-01-01")
    assert ambiguous.exit_code == 2 and "pass --coop" in ambiguous.stderr
    assert cli("--coop", "acme", "hire", "alice", "--date", "2016-01-01").exit_code == 0
    by_env = cli(
        "hire",
        "bob",
        "--date",
        "2016-01-01",
        env={"SCOP_LEDGER_COOP": "zeta", "SCOP_LEDGER_USER": "treasurer"},
    )
    assert by_env.exit_code == 0, by_env.stderr
    history = json.loads(cli("--coop", "zeta", "history", "--format", "json").stdout)
    assert [(e["person"], e["recorded_by"]) for e in history["entries"]] == [
        (None, "cli"),
        ("bob", "treasurer"),
    ]
    assert cli("--coop", "nope", "hire", "x").exit_code == 1
    coops = json.loads(cli("coops", "--format", "json").stdout)
    assert [c["coop"] for c in coops["coops"]] == ["acme", "zeta"]


def test_write_commands_print_their_entry(cli) -> None:
    cli(
        "init",
        "acme",
        "--name",
        "A",
        "--legal-form",
        "sarl",
        "--share-value",
        "25",
        "--date",
        "2016-01-01",
    )
    table = cli("hire", "alice", "--date", "2016-01-01")
    assert table.exit_code == 0 and table.stdout.startswith(
        "recorded entry 3: hire alice on 2016-01-01"
    )
    js = json.loads(cli("admit", "alice", "--date", "2016-01-02", "--format", "json").stdout)
    assert js["event"] == 4 and js["person"] == "alice"
    csv_out = cli("history", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith(
        "id,sequence,action,person,date,recorded_at,recorded_by,ref,note,reversed_by"
    )
    assert len(csv_out) == 4


def test_default_date_is_today(cli) -> None:
    from datetime import date

    cli(
        "init",
        "acme",
        "--name",
        "A",
        "--legal-form",
        "sarl",
        "--share-value",
        "25",
        "--date",
        "2016-01-01",
    )
    js = json.loads(cli("hire", "alice", "--format", "json").stdout)
    assert js["date"] == date.today().isoformat()


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("x.csv\n", "--out 'x.csv\\n': a file name without control characters"),
        ("x.txt", "--out 'x.txt': the file must end in .csv or .xlsx"),
        ("nope/x.csv", "--out 'nope/x.csv': no such folder 'nope'"),
    ],
)
def test_a_bad_out_file_is_one_line(cli, name: str, says: str) -> None:
    result = cli("members", "--out", name)
    assert result.exit_code == 2
    assert result.stderr == f"error: {says}\n"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("/proc/self/x.xlsx", "'/proc/self/x.xlsx': No such file or directory"),
        ("x" * 300 + ".csv", "'" + "x" * 64 + "...xxxxxxx.csv': File name too long"),
    ],
)
def test_an_out_file_that_cannot_be_written_is_one_line(
    cli, name: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (
        cli("init", "acme", "--name", "A", "--legal-form", "sarl", "--share-value", "25").exit_code
        == 0
    )
    result = cli("members", "--out", name)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {says}\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".x")] == []


def test_a_command_imports_its_own_module_only() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from scop_ledger.cli.main import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        "assert CliRunner().invoke(main, ['hire', '--help']).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith(('scop_ledger.cli.', 'sqlalchemy'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.strip()
    assert "scop_ledger.cli.people" in loaded and "scop_ledger.cli.write" in loaded
    for other in ("query", "audit", "governance"):
        assert f"scop_ledger.cli.{other}'" not in loaded, other
    assert "sqlalchemy" not in loaded
