"""Share certificates and annual statements: the holding drawn from the ledger, reproducible to
the byte, refused for someone holding no share, rendered to a real PDF page."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from scop_ledger.app import certificates
from scop_ledger.app.session import Session
from scop_ledger.domain.errors import NotFound
from scop_ledger.i18n import speaking
from scop_ledger.settings import Settings
from tests.helpers import acme, do, init_args, open_ledger


def _ledger(url: str) -> None:
    ledger = open_ledger(url)
    acme(ledger)
    do(ledger, "hire", "2016-01-04", person="ann", name="Anne Martin")
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="10", paid="100")
    do(ledger, "admit", "2016-03-01", person="bob", name="Bob SA", legal_person=True)
    do(ledger, "subscribe", "2016-03-01", person="bob", shares="4")
    do(ledger, "pay-up", "2017-03-01", person="ann", amount="150")
    do(ledger, "subscribe", "2017-06-01", person="ann", shares="2")
    ledger.close()


def _session(url: str) -> Session:
    return Session(Settings(url=url, user="tester"))


def test_a_certificate_gives_the_holding_and_the_movements_of_the_year(store_url: str) -> None:
    _ledger(store_url)
    session = _session(store_url)
    cert = certificates.certificate(session, "ann", date(2017, 12, 31), None)
    session.close()
    assert (cert.person, cert.name, cert.register_number, cert.category) == (
        "ann",
        "Anne Martin",
        1,
        "employee",
    )
    assert (cert.shares, cert.amount, cert.paid, cert.unpaid) == (
        12,
        Decimal("300.00"),
        Decimal("300.00"),
        Decimal("0.00"),
    )
    assert cert.partner_since == date(2016, 2, 1)
    # 2017's movements only: the pay-up, then the subscription paid in full.
    assert [(m.nature, str(m.amount)) for m in cert.movements] == [
        ("payment", "150.00"),
        ("subscription", "50.00"),
        ("paid", "50.00"),
    ]
    # Ten events: the registration, each person's first event, and the seven entries after.
    assert cert.chain_head is not None and cert.chain_head.startswith("10:")


def test_no_certificate_for_someone_holding_no_share_or_unknown(store_url: str) -> None:
    _ledger(store_url)
    session = _session(store_url)
    with pytest.raises(certificates.HoldsNoShare) as refused:
        certificates.certificate(session, "ann", date(2016, 1, 31), None)
    assert refused.value.exit_code == 1
    assert "ann holds no share on 2016-01-31" in str(refused.value)
    with pytest.raises(NotFound):
        certificates.certificate(session, "zoe", date(2017, 1, 1), None)
    session.close()


def test_the_same_inputs_give_the_same_bytes_and_a_real_page(sqlite_url: str) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    _ledger(sqlite_url)
    session = _session(sqlite_url)
    first = certificates.certificate(session, "bob", date(2017, 12, 31), None)
    later = certificates.certificate(session, "bob", date(2017, 12, 31), datetime.now(UTC))
    session.close()
    with speaking("fr"):
        html = certificates.render_html(first)
        pdf = certificates.rendered(first, "pdf")
        assert certificates.rendered(later, "pdf") == pdf
        assert certificates.render_html(later) == html
    assert '<html lang="fr">' in html and "Certificat de parts sociales" in html
    assert "associé extérieur" in html and "100,00\u00a0€" in html
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    image = document[0].render(scale=1).to_pil().convert("L")
    width, height = image.size
    assert width > 500 and height > 700
    dark = sum(1 for value in image.getdata() if value < 100)
    assert dark > 2000  # text was drawn, not a blank page
    text = document[0].get_textpage().get_text_range()
    assert "Certificat de parts sociales" in text and "Bob SA" in text


def test_statements_write_one_file_per_partner(run_cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert run_cli(db, *init_args("2016-01-01")).code == 0
    for args in (
        ("hire", "ann", "--date", "2016-01-04"),
        ("admit", "ann", "--date", "2016-02-01"),
        ("subscribe", "ann", "--shares", "10", "--date", "2016-02-01"),
        ("admit", "bob", "--legal-person", "--name", "Bob SA", "--date", "2016-03-01"),
        ("subscribe", "bob", "--shares", "4", "--date", "2016-03-01"),
        ("admit", "cat", "--date", "2016-03-02"),
    ):
        assert run_cli(db, *args).code == 0
    folder = tmp_path / "out"
    folder.mkdir()
    done = run_cli(db, "statements", "--year", "2016", "--out", str(folder), "--as", "html")
    assert done.code == 0, done.err
    assert sorted(p.name for p in folder.iterdir()) == ["0001-ann.html", "0002-bob.html"]
    as_json = run_cli(db, "statements", "--year", "2016", "--out", str(folder), "--format", "json")
    assert json.loads(as_json.out)["as_of"] == "2016-12-31"
    nothing = run_cli(db, "certificate", "cat", "--as-of", "2016-12-31")
    assert nothing.code == 1 and nothing.err.startswith("error: cat holds no share")
    missing = run_cli(db, "statements", "--year", "2016", "--out", str(tmp_path / "nowhere"))
    assert missing.code == 2
    drawn = json.loads(run_cli(db, "certificate", "ann", "--format", "json").out)
    assert drawn["chain_head"] == json.loads(run_cli(db, "verify", "--format", "json").out)["head"]
    french = run_cli(db, "--lang", "fr", "certificate", "ann", "--as-of", "2016-12-31")
    assert "associé n° 1" in french.out and "250,00" in french.out
