"""The general meeting's attendance sheet (feuille de présence), on SQLite and PostgreSQL: the
roll with each partner's number in the register, empty columns to sign, totals and the legal
citations; as a PDF reproducible to the byte and a real page (``roll --out FILE.pdf``); with
the partners present and the proxies (``--present``, ``--proxy``), marked, with the votes the
meeting counts."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scop_ledger.app import attendance
from scop_ledger.app.session import Session
from scop_ledger.i18n import speaking
from scop_ledger.settings import Settings
from tests.helpers import acme, do, open_ledger

MEETING = date(2017, 6, 30)


def _ledger(url: str, **statutes: object) -> None:
    ledger = open_ledger(url)
    try:
        acme(ledger, **statutes)
        for person, name in (("ben", "Ben Roy"), ("ann", "Anne Martin")):
            do(ledger, "hire", "2016-01-01", person=person, name=name)
            do(ledger, "admit", "2016-01-01", person=person)
            do(ledger, "subscribe", "2016-01-01", person=person, shares="10")
        do(ledger, "admit", "2016-02-01", person="fund", name="Fonds SA", legal_person=True)
        do(ledger, "subscribe", "2016-02-01", person="fund", shares="20")
        do(ledger, "admit", "2016-03-01", person="bank", legal_person=True)
        do(ledger, "subscribe", "2016-03-01", person="bank", shares="5")
    finally:
        ledger.close()


def _session(url: str) -> Session:
    return Session(Settings(url=url, user="tester"), note=lambda _: None)


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def test_the_sheet_lists_every_partner_to_sign(store_url: str) -> None:
    _ledger(store_url)
    session = _session(store_url)
    try:
        sheet = attendance.attendance_sheet(session, MEETING, None)
    finally:
        session.close()
    assert [(a.number, a.person, a.college, str(a.votes)) for a in sheet.attendees] == [
        (2, "ann", "employee", "1.0000"),
        (1, "ben", "employee", "1.0000"),
        (4, "bank", "external", "0.5385"),
        (3, "fund", "external", "0.5385"),
    ]
    page = attendance.render_html(sheet)
    assert '<html lang="en">' in page and "<script" not in page
    text = _text(page)
    assert "Attendance sheet of the general meeting of 2017-06-30" in text
    assert "Acme Scop (acme) — SARL — variable capital cooperative registered on 2016-01-01" in (
        text
    )
    assert "No. Partner College Shares Vote weight Proxies it may hold Present Represented by " in (
        text
    )
    assert "2 Anne Martin (ann) employee partner 10 1.0000 1" in text
    assert "3 Fonds SA (fund) external partner 20 0.5385 1" in text
    assert "4 bank external partner 5 0.5385 1" in text
    # Three empty cells to fill on every partner's row, and the totals.
    assert page.count('<td class="blank"></td><td class="blank"></td><td class="sign"></td>') == 4
    assert "4 partners — 2 employee, 2 external 45 3.0770" in text
    assert (
        "the external partners together hold at most 35% of the votes (loi 47-1775 art. 3 bis)"
        in (text)
    )
    assert "A partner may hold at most 1 proxy besides their own vote" in text
    assert "(loi 78-763 (Légifrance LEGISCTA000006133481))" in text
    assert f"scop-ledger verify --anchor {sheet.chain_head}" in text


def test_the_sheet_as_pdf_is_reproducible_and_a_real_page(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    from scop_ledger.cli.main import main

    _ledger(sqlite_url)
    session = _session(sqlite_url)
    try:
        later = attendance.attendance_sheet(session, MEETING, datetime.now(UTC))
    finally:
        session.close()
    out = tmp_path / "feuille.pdf"
    env = {"SCOP_LEDGER_DB": sqlite_url, "SCOP_LEDGER_USER": "cli", "SCOP_LEDGER_LANG": "fr"}
    args = ["roll", "--date", MEETING.isoformat(), "--out", str(out)]
    monkeypatch.delenv("LANGUAGE", raising=False)  # click's French (set by --lang) undone after
    with speaking("fr"):  # the command sets the language: put back afterwards
        said = CliRunner().invoke(main, args, env=env)
        assert said.exit_code == 0, said.output
        assert (
            said.output == f"feuille de présence de l'assemblée du 30/06/2017 écrite dans {out}\n"
        )
        assert attendance.rendered(later, "pdf") == out.read_bytes()  # same inputs, same bytes
    document = pdfium.PdfDocument(out.read_bytes())
    assert len(document) == 1
    image = document[0].render(scale=1).to_pil().convert("L")
    width, height = image.size
    assert width > height > 500  # A4 landscape
    assert sum(1 for value in image.getdata() if value < 100) > 2000  # drawn, not blank
    text = " ".join(document[0].get_textpage().get_text_range().split())
    for words in ("Feuille de présence", "Anne Martin", "Représenté par", "0,5385", "3 bis"):
        assert words in text, words


def test_the_sheet_marks_the_partners_present_and_represented(store_url: str) -> None:
    _ledger(store_url)
    session = _session(store_url)
    try:
        sheet = attendance.attendance_sheet(session, MEETING, None, ["ann", "fund"], {"ben": "ann"})
    finally:
        session.close()
    assert [
        (a.person, a.present, a.represented_by, a.counted_votes and str(a.counted_votes))
        for a in sheet.attendees
    ] == [
        ("ann", True, None, "2.0000"),  # her vote and ben's
        ("ben", False, "ann", None),
        ("bank", False, None, None),
        ("fund", True, None, "0.5385"),
    ]
    page = attendance.render_html(sheet)
    text = _text(page)
    assert "Present Represented by Votes counted Signature" in text
    assert "2 Anne Martin (ann) employee partner 10 1.0000 1 present 2.0000" in text
    assert "1 Ben Roy (ben) employee partner 10 1.0000 1 Anne Martin" in text
    assert "4 bank external partner 5 0.5385 1 3 Fonds SA" in text  # absent: nothing marked
    assert "4 partners — 2 employee, 2 external 45 3.0770 2.5385" in text
    assert "2.5385 votes present or represented." in text
    assert "a tenth" not in text  # be-cnc's cap (AR 8 January 1962): not a Scop's


def test_a_be_cnc_sheet_counts_a_voter_above_a_tenth_for_a_tenth(sqlite_url: str) -> None:
    _ledger(sqlite_url, profile="be-cnc", scop_thresholds=True)
    session = _session(sqlite_url)
    try:
        sheet = attendance.attendance_sheet(session, MEETING, None, ["ann", "fund"], {"ben": "ann"})
    finally:
        session.close()
    assert sheet.meeting is not None and sheet.meeting.cap_applies
    text = _text(attendance.render_html(sheet))
    assert (
        "2.5385 votes present or represented; a tenth is 0.2538 votes "
        "(AR 8 January 1962 art. 1 §1). above a tenth, counted for a tenth: Anne Martin, "
        "Fonds SA." in text
    )
    assert "present 0.2538" in text  # ann's two votes counted for a tenth


def test_roll_writes_the_sheet_with_the_partners_present(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scop_ledger.cli.main import main

    _ledger(sqlite_url)
    out = tmp_path / "sheet.html"
    env = {"SCOP_LEDGER_DB": sqlite_url, "SCOP_LEDGER_USER": "cli", "SCOP_LEDGER_LANG": "en"}
    args = ["roll", "--date", MEETING.isoformat(), "--present", "ann,fund", "--proxy", "ben=ann"]
    said = CliRunner().invoke(main, [*args, "--out", str(out)], env=env)
    assert said.exit_code == 0, said.output
    text = _text(out.read_text(encoding="utf-8"))
    assert "2 Anne Martin (ann) employee partner 10 1.0000 1 present 2.0000" in text
    assert "1 Ben Roy (ben) employee partner 10 1.0000 1 Anne Martin" in text
    wrong = CliRunner().invoke(main, [*args[:-1], "ben=bank", "--out", str(out)], env=env)
    assert wrong.exit_code != 0  # refused as roll refuses it: the holder is not present
