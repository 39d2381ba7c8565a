"""The CLI in-process (click's CliRunner): help, options, environment variables, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scop_ledger.cli.main import main


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
    for name in main.commands:
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Example:" in result.output and f"scop-ledger {name}" in result.output, name


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
