"""The pages: each answers with its date controls and the CLI's figures, downloads the CLI's
files, links a finding to the entries behind it, works offline, speaks English and French."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest

from tests.web.conftest import cli

KNOWN = "2199-01-01T00:00:00+00:00"
PAGES = [
    ("/", "Dashboard"),
    ("/capital", "Share capital"),
    ("/votes", "Votes"),
    ("/refunds", "Refunds"),
    ("/members", "Members"),
    ("/members/gabriel", "Gabriel Petit"),
    ("/register", "Register of share movements"),
    ("/compliance", "Compliance"),
    ("/timeline", "Rules over time"),
    ("/history", "History"),
    ("/report", "Review pack"),
]


def text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_every_page_has_its_title_and_date_controls(client, path, title) -> None:
    response = client.get(path, params={"as_of": "2019-06-30", "known_at": KNOWN})
    assert response.status_code == 200, response.text
    spent = re.fullmatch(r"app;dur=(\d+\.\d)", response.headers["server-timing"])
    assert spent is not None, response.headers["server-timing"]  # what bench/web.py reads
    page = response.text
    assert f"<title>{title} — scop-ledger</title>" in page
    assert '<input type="date" name="as_of" min="1900-01-01" max="2199-12-31"' in page
    assert 'value="2019-06-30"' in page
    assert 'name="known_at"' in page and 'value="2199-01-01T00:00:00"' in page
    # Offline: the one script is ours, nothing is fetched from elsewhere.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/htmx.min.js">']
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_the_capital_page_shows_the_clis_figures_for_the_date(client, fabrique) -> None:
    for as_of in ("2016-06-30", "2024-12-31"):
        page = text(client.get("/capital", params={"as_of": as_of, "known_at": KNOWN}).text)
        answer = json.loads(cli(fabrique, "capital", "--as-of", as_of, "--format", "json").stdout)
        assert f"Capital {answer['amount']} ({answer['shares']} shares of 25.00)" in page
        assert f"fabrique as of {as_of}, as known at 2199-01-01 00:00:00 UTC" in page
        for partner in answer["partners"]:
            assert f" {partner['person']} {partner['name']} {partner['category']} " in page


def test_the_dashboard_shows_breaches_first(client) -> None:
    page = client.get("/", params={"as_of": "2025-12-31"}).text
    rows = re.findall(r'<tr class="([a-z-]+)">', page)
    assert rows[0] == "breach"
    assert "breach" not in rows[rows.index("ok") :]
    assert "fr-scop: NOT compliant" in text(page)
    assert page.count("<svg") == 2
    assert 'href="/compliance.csv?as_of=2025-12-31" download' in page


def test_a_breach_links_to_the_entries_behind_it(client) -> None:
    page = client.get("/compliance", params={"as_of": "2025-12-31"}).text
    links = [html.unescape(h) for h in re.findall(r'<a class="entries" href="([^"]+)"', page)]
    # The first breach is the surplus of 2016, never allocated; then the refund overdue.
    assert links[0].startswith("/history?rule=surplus-allocation&until=2017-07-01")
    href = next(h for h in links if h.startswith("/history?rule=refunds-due"))
    assert href.startswith("/history?rule=refunds-due&until=2024-10-01&as_of=2025-12-31")
    entries = client.get(href)
    assert entries.status_code == 200
    shown = text(entries.text)
    assert "The entries behind the rule refunds-due" in shown
    assert "Dated up to 2024-10-01" in shown
    actions = re.findall(r"<td>(leave|withdraw|pay-refund|[a-z-]+)</td>\s*<td>", entries.text)
    assert "leave" in actions
    assert set(actions) <= {"leave", "withdraw", "pay-refund"}


def test_each_table_downloads_as_the_clis_files(client, fabrique, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    params = {"as_of": "2025-12-31", "known_at": KNOWN}
    for name in ("capital", "refunds", "register", "members", "compliance", "timeline", "votes"):
        csv = client.get(f"/{name}.csv", params=params)
        assert csv.status_code == 200
        assert csv.headers["content-disposition"] == f'attachment; filename="{name}.csv"'
        args = [name, "--as-of", "2025-12-31", "--known-at", KNOWN]
        if name in ("capital", "refunds", "register", "members"):  # those with --out
            out = tmp_path / f"{name}.csv"
            done = cli(fabrique, *args, "--out", str(out))
            assert done.returncode == 0, done.stderr
            assert csv.content == out.read_bytes()
        else:
            done = cli(fabrique, *args, "--format", "csv")
            assert done.returncode == 0, done.stderr
            assert csv.text == done.stdout
        xlsx = client.get(f"/{name}.xlsx", params=params)
        book = load_workbook(io.BytesIO(xlsx.content))
        first = [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
        assert first == csv.text.splitlines()[0].split(",")
        assert book.worksheets[1].title == "about"


def test_the_history_downloads_what_the_page_shows(client, fabrique, tmp_path) -> None:
    got = client.get("/history.csv", params={"person": "gabriel", "known_at": KNOWN})
    out = tmp_path / "history.csv"
    done = cli(fabrique, "history", "gabriel", "--known-at", KNOWN, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert got.content == out.read_bytes()


def test_a_person_page_shows_their_movements_and_entries(client) -> None:
    answer = client.get("/members/emma", params={"as_of": "2025-12-31"}).text
    for table in ("register", "history"):  # each table downloads, the person's rows only
        assert f'href="/{table}.xlsx?as_of=2025-12-31&amp;person=emma"' in answer
    moved = client.get("/register.csv", params={"as_of": "2025-12-31", "person": "emma"}).text
    assert {line.split(",")[2] for line in moved.splitlines()[1:]} == {"emma"}
    movements, entries = (_cells(f"<tbody>{part}") for part in answer.split("<tbody>")[1:3])
    assert len(movements) == 9 and {row[2] for row in movements} == {"emma"}  # theirs only
    assert len(entries) > 5 and {row[3] for row in entries} == {"emma"}
    register = client.get("/register.csv", params={"as_of": "2025-12-31"}).text.splitlines()
    assert len([row for row in register if ",emma," in row]) == len(movements)
    page = text(answer)
    assert "Emma Caron" in page
    assert "salary deduction plan" in page
    assert "payslip 2015-10" in page
    missing = client.get("/members/nobody")
    assert missing.status_code == 404
    assert "no person &#39;nobody&#39; in cooperative &#39;fabrique&#39;" in missing.text


def test_an_error_is_one_line_on_the_page(client) -> None:
    response = client.get("/capital", params={"as_of": "2024-02-30"})
    assert response.status_code == 400
    assert re.search(r'<p class="error" role="alert">as_of .*is not a date', response.text)


def test_the_review_pack_is_the_report_commands(client, fabrique, tmp_path) -> None:
    params = {"as_of": "2025-12-31", "known_at": KNOWN}
    assert '<iframe class="pack"' in client.get("/report", params=params).text
    pack = client.get("/report/pack", params=params)
    out = tmp_path / "pack.html"
    done = cli(fabrique, "report", "--as-of", "2025-12-31", "--known-at", KNOWN, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert pack.text == out.read_text()


def test_the_timeline_charts_breaches_shaded(client) -> None:
    page = client.get("/timeline", params={"as_of": "2025-12-31"}).text
    assert '<svg class="chart"' in page
    # the employees' share of the capital and of the votes over time, against 51% and 65%
    assert page.count('<figure class="ratio"><svg class="chart share"') == 2
    assert "51% minimum" in page and "65% minimum" in page
    # the surplus of 2016 never allocated, the 2019 review, the refund overdue (the employees'
    # shares never fell under their minimum: nothing shaded on their charts)
    assert page.count('<rect class="breach"') == 3


def test_htmx_is_the_version_package_json_names() -> None:
    root = Path(__file__).parents[2]
    wanted = json.loads((root / "package.json").read_text())["dependencies"]["htmx.org"]
    lock = json.loads((root / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/htmx.org"]["version"] == wanted
    assert lock["packages"]["node_modules/htmx.org"]["integrity"].startswith("sha512-")
    shipped = (root / "src" / "scop_ledger" / "web" / "static" / "htmx.min.js").read_text()
    assert re.findall(r'version:"([0-9.]+)"', shipped) == [wanted]
    installed = root / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
    if installed.exists():
        assert installed.read_text() == shipped


def test_the_static_files_are_served(client) -> None:
    script = client.get("/static/htmx.min.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert client.get("/static/style.css").status_code == 200


def test_the_language_comes_from_the_browser_then_the_choice_is_remembered(fabrique) -> None:
    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app

    app = create_app(Settings(url=fabrique))
    with TestClient(app) as browser:
        params = {"as_of": "2024-12-31"}
        english = browser.get(
            "/capital", params=params, headers={"accept-language": "de, en;q=0.5"}
        )
        assert '<html lang="en">' in english.text
        assert "Share capital" in english.text and "Capital 11125.00" in text(english.text)
        french = browser.get(
            "/capital", params=params, headers={"accept-language": "fr-FR,en;q=0.8"}
        )
        assert '<html lang="fr">' in french.text
        shown = text(french.text)
        assert "Capital social 11\u202f125,00\xa0€ (445 parts sociales" in french.text
        assert "fabrique au 31/12/2024, tel que connu le" in shown
        assert "scop_ledger_lang" not in french.headers.get("set-cookie", "")
        # ?lang= wins over the browser's wish and is remembered in a cookie.
        chosen = browser.get(
            "/capital", params={**params, "lang": "en"}, headers={"accept-language": "fr"}
        )
        assert '<html lang="en">' in chosen.text
        assert "scop_ledger_lang=en" in chosen.headers["set-cookie"]
        later = browser.get("/votes", headers={"accept-language": "fr"})
        assert '<html lang="en">' in later.text
        browser.get("/", params={"lang": "fr"})
        assert '<html lang="fr">' in browser.get("/votes").text
        # JSON never depends on the language.
        api = browser.get("/api/capital", params={**params, "known_at": KNOWN})
        assert api.json()["amount"] == "11125.00"


def test_every_page_text_is_translated(client) -> None:
    from scop_ledger.i18n import speaking
    from scop_ledger.web.tables import LABELS

    with speaking("fr"):
        from scop_ledger.i18n import _

        assert all(
            _(label) != label or label in ("Date", "Nature", "Note", "Action")
            for label in LABELS.values()
        )
    page = client.get("/compliance", params={"as_of": "2025-12-31", "lang": "fr"}).text
    for french in ("Conformité", "Écritures à l'origine", "À la date du", "Lecture seule", "Règle"):
        assert html.escape(french, quote=False) in page or french in html.unescape(page)


def test_a_store_of_several_cooperatives_opens_on_their_list(tmp_path) -> None:
    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app
    from tests.web.conftest import build_fabrique

    db = f"sqlite:///{tmp_path / 'two.db'}"
    build_fabrique(db)
    made = cli(
        db,
        "init",
        "atelier",
        "--name",
        "L'Atelier",
        "--legal-form",
        "sa",
        "--share-value",
        "10",
        "--date",
        "2020-01-01",
    )
    assert made.returncode == 0, made.stderr
    with TestClient(create_app(Settings(url=db))) as browser:
        home = browser.get("/", params={"as_of": "2024-12-31"})
        assert home.status_code == 200
        assert "<h1>Cooperatives</h1>" in home.text
        assert '<a href="/?coop=fabrique">fabrique</a>' in home.text
        assert '<a href="/?coop=atelier">atelier</a>' in home.text
        one = browser.get("/", params={"coop": "fabrique", "as_of": "2024-12-31"})
        assert "<h1>Dashboard</h1>" in one.text
        assert 'href="/capital?as_of=2024-12-31&amp;coop=fabrique"' in one.text


def test_the_diff_page_is_the_diff_commands_answer(tmp_path) -> None:
    from datetime import UTC, datetime

    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app
    from tests.web.conftest import build_fabrique

    db = f"sqlite:///{tmp_path / 'diff.db'}"
    build_fabrique(db)
    before = datetime.now(UTC).isoformat()  # to the microsecond: after every entry of the build
    added = cli(db, "subscribe", "amelie", "--shares", "6", "--date", "2024-03-01")
    assert added.returncode == 0, added.stderr
    args = ["--from-known-at", before, "--to-known-at", KNOWN, "--as-of", "2024-12-31"]
    answer = json.loads(cli(db, "diff", *args, "--format", "json").stdout)
    params = {"from_known_at": before, "known_at": KNOWN, "as_of": "2024-12-31"}
    with TestClient(create_app(Settings(url=db))) as browser:
        page = browser.get("/diff", params=params)
        assert page.status_code == 200, page.text
        shown = text(page.text)
        assert "changed" in shown
        figures = answer["before"]["shares"], answer["after"]["shares"]
        assert f"shares {figures[0]} {figures[1]}" in shown
        assert (
            f"amelie {answer['holdings'][0]['from_shares']} {answer['holdings'][0]['to_shares']}"
            in shown
        )
        (entry,) = answer["entries"]
        assert f"{entry['id']} 2024-03-01 subscribe amelie" in shown
        assert "back-dated" in shown
        # The file of diff --out, byte for byte, linked from the page.
        assert 'href="/diff.csv?' in page.text and 'href="/diff.xlsx?' in page.text
        out = tmp_path / "diff.csv"
        assert cli(db, "diff", *args, "--out", str(out)).returncode == 0
        assert browser.get("/diff.csv", params=params).content == out.read_bytes()
        assert browser.get("/diff.xlsx", params=params).content[:2] == b"PK"
        assert browser.get("/diff.csv").status_code == 400  # compared with what?
        assert browser.get("/diff").status_code == 200  # asks for the earlier moment
        wrong = browser.get("/diff", params={"from_known_at": KNOWN, "known_at": before})
        assert wrong.status_code == 400
        assert "is not before --to-known-at" in wrong.text


def test_a_french_page_downloads_the_excel_fr_csv_of_the_cli(fabrique, tmp_path) -> None:
    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app

    params = {"as_of": "2025-12-31", "known_at": KNOWN}
    with TestClient(create_app(Settings(url=fabrique))) as browser:
        page = browser.get("/register", params={**params, "lang": "fr"}).text
        link = html.unescape(re.search(r'<a href="(/register\.csv[^"]*)" download>', page)[1])
        assert link.endswith("&csv_dialect=excel-fr")
        got = browser.get(link)
        assert got.status_code == 200
        assert got.content.startswith("\ufeffdate;n° d'ordre;personne;".encode())
        english = browser.get("/register", params={**params, "lang": "en"}).text
        assert 'href="/register.csv?as_of=2025-12-31&amp;known_at=' in english
        assert "csv_dialect" not in english
        wrong = browser.get("/register.csv", params={"csv_dialect": "excel-de"})
        assert wrong.status_code == 400
    args = ["register", *("--as-of", "2025-12-31", "--known-at", KNOWN)]
    out = tmp_path / "register.csv"
    done = cli(fabrique, *args, "--out", str(out), "--csv-dialect", "excel-fr", lang="fr")
    assert done.returncode == 0, done.stderr
    assert got.content == out.read_bytes()
    assert ";300,00;" in got.text and "\r\n13/01/2025;" in got.text


def test_a_person_page_charts_their_holding_and_links_their_certificate(
    client, fabrique, tmp_path
) -> None:
    params = {"as_of": "2025-12-31", "known_at": KNOWN}
    page = client.get("/members/gabriel", params={**params, "lang": "en"}).text
    chart = re.search(r'<svg class="chart holdings".*?</svg>', page, re.S)[0]
    # admitted with 30 shares and 30 again (entered twice), then 20 more in 2019
    steps = re.findall(r"<title>([0-9-]+: \d+)</title>", chart)
    assert steps == ["2017-03-01: 60", "2019-07-15: 80"]
    links = dict(re.findall(r'<a class="(certificate|statement)" href="([^"]+)"', page))
    wanted = f"/members/gabriel/certificate?as_of=2025-12-31&known_at={KNOWN}&format=html"
    assert html.unescape(links["certificate"]) == wanted.replace(":", "%3A").replace("+", "%2B")
    assert "year=2024" in links["statement"] and "as_of" not in links["statement"]
    shown = client.get(html.unescape(links["certificate"]))
    assert shown.status_code == 200
    out = tmp_path / "gabriel.html"
    args = ["certificate", "gabriel", "--as-of", "2025-12-31", "--known-at", KNOWN]
    done = cli(fabrique, *args, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert shown.content == out.read_bytes()
    statement = client.get(html.unescape(links["statement"]))
    assert statement.status_code == 200
    assert "2024-12-31" in statement.text  # the end of the financial year 2024
    pdf = client.get("/members/gabriel/certificate", params={**params, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].endswith('"certificate-gabriel-2025-12-31.pdf"')
    none = client.get("/members/david/certificate", params=params)  # left in 2018
    assert none.status_code == 409 and "david holds no share on 2025-12-31" in none.text
    assert client.get("/members/gabriel/certificate", params={"format": "doc"}).status_code == 400


def test_a_long_table_is_shown_a_page_at_a_time() -> None:
    from starlette.requests import Request

    from scop_ledger.web.pages import PAGE_ROWS, paged
    from scop_ledger.web.tables import Table

    rows = [[n] for n in range(2 * PAGE_ROWS + 1)]
    table = Table("t", [], ["n"], rows)

    def at(query: str) -> tuple[Table, dict | None]:
        scope = {"type": "http", "method": "GET", "path": "/register", "headers": []}
        return paged(table, Request({**scope, "query_string": query.encode()}))

    first, paging = at("as_of=2020-01-01")
    assert first.display() == rows[:PAGE_ROWS] and first.rows == rows  # downloads keep all
    assert paging is not None and (paging["first"], paging["last"], paging["pages"]) == (
        1,
        PAGE_ROWS,
        3,
    )
    assert paging["links"]["previous"] is None
    assert paging["links"]["next"] == "?as_of=2020-01-01&page=2"
    last, paging = at("as_of=2020-01-01&page=3")
    assert last.display() == rows[2 * PAGE_ROWS :] and paging["links"]["next"] is None
    for wrong in ("page=0", "page=-1", "page=abc", "page=99999999999999"):
        _shown, paging = at(wrong)
        assert paging is not None and paging["number"] in (1, 3)
    short = Table("t", [], ["n"], rows[:PAGE_ROWS])
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    assert paged(short, Request(scope)) == (short, None)


def _cells(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[text(c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


@pytest.mark.parametrize(
    ("name", "query", "columns"),
    [
        ("register", {"as_of": "2025-12-31"}, (1, 2, 4, 7, 10)),  # sequence, person, nature,
        ("register", {"as_of": "2025-12-31", "person": "emma"}, (1, 2, 4, 7, 10)),  # after, no.
        ("history", {}, (0, 2, 3)),  # entry, action, person
        ("history", {"rule": "minimum-capital", "until": "2020-12-31"}, (0, 2, 3)),
    ],
)
def test_a_page_of_the_register_or_history_is_the_slice_of_the_download(
    client, monkeypatch, name, query, columns
) -> None:
    """The register and the history read one page at a time: each page's rows are the rows
    of the whole table (the CSV download) at those positions; the last page too; a page past
    the last shows the last."""
    import csv

    from scop_ledger.web import pages

    size = 3
    monkeypatch.setattr(pages, "PAGE_ROWS", size)
    params = {**query, "known_at": KNOWN}
    whole = list(csv.reader(io.StringIO(client.get(f"/{name}.csv", params=params).text)))[1:]
    assert len(whole) > 2 * size
    count = -(-len(whole) // size)
    for number in (1, 2, count // 2 + 1, count, count + 5):
        got = client.get(f"/{name}", params={**params, "page": str(number)})
        assert got.status_code == 200
        start = (min(number, count) - 1) * size
        expected = [[row[i] for i in columns] for row in whole[start : start + size]]
        shown = [[row[i] for i in columns] for row in _cells(got.text)]
        assert shown == expected, number
        first, last = start + 1, min(start + size, len(whole))
        assert f"Rows {first} to {last} of {len(whole)}" in text(got.text)
