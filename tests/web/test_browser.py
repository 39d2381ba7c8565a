"""The browser end to end: Debian's Chromium driven by Playwright against the installed
``scop-ledger serve`` on a free port: open the dashboard, change the date, follow a breach to
the entries behind it, switch to French; with ``--write``, log in, record a subscription
through the form and see the capital change, see a refusal, upload an import and confirm it.
One browser for the module.

Without Chromium (or Playwright) the tests are skipped with that reason, unless
SCOP_LEDGER_TEST_CHROMIUM=required (CI), when they fail instead."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Server, build_fabrique, cli

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
# SCOP_LEDGER_SCREENSHOTS=1 saves the guide's screenshots (docs/browser.md) into docs/img/.
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "img"


def screenshot(page: Any, name: str) -> None:
    if os.environ.get("SCOP_LEDGER_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"browser-{name}.png"), full_page=False)


def _unavailable(reason: str) -> None:
    if os.environ.get("SCOP_LEDGER_TEST_CHROMIUM") == "required":
        pytest.fail(f"Chromium is required (SCOP_LEDGER_TEST_CHROMIUM=required): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'ledger.db'}"
    build_fabrique(url)
    return url


@pytest.fixture(scope="module")
def server(ledger: str) -> Iterator[Server]:
    running = Server(ledger)
    yield running
    code, _out, err = running.stop()
    assert code == 0, err


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``serve --write`` on a ledger of its own, with the user claire."""
    from tests.web.test_writing import PASSWORD, add_user

    url = f"sqlite:///{tmp_path_factory.mktemp('writer') / 'ledger.db'}"
    build_fabrique(url)
    assert add_user(url, "claire", PASSWORD).returncode == 0
    running = Server(url, "--write")
    yield running
    code, _out, err = running.stop()
    assert code == 0, err


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"the browser tests need Chromium ({CHROMIUM}, Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the browser tests need Playwright for Python (pip install playwright)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def capital_line(ledger: str, as_of: str) -> str:
    answer = json.loads(cli(ledger, "capital", "--as-of", as_of, "--format", "json").stdout)
    return f"Capital {answer['amount']} ({answer['shares']} shares of 25.00)"


def test_the_dashboard_and_its_date(page, server, ledger) -> None:
    page.goto(f"{server.url}/?as_of=2024-12-31")
    assert page.locator("h1").inner_text() == "Dashboard"
    summary = page.locator("p.summary", has_text=re.compile(r"^Capital "))
    assert summary.inner_text() == capital_line(ledger, "2024-12-31")
    # htmx: changing the date reloads the page's content and puts the date in the address.
    page.fill("input[name=as_of]", "2016-06-30")
    expected = capital_line(ledger, "2016-06-30")
    page.locator("p.summary", has_text=expected).wait_for()
    assert "as_of=2016-06-30" in page.url
    assert page.locator("p.moment").inner_text().startswith("fabrique as of 2016-06-30")
    page.goto(f"{server.url}/?as_of=2025-12-31")
    screenshot(page, "dashboard")


def test_a_breach_leads_to_the_entries_behind_it(page, server) -> None:
    page.goto(f"{server.url}/compliance?as_of=2025-12-31")
    breach = page.locator("tr.breach", has_text="refunds-due").first
    assert breach.locator("td").first.inner_text() == "refunds-due"
    breach.locator("a.entries").click()
    page.wait_for_url(re.compile(r"/history\?rule=refunds-due&until=2024-10-01"))
    assert page.locator("h1").inner_text() == "History"
    actions = page.locator("table.grid tbody tr td:nth-child(3)").all_inner_texts()
    assert "leave" in actions
    assert set(actions) <= {"leave", "withdraw", "pay-refund"}
    page.goto(f"{server.url}/timeline?as_of=2025-12-31&lang=fr")
    screenshot(page, "timeline-fr")
    page.goto(f"{server.url}/members/gabriel?as_of=2025-12-31&lang=en")
    assert page.locator("svg.holdings circle").count() == 2  # his shares over time
    screenshot(page, "member")


