"""``import`` end to end on both back ends: a row's identity is its content, so a grown or
re-saved file records only its new rows; ``--dry-run`` says what would happen."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from scop_ledger.app.importing import plan, run_import
from tests.helpers import init_args, open_ledger

pytestmark = pytest.mark.e2e

INIT = init_args("2020-01-01")
HEADER = "action,date,person,shares,paid,amount,ref,note\n"
START = (
    "hire,2020-01-01,alice,,,,contract,\n"
    "admit,2020-01-05,alice,,,,,\n"
    "subscribe,2020-01-05,alice,4,50,,,\n"
    "pay-up,2020-01-31,alice,,,25,,\n"
)


@pytest.fixture
def db(run_here, store_url: str) -> str:
    """An empty cooperative, made through the CLI in this process (set-up)."""
    assert run_here(store_url, *INIT).code == 0
    return store_url


def entries(run, db: str) -> list[dict]:
    """What was recorded (tests read it through the CLI in this process: it is the imports'
    outcome that is tested, through the installed script)."""
    result = run(db, "history", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["entries"]


def imported(run_cli, db: str, path: Path, *args: str) -> dict:
    result = run_cli(db, "import", str(path), *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_grown_file_records_only_its_new_rows(run_cli, run_here, db: str, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(HEADER + START)
    assert imported(run_cli, db, path)["recorded"] == 4
    # The treasurer adds February's payment and saves the file again.
    path.write_text(HEADER + START + "pay-up,2020-02-29,alice,,,25,,\n")
    again = imported(run_cli, db, path)
    assert (again["recorded"], again["skipped"]) == (1, 4)
    paid = [e for e in entries(run_here, db) if e["action"] == "pay-up"]
    assert [e["date"] for e in paid] == ["2020-01-31", "2020-02-29"]
    # Re-saved with its rows in another order and another spelling of the same amounts.
    path.write_text(
        HEADER
        + "pay-up,2020-02-29,alice,,,25.00,,\n"
        + START.replace(",25,,", ",25.0,,").replace(",50,", ",50.00,")
    )
    assert imported(run_cli, db, path)["recorded"] == 0


def test_identical_rows_are_as_many_entries(run_cli, run_here, db: str, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    twice = "pay-up,2020-01-31,alice,,,5,,\n" * 2
    path.write_text(HEADER + START + twice)
    assert imported(run_cli, db, path)["recorded"] == 6
    assert imported(run_cli, db, path)["recorded"] == 0
    path.write_text(HEADER + START + twice + "pay-up,2020-01-31,alice,,,5,,\n")
    assert imported(run_cli, db, path)["recorded"] == 1
    tens = [e for e in entries(run_here, db) if e["details"].get("amount") == "5.00"]
    assert len(tens) == 3


def test_a_row_typed_by_hand_first_is_not_recorded_again(
    run_cli, run_here, db: str, tmp_path: Path
) -> None:
    for step in (
        ["hire", "alice", "--date", "2020-01-01", "--ref", "contract"],
        ["admit", "alice", "--date", "2020-01-05"],
        ["subscribe", "alice", "--shares", "4", "--paid", "50.0", "--date", "2020-01-05"],
        ["subscribe", "alice", "--shares", "2", "--date", "2020-01-06"],
    ):
        assert run_here(db, *step).code == 0
    path = tmp_path / "moves.csv"
    # Paid in full by default by hand, written out in the file: the same subscription.
    path.write_text(HEADER + START + "subscribe,2020-01-06,alice,2,50,,\n")
    result = imported(run_cli, db, path)
    assert (result["recorded"], result["skipped"]) == (1, 4)
    assert [e["action"] for e in entries(run_here, db)][-1] == "pay-up"


def test_the_ref_and_the_note_are_part_of_a_row(run_cli, db: str, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(HEADER + START)
    imported(run_cli, db, path)
    path.write_text(
        HEADER
        + START.replace("pay-up,2020-01-31,alice,,,25,,", "pay-up,2020-01-31,alice,,,25,,late")
    )
    assert imported(run_cli, db, path)["recorded"] == 1


def test_a_reversed_entry_is_not_recorded_again(run_cli, run_here, db: str, tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(HEADER + START)
    imported(run_cli, db, path)
    payment = next(e for e in entries(run_here, db) if e["action"] == "pay-up")
    assert run_here(db, "reverse", str(payment["id"]), "--reason", "bounced").code == 0
    result = imported(run_cli, db, path)
    assert (result["recorded"], result["skipped"]) == (0, 4)
    dry = run_cli(db, "import", str(path), "--dry-run")
    assert f"line 5: already recorded (entry {payment['id']})" in dry.out.splitlines()


def test_a_known_id_with_other_content_is_refused(
    run_cli, run_here, db: str, tmp_path: Path
) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [
        {"id": "h1", "action": "hire", "date": "2020-01-01", "person": "bob"},
        {"id": "p1", "action": "admit", "date": "2020-01-02", "person": "bob"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert imported(run_cli, db, path)["recorded"] == 2
    before = entries(run_here, db)
    rows[1]["date"] = "2020-01-03"
    rows.append(
        {"id": "s1", "action": "subscribe", "date": "2020-01-03", "person": "bob", "shares": 1}
    )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for args in ((), ("--dry-run",)):
        result = run_cli(db, "import", str(path), *args)
        assert result.code == 1, result.err
        assert result.err.splitlines() == [
            f"error: line 2: id 'p1' is entry {before[-1]['id']}, recorded with other content "
            "(date '2020-01-02' there, '2020-01-03' here)"
        ]
    assert entries(run_here, db) == before
    # The same ids with the same content, in another file and order: nothing new.
    other = tmp_path / "again.jsonl"
    other.write_text("".join(json.dumps(r) + "\n" for r in reversed(rows[:1])))
    assert imported(run_cli, db, other)["recorded"] == 0


def test_rows_recorded_by_the_previous_scheme_are_recognised(
    run_cli, db: str, tmp_path: Path
) -> None:
    """A ledger whose rows were recorded with the file's hash and line as their identity (as
    releases before content identity did): the same file, then the file grown, record only
    what is new."""
    path = tmp_path / "moves.csv"
    path.write_text(HEADER + START + "pay-up,2020-01-31,alice,,,5,,\n" * 2)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    ledger = open_ledger(db, create=False)
    try:
        old = []
        for p in plan(path).rows:
            old.append(
                p._replace(command=p.command.model_copy(update={"source": f"{digest}:{p.line}"}))
            )
        assert {p.command.source for p in old} == {f"{digest}:{n}" for n in range(2, 8)}
        assert run_import(ledger, old).recorded == 6
    finally:
        ledger.close()
    result = imported(run_cli, db, path)
    assert (result["recorded"], result["skipped"]) == (0, 6)
    path.write_text(HEADER + START + "pay-up,2020-01-31,alice,,,5,,\n" * 3)
    assert imported(run_cli, db, path)["recorded"] == 1


def test_dry_run_says_what_would_happen_and_writes_nothing(
    run_cli, run_here, db: str, tmp_path: Path
) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(HEADER + START)
    imported(run_cli, db, path)
    before = entries(run_here, db)
    grown = START + "pay-up,2020-02-29,alice,,,25,,\n"
    path.write_text(
        HEADER.replace("\n", ",reviewer\n")
        + grown.replace("\n", ",\n")
        + "review,2020-03-01,,,,,,,Cabinet Durand\n"
    )
    dry = run_cli(db, "import", str(path), "--dry-run")
    assert dry.code == 0, dry.err
    ids = [e["id"] for e in before[1:]]
    assert dry.out.splitlines() == [
        f"line 2: already recorded (entry {ids[0]})",
        f"line 3: already recorded (entry {ids[1]})",
        f"line 4: already recorded (entry {ids[2]})",
        f"line 5: already recorded (entry {ids[3]})",
        "line 6: would record pay-up alice 2020-02-29",
        "line 7: would record review 2020-03-01",
        "moves.csv: 6 rows, 2 would be recorded, 4 already recorded (dry run: nothing written)",
    ]
    listed = json.loads(run_cli(db, "import", str(path), "--dry-run", "--format", "json").out)
    assert [(r["line"], r["status"], r["entry"]) for r in listed] == [
        *((n + 2, "recorded", ids[n]) for n in range(4)),
        (6, "new", None),
        (7, "new", None),
    ]
    assert listed[4] == {
        "line": 6,
        "status": "new",
        "entry": None,
        "action": "pay-up",
        "date": "2020-02-29",
        "person": "alice",
        "id": None,
    }
    assert entries(run_here, db) == before
    path.write_text(HEADER + START + "pay-up,2020-02-30,alice,,,25,,\n")
    bad = run_cli(db, "import", str(path), "--dry-run")
    assert bad.code == 2 and bad.out == "" and "line 6" in bad.err
    assert entries(run_here, db) == before


def test_a_file_saved_by_french_excel_imports(run_cli, run_here, db: str, tmp_path: Path) -> None:
    """cp1252, ``;``, CRLF, decimal commas, spaces between thousands and DD/MM/YYYY dates:
    what Excel saves as "CSV (séparateur : point-virgule)"."""
    rows = [
        "action;date;person;name;shares;paid;amount;note",
        "hire;01/01/2020;heloise;Héloïse Lefèvre;;;;contrat à durée indéterminée",
        "admit;05/01/2020;heloise;;;;;",
        "subscribe;05/01/2020;heloise;;60;1\u00a0000,50;;",
        "pay-up;31/01/2020;heloise;;;;249,50;réglé",
    ]
    path = tmp_path / "registre.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    assert imported(run_cli, db, path)["recorded"] == 4
    result = run_cli(db, "capital", "--as-of", "2020-12-31", "--format", "json")
    assert result.code == 0, result.err
    capital = json.loads(result.out)
    assert capital["shares"] == 60
    assert [(p["person"], p["paid"]) for p in capital["partners"]] == [("heloise", "1250.00")]
    notes = [e["note"] for e in entries(run_here, db)]
    assert "contrat à durée indéterminée" in notes and "réglé" in notes


def test_a_french_file_saved_by_french_excel_imports(
    run_cli, run_here, db: str, tmp_path: Path
) -> None:
    """What a French treasurer's spreadsheet saves as "CSV (séparateur : point-virgule)":
    French column and action names, cp1252, ``;``, CRLF, decimal commas, DD/MM/YYYY."""
    rows = [
        "Opération;Date;Personne;Nom;Parts;Montant libéré;Montant;Motif;Personne morale;Note",
        "Embauche;01/01/2020;heloise;Héloïse Lefèvre;;;;;;contrat à durée indéterminée",
        "Admission;05/01/2020;heloise;;;;;;non;",
        "Souscription;05/01/2020;heloise;;60;1\u00a0000,50;;;;",
        "Libération;31/01/2020;heloise;;;;249,50;;;réglé",
        "ADMISSION;05/01/2020;fonds;Fonds Régional;;;;;Oui;",
        "souscription;05/01/2020;fonds;;10;;;;;",
        "Embauche;01/01/2020;rene;René;;;;;;",
        "Fin de contrat;30/06/2020;rene;;;;;Démission;;",
    ]
    path = tmp_path / "registre.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    assert imported(run_cli, db, path)["recorded"] == 8
    result = run_cli(db, "capital", "--as-of", "2020-12-31", "--format", "json")
    assert result.code == 0, result.err
    capital = json.loads(result.out)
    assert (capital["shares"], capital["amount"]) == (70, "1750.00")
    assert capital["employees"] == {
        "count": 1,
        "shares": 60,
        "amount": "1500.00",
        "ratio": "0.8571",
    }
    assert {p["person"]: p["paid"] for p in capital["partners"]} == {
        "heloise": "1250.00",
        "fonds": "250.00",
    }
    history = entries(run_here, db)
    ends = [e for e in history if e["action"] == "terminate"]
    assert [e["details"]["reason"] for e in ends] == ["resignation"]
    assert [e["details"]["legal_person"] for e in history if e["action"] == "admit"] == [
        False,
        True,
    ]
    assert imported(run_cli, db, path)["recorded"] == 0


def test_three_invalid_rows_are_named_at_once_and_nothing_is_written(
    run_cli, run_here, db: str, tmp_path: Path
) -> None:
    before = entries(run_here, db)
    path = tmp_path / "moves.csv"
    path.write_text(
        "opération;date;personne;parts\n"
        "embauche;01/01/2020;alice;\n"
        "admission;30/02/2020;alice;\n"  # 3: no such date
        "embauche;01/01/2020;bob;\n"
        "souscription;01/02/2020;bob;4\n"  # 5: bob is not a partner
        "admission;01/02/2020;carol;\n"
        "souscription;01/02/2020;carol;4\n"
        "embauche;01/03/2020;dan;\n"
        "valse;01/03/2020;dan;\n"  # 9: no such action, nor one close to it
    )
    result = run_cli(db, "import", str(path))
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines() == [
        "error: line 3: date '30/02/2020' is not a date (DD/MM/YYYY)",
        "error: line 5: bob is not a partner on 2020-02-01",
        "error: line 9: action 'valse' is not one of hire, terminate, admit, subscribe, pay-up, "
        "withdraw, transfer, leave, pay-refund, appoint, end-mandate, review, allocate, "
        "change-form, change-share-value",
    ]
    french = run_cli(db, "--lang", "fr", "import", str(path))
    assert french.code == 2
    assert french.err.splitlines()[0] == (
        "erreur : ligne 3 : date '30/02/2020' n'est pas une date (JJ/MM/AAAA)"
    )
    assert entries(run_here, db) == before
