"""End to end in French: the installed ``scop-ledger --lang fr`` refuses as it does in English,
with the same exit codes and nothing written, but says so in French, one line starting with
"erreur : "; its warnings are French too (issue 16)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.e2e

# Each refusal: the command, the exit code (the same in both languages), and words the French
# line holds (dates as DD/MM/YYYY, amounts as 1 000,00 €).
REFUSALS = [
    (
        ["subscribe", "bob", "--shares", "4", "--date", "2021-03-01"],
        1,
        ["bob n'est pas associé le 01/03/2021"],
    ),
    (
        ["withdraw", "alice", "--shares", "50", "--date", "2021-06-30"],
        1,
        ["alice détient 40 parts le 30/06/2021", "en retirer 50 n'en laisserait aucune"],
    ),
    (
        ["pay-up", "alice", "--amount", "20000", "--date", "2021-06-30"],
        1,
        ["alice ne doit plus que 500,00\u00a0€ sur ses parts souscrites le 30/06/2021"],
    ),
    (
        ["hire", "carol", "--date", "2021-13-01"],
        2,
        ["--date : '2021-13-01' n'est pas une date (AAAA-MM-JJ)"],
    ),
    (
        ["pay-refund", "nobody", "--amount", "10", "--date", "2021-06-30"],
        1,
        ["aucune personne 'nobody' dans la coopérative 'acme'"],
    ),
    (
        ["subscribe", "alice", "--shares", "0", "--date", "2021-06-30"],
        2,
        ["shares : au moins 1 est attendu, pas 0"],
    ),
    (
        ["subscribe", "alice", "--shares", "1000000001", "--date", "2021-06-30"],
        2,
        ["shares : au plus 1\u202f000\u202f000\u202f000 est attendu"],
    ),
    (
        ["hire", "alice", "--date", "2015-06-30"],
        1,
        ["le 30/06/2015 est antérieur à l'immatriculation de la coopérative le 01/01/2016"],
    ),
    (
        ["appoint", "alice", "--office", "manager", "--term-years", "4", "--date", "2018-02-01"],
        1,
        ["alice exerce déjà un mandat de gérant en cours le 01/02/2018"],
    ),
]


def _history(run_cli, db: str) -> list[dict]:
    result = run_cli(db, "history", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["entries"]


def _ledger(run_cli, db: str) -> None:
    for args in (
        ["init", "acme", "--name", "Acme Scop", "--legal-form", "sarl", "--share-value", "25"],
        ["hire", "alice", "--name", "Alice Martin"],
        ["hire", "bob", "--name", "Bob Durand"],
        ["admit", "alice"],
        ["subscribe", "alice", "--shares", "40", "--paid", "500"],
        ["appoint", "alice", "--office", "manager", "--term-years", "4"],
    ):
        result = run_cli(db, *args, "--date", "2016-01-01")
        assert result.code == 0, (args, result.err)


def test_refusals_speak_french_with_the_english_exit_codes(
    run_cli, run_here, store_url: str
) -> None:
    db = store_url
    _ledger(run_here, db)
    before = _history(run_here, db)
    for args, code, words in REFUSALS:
        english = run_here(db, *args)  # the English side in-process: the installed script's
        french = run_cli(db, "--lang", "fr", *args)  # French is what is under test
        assert english.code == code, (args, english.err)
        assert french.code == code, (args, french.err)
        assert english.err.startswith("error: ") and english.err.count("\n") == 1, english.err
        assert french.err.startswith("erreur : ") and french.err.count("\n") == 1, french.err
        for word in words:
            assert word in french.err, (args, french.err)
        assert french.out == english.out == ""
    assert _history(run_cli, db) == before  # nothing written, in either language


def test_the_language_comes_from_the_environment_too(run_cli, run_here, store_url: str) -> None:
    db = store_url
    _ledger(run_here, db)
    args = ["withdraw", "alice", "--shares", "40", "--date", "2021-06-30"]
    by_variable = run_cli(db, *args, env={"SCOP_LEDGER_LANG": "fr"})
    by_locale = run_cli(db, *args, env={"SCOP_LEDGER_LANG": "", "LANG": "fr_FR.UTF-8"})
    for result in (by_variable, by_locale):
        assert result.code == 1
        assert result.err.startswith("erreur : alice détient 40 parts le 30/06/2021"), result.err


def test_warnings_and_what_was_recorded_speak_french(run_cli, run_here, store_url: str) -> None:
    db = store_url
    _ledger(run_here, db)
    ahead = date.today() + timedelta(days=800)
    french = run_cli(db, "--lang", "fr", "hire", "eve", "--date", ahead.isoformat())
    assert french.code == 0, french.err
    shown = f"{ahead.day:02d}/{ahead.month:02d}/{ahead.year}"
    assert french.err.startswith(f"avertissement : la date du {shown} est à plus d'un an"), (
        french.err
    )
    assert french.out.startswith("écriture ") and f"hire eve le {shown}" in french.out

    english = run_cli(db, "terminate", "bob", "--reason", "resignation", "--date", "2199-01-01")
    assert english.code == 0, english.err
    assert english.err.startswith("warning: the date 2199-01-01 is more than a year ahead")
    json_fr = run_cli(
        db, "--lang", "fr", "admit", "carol", "--date", "2021-01-01", "--format", "json"
    )
    json_en = run_cli(db, "admit", "dave", "--date", "2021-01-01", "--format", "json")
    assert json.loads(json_fr.out).keys() == json.loads(json_en.out).keys()
    assert json.loads(json_fr.out)["date"] == "2021-01-01"  # JSON never depends on language
