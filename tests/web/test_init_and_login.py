"""A cooperative registered through the browser (``/init``: every option of ``init``), what a
store holding none shows, a second cooperative written to through ``?coop=``; and the API's
login (``POST /api/login``, ``GET /api/session``): the CSRF token an API client sends with
``POST /api/entries``. On both back ends, in process (TestClient)."""

from __future__ import annotations

import re

import pytest

PASSWORD = "correct horse battery"
INIT = {
    "slug": "acme",
    "name": "Acme Scop",
    "legal_form": "sarl",
    "share_value": "25,50",  # a decimal comma, as a French treasurer types it
    "date": "2016-01-04",
    "profile": "fr-scop",
    "refund_delay_years": "3",
    "review_every_years": "5",
    "fiscal_year_end": "06-30",
    "external_vote_cap": "0.35",
    "supervisory_board_from": "20",
    "ref": "Kbis",
}


@pytest.fixture
def store(store_url: str) -> str:
    """An empty store with the user claire (``users add`` makes the store)."""
    from scop_ledger.app import users
    from scop_ledger.app.session import Session
    from scop_ledger.settings import Settings

    session = Session(Settings(url=store_url))
    try:
        users.add(session, "claire", PASSWORD)
    finally:
        session.close()
    return store_url


def client(db: str, **options):
    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app

    return TestClient(create_app(Settings(url=db, user="os-user"), **options))


def token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def notice(page: str) -> str:
    found = re.search(r'<p class="notice">([^<]+)</p>', page)
    assert found is not None, page
    return found.group(1).replace("&#39;", "'")


def log_in(browser) -> str:
    sent = {"csrf": token(browser.get("/login").text), "name": "claire", "password": PASSWORD}
    assert browser.post("/login", data=sent, follow_redirects=False).status_code == 303
    return token(browser.get("/").text)


def test_the_init_form_has_every_option_of_the_init_command() -> None:
    from scop_ledger.cli.write import init
    from scop_ledger.web.founding import FIELDS

    options = {"date" if p.name == "on" else p.name for p in init.params} - {"fmt"}
    assert {f.name for f in FIELDS} == options


def test_an_empty_store_offers_the_init_form_to_a_writer_and_a_sentence_to_others(store) -> None:
    with client(store) as reader:
        page = reader.get("/")
        assert page.status_code == 200
        assert notice(page.text) == (
            "This store holds no cooperative yet: register one with 'scop-ledger init', or "
            "serve it with --write and register it here after logging in."
        )
        assert reader.post("/init", data=INIT).status_code == 403
    with client(store, write=True) as browser:
        assert notice(browser.get("/").text).endswith("log in to register the first one.")
        assert browser.get("/init", follow_redirects=False).status_code == 303
        csrf = log_in(browser)
        form = browser.get("/").text
        assert notice(form) == "This store holds no cooperative yet: register the first one here."
        assert '<form method="post" action="/init"' in form
        assert '<option value="be-cnc">Cooperative accredited by the CNC (Belgium)</option>' in form
        assert 'name="supervisory_board_from" step="1" inputmode="numeric" value="20"' in form
        french = browser.get("/init", params={"lang": "fr"}).text
        assert "<h1>Enregistrer une coopérative</h1>" in french
        assert "Délai de remboursement (années)" in french
        browser.get("/init", params={"lang": "en"})  # the cookie remembers the language
        assert browser.post("/init", data=INIT).status_code == 403  # no token
        refused = browser.post("/init", data={**INIT, "csrf": csrf, "share_value": "0"})
        assert refused.status_code == 400
        assert re.search(r'<p class="error" role="alert">share-value[^<]*0', refused.text)
        assert 'value="Acme Scop"' in refused.text  # the form keeps what was typed
        done = browser.post("/init", data={**INIT, "csrf": csrf})
        assert done.status_code == 200, done.text
        assert re.search(r"Entry \d+ recorded \(init\)\.", done.text)
        assert '<a href="/?coop=acme">' in done.text
        (entry,) = browser.get("/api/history").json()["entries"]
        assert (entry["action"], entry["recorded_by"], entry["ref"]) == ("init", "claire", "Kbis")
        (coop,) = browser.get("/api/coops").json()["coops"]
        assert (coop["coop"], coop["name"], coop["legal_form"]) == ("acme", "Acme Scop", "sarl")
        capital = browser.get("/api/capital").json()
        assert capital["share_value"] == "25.50"
        again = browser.post("/init", data={**INIT, "csrf": csrf})
        assert again.status_code == 409
        assert "cooperative &#39;acme&#39; is already registered" in again.text