def test_switching_to_french_is_remembered(page, server) -> None:
    page.goto(f"{server.url}/capital?as_of=2024-12-31")
    assert page.locator("h1").inner_text() == "Share capital"
    page.click("text=Français")
    page.wait_for_url(re.compile(r"lang=fr"))
    assert page.locator("h1").inner_text() == "Capital social"
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click("nav >> text=Voix")
    assert page.locator("h1").inner_text() == "Voix"
    assert "lang=" not in page.url  # the cookie remembers it


def test_log_in_record_a_subscription_and_see_a_refusal(page, writer) -> None:
    from tests.web.test_writing import PASSWORD

    page.goto(f"{writer.url}/capital?as_of=2025-06-30")
    before = page.locator("p.summary").first.inner_text()
    page.click("text=Log in to record")
    page.fill("input[name=name]", "claire")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.fields button")
    page.wait_for_url(f"{writer.url}/")
    assert "Logged in as claire" in page.locator("div.login").inner_text()
    page.click("text=Record an entry")
    page.click("text=Record a subscription")
    page.fill("input[name=person]", "amelie")
    page.fill("input[name=date]", "2025-06-02")
    page.fill("input[name=shares]", "4")
    page.click("form.fields button")
    assert re.match(r"Entry \d+ recorded \(subscribe\)\.", page.locator("p.recorded").inner_text())
    page.goto(f"{writer.url}/capital?as_of=2025-06-30")
    after = page.locator("p.summary").first.inner_text()
    shares = [int(re.search(r"\((\d+) shares", line).group(1)) for line in (before, after)]
    assert shares[1] == shares[0] + 4
    # A refusal: david left in 2018; the line is shown on the form, which keeps its values.
    page.goto(f"{writer.url}/subscribe")
    page.fill("input[name=person]", "david")
    page.fill("input[name=date]", "2025-06-02")
    page.fill("input[name=shares]", "4")
    page.click("form.fields button")
    assert "david" in page.locator("p.error").inner_text()
    assert page.input_value("input[name=person]") == "david"


def test_a_withdrawal_through_its_form_picks_the_person_and_shows_the_refusal(page, writer) -> None:
    from tests.web.test_writing import PASSWORD

    page.goto(f"{writer.url}/login")
    page.fill("input[name=name]", "claire")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.fields button")
    page.wait_for_url(f"{writer.url}/")
    page.click("text=Record an entry")
    page.click("text=Record a withdrawal of shares")
    assert page.locator("h1").inner_text() == "Record a withdrawal of shares"
    # The person picker offers every person the ledger knows, by reference and name.
    picker = page.locator("input[name=person]")
    assert picker.get_attribute("list") == "persons"
    assert page.locator("datalist#persons option[value=david]").inner_text() == "David Morel"
    page.fill("input[name=date]", "2025-06-02")
    picker.fill("david")
    page.fill("input[name=shares]", "1")
    page.click("form.fields button")
    # david left in 2018: the CLI's one line, on the form, which keeps what was typed.
    refusal = page.locator("p.error").inner_text()
    said = cli(writer.db, "withdraw", "david", "--shares", "1", "--date", "2025-06-02")
    assert said.stderr == f"error: {refusal}\n"
    assert page.input_value("input[name=person]") == "david"
    assert page.input_value("input[name=shares]") == "1"
    screenshot(page, "record-refused")
    page.fill("input[name=person]", "amelie")
    page.click("form.fields button")
    assert re.match(r"Entry \d+ recorded \(withdraw\)\.", page.locator("p.recorded").inner_text())


def test_upload_an_import_preview_it_and_confirm_it(page, writer, tmp_path) -> None:
    from tests.web.test_writing import PASSWORD

    page.goto(f"{writer.url}/login")
    page.fill("input[name=name]", "claire")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.fields button")
    page.wait_for_url(f"{writer.url}/")
    file = tmp_path / "hires.csv"
    file.write_text("action,date,person,name\nhire,2025-10-01,yannick,Yannick Le Gall\n")
    page.click("text=Import a file")
    page.set_input_files("input[type=file]", str(file))
    page.click("form.fields button")
    assert "1 would be recorded" in page.locator("p.summary").inner_text()
    assert page.locator("tr.new td").nth(2).inner_text() == "hire"
    page.click("text=Record these rows")
    assert page.locator("p.recorded").inner_text() == "1 row: 1 recorded, 0 already recorded."
    page.goto(f"{writer.url}/members/yannick")
    assert page.locator("h1").inner_text() == "Yannick Le Gall"
