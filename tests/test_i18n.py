"""The languages: every message of the source has its French translation, the language is
chosen as documented, and French numbers and dates are written the French way."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from scop_ledger import i18n

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_its_french_translation() -> None:
    found = _script().problems("fr")
    assert not found, "\n".join(found[:50])


def test_the_check_sees_a_message_without_translation(tmp_path: Path) -> None:
    script = _script()
    assert "error: {line}" in script.extracted()
    assert script.placeholders("{a} and {b:>3} {c!r}") == {"a", "b", "c"}
    import shutil

    shutil.copytree(script.LOCALE, tmp_path / "locale")
    core = tmp_path / "locale" / "fr" / "LC_MESSAGES" / "core.po"
    text = core.read_text(encoding="utf-8")
    core.write_text(
        text.replace('msgstr "oui"', 'msgstr ""').replace("erreur : {line}", "erreur : {ligne}"),
        encoding="utf-8",
    )
    script.LOCALE = tmp_path / "locale"
    found = "\n".join(script.problems("fr"))
    assert "'yes' has no fr translation" in found
    assert "'error: {line}' and its translation differ in placeholders" in found


@pytest.mark.parametrize(
    ("asked", "environ", "expected"),
    [
        ("fr", {"SCOP_LEDGER_LANG": "en"}, "fr"),
        (None, {"SCOP_LEDGER_LANG": "fr", "LANG": "en_US.UTF-8"}, "fr"),
        (None, {"LC_ALL": "fr_BE.UTF-8", "LANG": "en_GB"}, "fr"),
        (None, {"LC_MESSAGES": "fr_FR@euro"}, "fr"),
        (None, {"LANG": "fr_CA"}, "fr"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {}, "en"),
        (None, {"SCOP_LEDGER_LANG": "", "LANG": "fr_FR"}, "fr"),
    ],
)
def test_language_is_chosen_as_documented(asked, environ, expected) -> None:
    assert i18n.resolve(asked, environ) == expected


def test_french_numbers_money_and_dates() -> None:
    with i18n.speaking("fr"):
        assert i18n.money(Decimal("2550.00")) == "2\u202f550,00\u00a0€"
        assert i18n.number(Decimal("0.8974")) == "0,8974"
        assert i18n.number(Decimal("1234567.5")) == "1\u202f234\u202f567,5"
        assert i18n.number(12000) == "12\u202f000"
        assert i18n.day(date(2024, 12, 31)) == "31/12/2024"
        assert i18n._("yes") == "oui"
    assert i18n.money(Decimal("2550.00")) == "2550.00"
    assert i18n.day(date(2024, 12, 31)) == "2024-12-31"
    assert i18n._("yes") == "yes"


def test_cli_error_in_french(run_cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'none.db'}"
    french = run_cli(db, "--lang", "fr", "capital")
    assert french.code == 3 and french.err.startswith("erreur : ")
    by_locale = run_cli(db, "capital", env={"SCOP_LEDGER_LANG": "", "LC_ALL": "fr_FR.UTF-8"})
    assert by_locale.err.startswith("erreur : ")
    english = run_cli(db, "capital")
    assert english.err.startswith("error: ")


def test_click_speaks_french_too(run_cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'none.db'}"
    usage = run_cli(db, "--lang", "fr", "capital", "--bogus")
    assert usage.code == 2
    assert "Erreur : Option inconnue : '--bogus'." in usage.err
    assert "Utilisation : scop-ledger capital" in usage.err
    helped = run_cli(db, "--lang", "fr", "capital", "--help")
    assert "Afficher ce message et quitter." in helped.out
    english = run_cli(db, "capital", "--bogus")
    assert "Error: No such option: --bogus" in english.err or "No such option" in english.err
