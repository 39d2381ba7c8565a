"""``scop-ledger serve``: the installed command serves the ledger, prints its address, stops
cleanly on Ctrl-C; a bad option is one line, exit 2 (beyond this machine every page asks for the
login: tests/web/test_init_and_login.py)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.web.conftest import Server, cli

pytestmark = pytest.mark.e2e


def test_serve_prints_its_url_answers_and_stops_on_ctrl_c(fabrique) -> None:
    server = Server(fabrique)
    try:
        with urllib.request.urlopen(f"{server.url}/api/capital?as_of=2020-01-01") as response:
            assert json.loads(response.read())["coop"] == "fabrique"
        refused = urllib.request.Request(f"{server.url}/api/capital", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(refused)
        assert error.value.code == 403
    finally:
        code, out, err = server.stop()
    assert code == 0, err
    assert out.splitlines() == [
        f"serving the ledger read-only on {server.url}/ (Ctrl-C stops)",
        "stopped",
    ]
    assert "Traceback" not in err


def test_serve_refuses_in_one_line(sqlite_url) -> None:
    done = cli(sqlite_url, "serve", "--port", "0")
    assert done.returncode == 2
    assert done.stderr == "error: --port must be at least 1, not 0\n"
    assert done.stdout == ""
