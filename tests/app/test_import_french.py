"""``import`` of what a French treasurer writes: French column and action names, yes/no words,
did-you-mean hints; every invalid row named in one run, nothing written; French messages."""

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

    def invoke(*args: str, lang: str = "en"):
        env = {"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "t", "SCOP_LEDGER_LANG": lang}
        return runner.invoke(main, list(args), env=env)

    init = invoke(
        "init", "acme", "--name", "A", "--legal-form", "sarl", "--share-value", "25",
        "--date", "2016-01-01",
    )  # fmt: skip
    assert init.exit_code == 0, init.stderr
    return invoke


def history(cli) -> list[dict]:
    return json.loads(cli("history", "--format", "json").stdout)["entries"]


def errors(result) -> list[str]:
    return result.stderr.strip().splitlines()


def test_french_headers_actions_and_values(cli, tmp_path: Path) -> None:
    path = tmp_path / "mouvements.csv"
    path.write_text(
        "Opération;Date;Personne;Nom;Parts;Montant libéré;Montant;Motif;Personne morale;"
        "Fonction;Durée du mandat\n"
        "Embauche;01/01/2016;alice;Alice Martin;;;;;;;\n"
        "ADMISSION;01/02/2016;alice;;;;;;non;;\n"
        "souscription;01/02/2016;alice;;40;500;;;;;\n"
        "Libération;01/03/2016;alice;;;;500,00;;;;\n"
        "admission;01/02/2016;fonds;Fonds Régional;;;;;Oui;;\n"
        "Souscription;01/02/2016;fonds;;10;;;;;;\n"
        "nomination;01/02/2016;alice;;;;;;;Gérante;4\n"
        "embauche;01/01/2016;bob;;;;;;;;\n"
        "Fin de contrat;31/03/2017;bob;;;;;Licenciement;;;\n",
        encoding="utf-8",
    )
    done = cli("import", str(path), "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["recorded"] == 9
    capital = json.loads(cli("capital", "--as-of", "2017-12-31", "--format", "json").stdout)
    assert capital["shares"] == 50
    assert {p["person"]: p["paid"] for p in capital["partners"]} == {
        "alice": "1000.00",
        "fonds": "250.00",
    }
    members = json.loads(cli("members", "--format", "json").stdout)["members"]
    assert {m["person"]: m["employed"] for m in members} == {
        "alice": True,
        "fonds": False,
        "bob": False,
    }
    actions = [e["action"] for e in history(cli)]
    assert actions.count("appoint") == 1 and actions.count("terminate") == 1
    # The same rows in English are the same rows: nothing new.
    english = tmp_path / "moves.csv"
    english.write_text(
        "action,date,person,name,legal_person\n"
        "hire,2016-01-01,alice,Alice Martin,\n"
        "admit,2016-02-01,fonds,Fonds Régional,yes\n",
        encoding="utf-8",
    )
    again = cli("import", str(english), "--format", "json")
    assert json.loads(again.stdout)["recorded"] == 0


def test_an_unknown_column_gets_a_hint(cli, tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("opération;date;persone;montnat\nembauche;01/01/2016;alice;\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 1: unknown column(s) persone (did you mean 'personne' / 'person'?), "
        "montnat (did you mean 'montant' / 'mandat'?)"
    ]
    assert len(history(cli)) == 1


def test_one_column_twice_under_two_names_is_refused(cli, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("action,date,person,personne\nhire,2016-01-01,alice,alice\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == ["error: line 1: the columns 'person' and 'personne' are one column"]


def test_an_unknown_action_gets_a_hint_in_the_language_asked(cli, tmp_path: Path) -> None:
    path = tmp_path / "actions.csv"
    path.write_text("opération,date,personne\nembauhce,2016-01-01,alice\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 2: action 'embauhce' is unknown; did you mean 'embauche'?"
    ]
    french = cli("import", str(path), lang="fr")
    assert french.exit_code == 2
    assert errors(french) == [
        "erreur : ligne 2 : opération 'embauhce' inconnue ; vouliez-vous dire 'embauche' ?"
    ]


@pytest.mark.parametrize(
    ("word", "legal"),
    [("oui", True), ("Vrai", True), ("X", True), ("1", True), ("yes", True),
     ("NON", False), ("faux", False), ("0", False), ("", False), ("false", False)],
)  # fmt: skip
def test_yes_no_words(cli, tmp_path: Path, word: str, legal: bool) -> None:
    path = tmp_path / "flags.csv"
    path.write_text(f"action;date;person;personne-morale\nadmission;01/02/2016;fonds;{word}\n")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    admitted = [e for e in history(cli) if e["action"] == "admit"]
    assert admitted[0]["details"]["legal_person"] is legal


def test_a_word_neither_yes_nor_no_names_line_column_and_words(cli, tmp_path: Path) -> None:
    path = tmp_path / "flags.csv"
    path.write_text("action;date;person;legal_person\nadmit;01/02/2016;fonds;peut-être\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 2: legal_person 'peut-être' is neither yes nor no (write one of oui, non, "
        "vrai, faux, yes, no, true, false, 1, 0, x, or leave it empty)"
    ]


# Lines 3, 5 and 9 are invalid: a date that does not exist, a subscription by someone not a
# partner (known only against the ledger), an unknown action.
THREE_BAD = (
    "action,date,person,shares,amount\n"
    "hire,2016-01-01,alice,,\n"  # 2
    "admit,2016-02-30,alice,,\n"  # 3: no such date
    "hire,2016-01-01,bob,,\n"  # 4
    "subscribe,2016-02-01,bob,4,\n"  # 5: bob is not a partner
    "admit,2016-02-01,carol,,\n"  # 6
    "subscribe,2016-02-01,carol,4,\n"  # 7
    "hire,2016-03-01,dan,,\n"  # 8
    "dance,2016-03-01,dan,,\n"  # 9: no such action
)


def test_every_invalid_row_is_named_in_one_run_and_nothing_is_written(cli, tmp_path: Path) -> None:
    before = history(cli)
    path = tmp_path / "three.csv"
    path.write_text(THREE_BAD)
    result = cli("import", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    lines = errors(result)
    assert [line.split(":")[1].strip() for line in lines] == ["line 3", "line 5", "line 9"]
    assert "2016-02-30" in lines[0]
    assert lines[1] == "error: line 5: bob is not a partner on 2016-02-01"
    assert "'dance'" in lines[2]
    assert history(cli) == before


def test_every_row_the_rules_refuse_is_named_and_the_rest_checked_without_it(
    cli, tmp_path: Path
) -> None:
    path = tmp_path / "refused.csv"
    path.write_text(
        "action,date,person,shares\n"
        "hire,2016-01-01,alice,\n"
        "subscribe,2016-02-01,alice,4\n"  # 3: alice is not a partner
        "admit,2016-02-01,alice,\n"
        "withdraw,2016-03-01,alice,1\n"  # 5: she holds no share (line 3 left out)
        "hire,2010-01-01,bob,\n"  # 6: before the registration: bob is not registered
        "admit,2016-02-01,bob,\n"  # 7: fine once line 6 is left out
        "subscribe,2016-02-01,eve,1\n"  # 8: nobody
    )
    result = cli("import", str(path))
    assert result.exit_code == 1 and result.stdout == ""
    lines = errors(result)
    assert [line.split(":")[1].strip() for line in lines] == [
        "line 3",
        "line 5",
        "line 6",
        "line 8",
    ]
    assert lines[0] == "error: line 3: alice is not a partner on 2016-02-01"
    assert "eve" in lines[3]
    assert len(history(cli)) == 1


def test_a_broken_file_names_the_first_hundred_rows_and_counts_the_rest(
    cli, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text("action,date,person\n" + "hire,2016-02-30,alice\n" * 150)
    result = cli("import", str(path))
    assert result.exit_code == 2
    lines = errors(result)
    assert len(lines) == 101
    assert lines[99].startswith("error: line 101: ")
    assert lines[100] == "error: ... and 50 more errors"
    french = cli("import", str(path), lang="fr")
    assert errors(french)[100] == "erreur : ... et 50 autres erreurs"


def test_errors_and_the_summary_speak_french(cli, tmp_path: Path) -> None:
    path = tmp_path / "mouvements.csv"
    path.write_text("opération;date;personne;parts\nembauche;01/01/2016;alice;\n")
    dry = cli("import", str(path), "--dry-run", lang="fr")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "ligne 2 : enregistrerait hire alice 01/01/2016",
        "mouvements.csv : 1 lignes, 1 seraient enregistrées, 0 déjà enregistrées "
        "(simulation : rien n'est écrit)",
    ]
    done = cli("import", str(path), lang="fr")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("mouvements.csv : 1 lignes, 1 enregistrées, 0 déjà")
    bad = tmp_path / "mauvais.csv"
    bad.write_text("opération;date;personne;parts\nsouscription;31/02/2016;alice;4\n")
    refused = cli("import", str(bad), lang="fr")
    assert refused.exit_code == 2
    assert errors(refused) == [
        "erreur : ligne 2 : date '31/02/2016' n'est pas une date (JJ/MM/AAAA)"
    ]


def test_french_names_in_a_workbook_and_in_json_lines(cli, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Opération", "Date", "Personne", None, "Parts", "Personne morale"])
    sheet.append(["Admission", "01/02/2016", "fonds", None, None, True])
    sheet.append(["souscription", "01/02/2016", "fonds", None, 4, None])
    workbook = tmp_path / "mouvements.xlsx"
    book.save(workbook)
    done = cli("import", str(workbook), "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["recorded"] == 2
    lines = tmp_path / "mouvements.jsonl"
    lines.write_text(
        '{"opération": "Embauche", "date": "2016-01-01", "personne": "alice"}\n'
        '{"operation": "admission", "date": "2016-02-01", "personne": "alice", "action": "x"}\n'
        '{"opération": "admission", "date": "2016-02-01", "personne": "bob", "montnat": 1}\n',
        encoding="utf-8",
    )
    result = cli("import", str(lines))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 2: the keys 'operation' and 'action' are one column",
        "error: line 3: unknown column(s) montnat (did you mean 'montant' / 'mandat'?)",
    ]
    admitted = [e for e in history(cli) if e["action"] == "admit"]
    assert admitted[0]["details"]["legal_person"] is True
