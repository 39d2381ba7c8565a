"""The command line's help in French: the root group's help and options, and each command's
summary in ``scop-ledger --help`` equal to the first sentence of its own French help."""

from __future__ import annotations

import importlib

import click
from click.testing import CliRunner

from scop_ledger.cli.main import COMMANDS, main
from scop_ledger.i18n import _, speaking


def test_each_translated_summary_is_the_first_sentence_of_the_commands_french_help() -> None:
    ctx = click.Context(main)
    # A command's help is translated when its module is imported: imported again in English
    # (whatever an earlier test spoke), each help is its message id.
    with speaking("en"):
        for module in ("options", "write", "people", "governance"):
            importlib.reload(importlib.import_module(f"scop_ledger.cli.{module}"))
        commands = {name: main.get_command(ctx, name) for name in COMMANDS}
    checked = []
    with speaking("fr"):
        for name, (_where, summary) in COMMANDS.items():
            command = commands[name]
            assert command is not None and command.help is not None
            french = _(command.help)
            if french == command.help:
                continue  # that command's help is translated on another branch
            short = click.Command(name, help=french).get_short_help_str(10**6)
            assert short == _(summary), name
            checked.append(name)
    assert {"hire", "subscribe", "withdraw", "init", "allocate", "reverse"} <= set(checked)


def test_the_root_help_speaks_french_and_english_again_afterwards() -> None:
    runner = CliRunner()
    french = runner.invoke(main, ["--lang", "fr", "--help"])
    assert french.exit_code == 0
    assert "le registre des associés et du capital" in french.output
    assert "Exemple :" in french.output
    assert "Ouvre la base en lecture seule" in french.output
    assert "L'associé souscrit des parts" in french.output
    english = runner.invoke(main, ["--lang", "en", "--help"])
    assert "the membership and share-capital ledger" in english.output
    assert "Open the store read-only (auditor's mode); writes exit 3." in english.output
    assert "The partner subscribes shares" in english.output


def test_clicks_own_texts_speak_english_again_after_a_french_command(tmp_path) -> None:
    runner = CliRunner()
    env = {"SCOP_LEDGER_DB": f"sqlite:///{tmp_path / 'l.db'}", "SCOP_LEDGER_LANG": "en"}
    french = runner.invoke(main, ["--lang", "fr", "hir"], env=env)
    assert french.exit_code == 2 and "Commande inconnue" in french.output
    english = runner.invoke(main, ["hir"], env=env)
    assert english.exit_code == 2 and "No such command 'hir'" in english.output, english.output
    assert "Utilisation" not in english.output