def test_a_second_cooperative_from_the_federation_view_and_its_forms(store) -> None:
    with client(store, write=True) as browser:
        csrf = log_in(browser)
        assert browser.post("/init", data={**INIT, "csrf": csrf}).status_code == 200
        assert "/init" in browser.get("/record").text  # reachable with one cooperative too
        beta = {**INIT, "slug": "beta", "name": "Beta", "profile": "be-cnc", "csrf": csrf}
        assert browser.post("/init", data={**beta, "scop_thresholds": "no"}).status_code == 200
        federation = browser.get("/").text
        assert "<h1>Cooperatives</h1>" in federation
        assert '<a href="/init">Register another cooperative</a>' in federation
        chooser = browser.get("/record").text  # which cooperative to record in?
        assert '<a href="/record?coop=beta">beta</a>' in chooser
        assert 'href="/record/hire' not in chooser
        assert 'href="/record/hire?coop=beta"' in browser.get("/record?coop=beta").text
        form = browser.get("/record/hire", params={"coop": "beta"}).text
        assert '<form method="post" action="/record/hire?coop=beta"' in form
        hire = {"csrf": csrf, "person": "zoe", "date": "2017-02-01"}
        done = browser.post("/record/hire?coop=beta", data=hire)
        assert done.status_code == 200, done.text
        members = browser.get("/api/members", params={"coop": "beta"}).json()["members"]
        assert [m["person"] for m in members] == ["zoe"]
        assert browser.get("/api/members", params={"coop": "acme"}).json()["members"] == []
        unsaid = browser.post("/record/hire", data=hire)  # which cooperative?
        assert unsaid.status_code == 400 and "2 cooperatives" in unsaid.text
        row = {"action": "hire", "date": "2017-03-01", "person": "yann"}
        api = browser.post("/api/entries?coop=acme", json=row, headers={"X-CSRF-Token": csrf})
        assert api.status_code == 201, api.text
        members = browser.get("/api/members", params={"coop": "acme"}).json()["members"]
        assert [m["person"] for m in members] == ["yann"]


def test_an_api_client_logs_in_and_records_with_its_token(store) -> None:
    credentials = {"name": "claire", "password": PASSWORD}
    with client(store) as read_only:
        assert read_only.post("/api/login", json=credentials).status_code == 403
        assert read_only.get("/api/session").status_code == 403
    with client(store, write=True) as api:
        csrf = log_in(api)
        assert api.post("/init", data={**INIT, "csrf": csrf}).status_code == 200
    with client(store, write=True) as api:
        assert api.get("/api/session").json() == {"error": "log in first"}
        wrong = api.post("/api/login", json={**credentials, "password": "nope"})
        assert (wrong.status_code, wrong.json()) == (401, {"error": "wrong name or password"})
        assert api.post("/api/login", json={"name": "zoe", "password": PASSWORD}).status_code == 401
        assert api.post("/api/login", content=b'{"name": "claire"}').status_code == 415
        assert api.post("/api/login", json=["claire", PASSWORD]).status_code == 400
        row = {"action": "hire", "date": "2017-03-01", "person": "yann"}
        assert api.post("/api/entries", json=row).status_code == 401
        logged = api.post("/api/login", json=credentials)
        assert logged.status_code == 200
        made = logged.json()
        assert made["user"] == "claire" and len(made["csrf"]) > 20
        assert api.get("/api/session").json() == {
            "user": "claire",
            "csrf": made["csrf"],
            "write": True,
        }
        assert api.post("/api/entries", json=row).status_code == 403  # no token
        wrong_token = {"X-CSRF-Token": made["csrf"][:-1]}
        assert api.post("/api/entries", json=row, headers=wrong_token).status_code == 403
        done = api.post("/api/entries", json=row, headers={"X-CSRF-Token": made["csrf"]})
        assert done.status_code == 201, done.text
        (entry,) = api.get("/api/history", params={"person": "yann"}).json()["entries"]
        assert (entry["id"], entry["recorded_by"]) == (done.json()["event"], "claire")
    with client(store, write=True, login_to_read=True) as remote:
        assert remote.get("/api/capital").status_code == 401
        assert remote.post("/api/login", json=credentials).status_code == 200
        assert remote.get("/api/capital").status_code == 200


def test_beyond_this_machine_a_read_only_server_asks_for_the_login_to_read(store) -> None:
    with client(store, write=True) as writer:
        csrf = log_in(writer)
        assert writer.post("/init", data={**INIT, "csrf": csrf}).status_code == 200
        hire = {"csrf": csrf, "person": "zoe", "date": "2017-02-01"}
        assert writer.post("/record/hire", data=hire).status_code == 200
        assert "/reverse/" in writer.get("/history").text
    with client(store, login_to_read=True) as remote:
        assert remote.get("/", follow_redirects=False).headers["location"] == "/login"
        assert remote.get("/api/capital").status_code == 401
        csrf = log_in(remote)
        page = remote.get("/").text
        assert "Logged in as claire" in page and "Record an entry" not in page
        assert "Read-only: this server never writes to the ledger." in page
        assert "/reverse/" not in remote.get("/history").text  # nothing offered to write
        assert remote.get("/api/capital").json()["coop"] == "acme"
        assert remote.get("/api/session").json() == {"user": "claire", "csrf": csrf, "write": False}
        row = {"action": "hire", "date": "2017-03-01", "person": "yann"}
        refused = remote.post("/api/entries", json=row, headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 403
        assert remote.post("/record/hire", data={"csrf": csrf, **row}).status_code == 403
        assert remote.post("/init", data={**INIT, "csrf": csrf}).status_code == 403
        assert remote.get("/record").status_code == 404
        assert (
            remote.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        )
        assert remote.get("/api/capital").status_code == 401
