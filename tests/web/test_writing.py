"""Writing through the browser (serve --write): users and their argon2 hashes, the login, the
CSRF token of every form, a subscription recorded by the logged-in user, a refusal shown in
one line, a reversal from the history; the read-only server still refuses all of it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from tests.app.test_kept import holding
from tests.conftest import BACKENDS
from tests.web.conftest import cli, fabrique_on

PASSWORD = "correct horse battery"


def add_user(db: str, name: str, password: str, *extra: str):
    import subprocess

    from tests.conftest import console_script

    env = {"SCOP_LEDGER_DB": db, "SCOP_LEDGER_LANG": "en", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [*console_script(), *extra, "users", "add", name, "--password-stdin"],
        input=password + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def ledger(request, tmp_path_factory) -> Iterator[str]:
    with fabrique_on(request.param, tmp_path_factory) as url:
        done = add_user(url, "claire", PASSWORD)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "user claire added\n"
        yield url


def app_on(db: str, **options):
    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app

    return TestClient(create_app(Settings(url=db, user="os-user"), write=True, **options))


def token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def logged_in(browser) -> str:
    csrf = token(browser.get("/login").text)
    done = browser.post(
        "/login",
        data={"csrf": csrf, "name": "claire", "password": PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303
    return token(browser.get("/").text)


def test_users_add_stores_an_argon2_hash_and_refuses_in_one_line(ledger) -> None:
    import sqlalchemy

    from scop_ledger.store.engine import normalise_url

    engine = sqlalchemy.create_engine(normalise_url(ledger))
    with engine.connect() as conn:
        stored = conn.execute(
            sqlalchemy.text("SELECT password_hash FROM scop_ledger_users WHERE name = 'claire'")
        ).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    again = add_user(ledger, "claire", PASSWORD)
    assert (again.returncode, again.stderr) == (1, "error: user 'claire' already exists\n")
    short = add_user(ledger, "bob", "short")
    assert short.returncode == 2
    assert short.stderr == "error: the password must have at least 8 characters\n"
    read_only = add_user(ledger, "bob", PASSWORD, "--read-only")
    assert read_only.returncode == 3
    # Logins are not entries: the history and the chain know nothing of them.
    assert "claire" not in cli(ledger, "history", "--format", "json").stdout
    assert cli(ledger, "verify").returncode == 0


def test_the_login_checks_the_password_and_the_token(ledger) -> None:
    with app_on(ledger) as browser:
        page = browser.get("/").text
        assert '<a href="/login">Log in to record</a>' in page
        csrf = token(browser.get("/login").text)
        wrong = browser.post("/login", data={"csrf": csrf, "name": "claire", "password": "nope"})
        assert wrong.status_code == 401
        assert "wrong name or password" in wrong.text
        unknown = browser.post("/login", data={"csrf": csrf, "name": "zoe", "password": PASSWORD})
        assert unknown.status_code == 401
        forged = browser.post("/login", data={"name": "claire", "password": PASSWORD})
        assert forged.status_code == 403
        logged_in(browser)
        assert "Logged in as claire" in browser.get("/").text


def test_a_subscription_through_the_form_changes_the_capital(ledger) -> None:
    with app_on(ledger) as browser:
        assert browser.get("/subscribe", follow_redirects=False).status_code == 303
        csrf = logged_in(browser)
        before = browser.get("/api/capital", params={"as_of": "2025-06-30"}).json()
        form = {"person": "amelie", "date": "2025-06-02", "shares": "4", "ref": "form 12"}
        assert browser.post("/subscribe", data=form).status_code == 403  # no token
        done = browser.post("/subscribe", data={**form, "csrf": csrf})
        assert done.status_code == 200, done.text
        assert re.search(r"Entry \d+ recorded \(subscribe\)\.", done.text)
        assert holding(ledger) == 1  # kept after the answer, for the next question
        after = browser.get("/api/capital", params={"as_of": "2025-06-30"}).json()
        assert after["shares"] == before["shares"] + 4
        entry = browser.get("/api/history", params={"person": "amelie"}).json()["entries"][-1]
        assert (entry["action"], entry["recorded_by"], entry["ref"]) == (
            "subscribe",
            "claire",
            "form 12",
        )


def test_a_refusal_is_shown_inline_and_nothing_is_written(ledger) -> None:
    with app_on(ledger) as browser:
        csrf = logged_in(browser)
        count = len(browser.get("/api/history").json()["entries"])
        # david left in 2018: not a partner in 2025.
        form = {"csrf": csrf, "person": "david", "date": "2025-06-02", "shares": "4"}
        refused = browser.post("/subscribe", data=form)
        assert refused.status_code == 409
        line = re.search(r'<p class="error" role="alert">([^<]+)</p>', refused.text)
        assert line is not None and "david" in line.group(1)
        assert 'value="david"' in refused.text  # the form keeps what was typed
        bad = browser.post("/subscribe", data={**form, "shares": "0"})
        assert bad.status_code == 400
        assert len(browser.get("/api/history").json()["entries"]) == count


def test_an_entry_is_reversed_from_its_history_row(ledger) -> None:
    with app_on(ledger) as browser:
        csrf = logged_in(browser)
        page = browser.get("/history", params={"person": "gabriel"}).text
        entries = browser.get("/api/history", params={"person": "gabriel"}).json()["entries"]
        twice = next(e["id"] for e in entries if e["note"] == "entered twice by mistake")
        assert f'action="/reverse/{twice}"' in page
        person = browser.get("/members/gabriel").text  # a person's entries are history rows
        assert f'action="/reverse/{twice}"' in person
        done = browser.post(f"/reverse/{twice}", data={"csrf": csrf, "reason": "typed twice"})
        assert done.status_code == 200, done.text
        assert "recorded (reverse)" in done.text
        entries = browser.get("/api/history", params={"person": "gabriel"}).json()["entries"]
        reversed_entry = next(e for e in entries if e["id"] == twice)
        assert reversed_entry["reversed_by"] is not None
        again = browser.post(f"/reverse/{twice}", data={"csrf": csrf, "reason": "again"})
        assert again.status_code == 409
        assert 'class="error"' in again.text


def test_beyond_this_machine_every_page_asks_for_the_login(ledger) -> None:
    with app_on(ledger, login_to_read=True) as browser:
        assert browser.get("/", follow_redirects=False).headers["location"] == "/login"
        assert browser.get("/api/capital").status_code == 401
        assert browser.get("/login").status_code == 200
        logged_in(browser)
        assert browser.get("/api/capital").status_code == 200


def test_a_writing_server_refuses_other_writes(ledger) -> None:
    with app_on(ledger) as browser:
        logged_in(browser)
        assert browser.post("/api/capital", json={}).status_code == 403
        assert browser.delete("/history").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/logout",
        "/subscribe",
        "/record/hire",
        "/reverse/3",
        "/init",
        "/import",
        "/import/confirm",
        "/api/entries",
        "/api/login",
    ],
)
def test_a_read_only_server_takes_no_form(client, path) -> None:
    assert client.post(path, data={"name": "claire", "password": PASSWORD}).status_code == 403
    assert client.get("/subscribe").status_code == 404


def test_an_upload_is_previewed_then_recorded_on_confirmation(ledger, tmp_path) -> None:
    rows = (
        "action,date,person,name,shares,ref\n"
        "hire,2025-09-01,yannick,Yannick Le Gall,,contract\n"
        "hire,2014-01-06,amelie,Amélie Roux,,employment contract\n"
    )
    with app_on(ledger) as browser:
        assert browser.get("/import", follow_redirects=False).status_code == 303
        csrf = logged_in(browser)
        files = {"file": ("more.csv", rows.encode(), "text/csv")}
        assert browser.post("/import", files=files).status_code == 403  # no token
        count = len(browser.get("/api/history").json()["entries"])
        preview = browser.post("/import", data={"csrf": csrf}, files=files)
        assert preview.status_code == 200, preview.text
        shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.text))
        assert "more.csv: 2 rows, 1 would be recorded" in shown
        assert "2 would be recorded hire 2025-09-01 yannick" in shown
        assert re.search(r"3 already recorded \(entry \d+\) hire 2014-01-06 amelie", shown)
        assert len(browser.get("/api/history").json()["entries"]) == count  # nothing yet
        upload = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
        done = browser.post("/import/confirm", data={"csrf": csrf, "token": upload})
        assert done.status_code == 200, done.text
        assert "2 rows: 1 recorded, 1 already recorded." in done.text
        entries = browser.get("/api/history", params={"person": "yannick"}).json()["entries"]
        assert [(e["action"], e["recorded_by"]) for e in entries] == [("hire", "claire")]
        gone = browser.post("/import/confirm", data={"csrf": csrf, "token": upload})
        assert gone.status_code == 404


def test_an_invalid_upload_is_refused_row_by_row(ledger) -> None:
    with app_on(ledger) as browser:
        csrf = logged_in(browser)
        bad = "action,date,person,shares\nsubscribe,2025-13-01,amelie,2\n"
        files = {"file": ("bad.csv", bad.encode(), "text/csv")}
        refused = browser.post("/import", data={"csrf": csrf}, files=files)
        assert refused.status_code == 400
        assert re.search(r'<p class="error" role="alert">line 2: [^<]*2025-13-01', refused.text)
        wrong = browser.post(
            "/import", data={"csrf": csrf}, files={"file": ("x.txt", b"hi", "text/plain")}
        )
        assert wrong.status_code == 400
        assert "choose a .csv, .jsonl or .xlsx file" in wrong.text


def test_every_writing_command_has_its_typed_form(ledger) -> None:
    from scop_ledger.app.importing import IMPORT_ACTIONS

    with app_on(ledger) as browser:
        assert browser.get("/record/hire", follow_redirects=False).status_code == 303
        logged_in(browser)
        index = browser.get("/record").text
        assert all(f'href="/record/{action}"' in index for action in IMPORT_ACTIONS)
        assert browser.get("/record/transmogrify").status_code == 404
        form = browser.get("/record/appoint").text
        assert '<input type="date" name="date"' in form
        assert '<input name="person" list="persons"' in form
        assert '<option value="gabriel">Gabriel Petit</option>' in form  # the person picker
        assert '<input type="number" name="term_years"' in form
        assert '<option value="supervisory-board-member">' in form
        allocate = browser.get("/record/allocate").text
        assert 'name="person"' not in allocate and "<datalist" not in allocate
        assert '<input name="legal_reserve" inputmode="decimal"' in allocate
        assert 'type="checkbox" name="legal_person"' in browser.get("/record/admit").text
        french = browser.get("/record/terminate", params={"lang": "fr"}).text
        assert "Enregistrer la fin d&#39;un contrat de travail" in french
        assert '<option value="retirement">départ à la retraite</option>' in french
        assert '<option value="SA">' not in french and '<option value="sa">SA</option>' in (
            browser.get("/record/change-form").text
        )


def test_a_command_through_its_form_is_recorded_or_refused_as_the_cli_does(ledger) -> None:
    with app_on(ledger) as browser:
        csrf = logged_in(browser)
        count = len(browser.get("/api/history").json()["entries"])
        form = {"csrf": csrf, "date": "2025-06-02", "person": "david", "shares": "1"}
        assert browser.post("/record/withdraw", data={**form, "csrf": ""}).status_code == 403
        refused = browser.post("/record/withdraw", data=form)
        assert refused.status_code == 409
        line = re.search(r'<p class="error" role="alert">([^<]+)</p>', refused.text).group(1)
        said = cli(ledger, "withdraw", "david", "--shares", "1", "--date", "2025-06-02")
        assert said.returncode == 1 and said.stderr == f"error: {html.unescape(line)}\n"
        assert 'value="david"' in refused.text and "<datalist" in refused.text
        missing = browser.post("/record/terminate", data={**form, "shares": ""})
        assert missing.status_code == 400 and "reason" in missing.text
        assert len(browser.get("/api/history").json()["entries"]) == count
        hired = {"csrf": csrf, "date": "2025-07-01", "person": "sacha", "name": "Sacha Roy"}
        done = browser.post("/record/hire", data=hired)
        assert done.status_code == 200, done.text
        assert re.search(r"Entry \d+ recorded \(hire\)\.", done.text)
        (entry,) = browser.get("/api/history", params={"person": "sacha"}).json()["entries"]
        assert (entry["action"], entry["recorded_by"]) == ("hire", "claire")
        # A write that puts a rule into breach is recorded, with the warning.
        big = {"csrf": csrf, "date": "2025-07-02", "person": "coopinvest", "shares": "5000"}
        warned = browser.post("/record/subscribe", data=big)
        assert warned.status_code == 200, warned.text
        assert '<p class="warning" role="alert">' in warned.text
        assert "employee-capital-majority" in warned.text


def test_an_entry_posted_to_the_api_is_a_row_of_the_import_format(ledger) -> None:
    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app

    row = {"action": "embauche", "date": "2025-08-01", "personne": "tess", "name": "Tess Duval"}
    with TestClient(create_app(Settings(url=ledger))) as read_only:
        refused = read_only.post("/api/entries", json=row)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "this server is read-only: nothing can be written through it"
    }
    with app_on(ledger) as browser:
        assert browser.post("/api/entries", json=row).status_code == 401
        csrf = logged_in(browser)
        assert browser.post("/api/entries", json=row).status_code == 403  # no token
        wrong = browser.post("/api/entries", json=row, headers={"X-CSRF-Token": "forged"})
        assert wrong.status_code == 403
        headers = {"X-CSRF-Token": csrf}
        done = browser.post("/api/entries", json=row, headers=headers)
        assert done.status_code == 201, done.text
        made = done.json()
        assert (made["action"], made["person"], made["date"]) == ("hire", "tess", "2025-08-01")
        assert made["consequences"] == [] and made["warnings"] == []
        (entry,) = browser.get("/api/history", params={"person": "tess"}).json()["entries"]
        assert (entry["id"], entry["recorded_by"]) == (made["event"], "claire")
        # david left in 2018: the CLI's one line, with 422.
        leave = {"action": "withdraw", "date": "2025-06-02", "person": "david", "shares": 1}
        said = cli(ledger, "withdraw", "david", "--shares", "1", "--date", "2025-06-02")
        no = browser.post("/api/entries", json=leave, headers=headers)
        assert no.status_code == 422
        assert f"error: {no.json()['error']}\n" == said.stderr
        bad = browser.post("/api/entries", content=b"[1]", headers=headers)
        assert (bad.status_code, bad.json()) == (422, {"error": "a row must be a JSON object"})
        stray = browser.post("/api/entries", json={**row, "shares": 2}, headers=headers)
        assert stray.status_code == 422 and "shares do not apply to hire" in stray.text
