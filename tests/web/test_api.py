"""The JSON API answers exactly what the CLI's --format json prints for the same question, on
both back ends; its errors are the CLI's line; a read-only server refuses every write."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import cli

KNOWN = "2199-01-01T00:00:00+00:00"  # after the ledger was recorded (today)
# Each endpoint, its query string, and the CLI command giving the same answer.
CASES = [
    ("capital", {"as_of": "2019-06-30"}, ["capital", "--as-of", "2019-06-30"]),
    ("capital", {"as_of": "2024-12-31"}, ["capital", "--as-of", "2024-12-31"]),
    ("votes", {"as_of": "2019-06-30"}, ["votes", "--as-of", "2019-06-30"]),
    ("refunds", {"as_of": "2025-12-31"}, ["refunds", "--as-of", "2025-12-31"]),
    ("members", {"as_of": "2016-06-30"}, ["members", "--as-of", "2016-06-30"]),
    (
        "members",
        {"as_of": "2016-06-30", "eligible": "true"},
        ["members", "--as-of", "2016-06-30", "--eligible"],
    ),
    ("register", {"as_of": "2025-12-31"}, ["register", "--as-of", "2025-12-31"]),
    ("history", {}, ["history"]),
    ("history", {"person": "gabriel"}, ["history", "gabriel"]),
    ("compliance", {"as_of": "2019-06-30"}, ["compliance", "--as-of", "2019-06-30"]),
    ("timeline", {"as_of": "2025-12-31"}, ["timeline", "--as-of", "2025-12-31"]),
    (
        "timeline",
        {"as_of": "2025-12-31", "from": "2018-01-01", "rule": "employee-capital-majority"},
        [
            "timeline",
            "--as-of",
            "2025-12-31",
            "--from",
            "2018-01-01",
            "--rule",
            "employee-capital-majority",
        ],
    ),
    ("factsheet", {"year": "2024"}, ["factsheet", "--year", "2024"]),
    ("coops", {"as_of": "2024-12-31"}, ["coops", "--as-of", "2024-12-31"]),
]


@pytest.mark.parametrize(("name", "params", "args"), CASES, ids=lambda c: str(c))
def test_each_endpoint_answers_the_clis_json(client, fabrique, name, params, args) -> None:
    response = client.get(f"/api/{name}", params={**params, "known_at": KNOWN})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    done = cli(fabrique, *args, "--known-at", KNOWN, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert response.text == done.stdout.rstrip("\n")
    assert json.loads(response.text) == json.loads(done.stdout)


def test_the_coop_parameter_is_the_clis_option(client, fabrique) -> None:
    response = client.get("/api/capital", params={"coop": "fabrique", "as_of": "2020-01-01"})
    assert response.json()["coop"] == "fabrique"
    missing = client.get("/api/capital", params={"coop": "nowhere"})
    done = cli(fabrique, "--coop", "nowhere", "capital", "--format", "json")
    assert missing.status_code == 404
    assert done.returncode == 1
    assert done.stderr == f"error: {missing.json()['error']}\n"


@pytest.mark.parametrize(
    ("params", "flag"),
    [({"as_of": "2024-13-01"}, "as_of"), ({"known_at": "yesterday"}, "known_at")],
)
def test_a_bad_date_is_400_with_one_line(client, params, flag) -> None:
    response = client.get("/api/capital", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith(f"{flag} ") and "\n" not in error


def test_the_errors_are_the_clis_lines(client, fabrique) -> None:
    response = client.get("/api/timeline", params={"rule": "no-such-rule"})
    done = cli(fabrique, "timeline", "--rule", "no-such-rule", "--format", "json")
    assert response.status_code == 400
    assert done.stderr == f"error: {response.json()['error']}\n"
    year = client.get("/api/factsheet")
    assert year.status_code == 400
    assert year.json() == {"error": "year '' is not a whole number from 1900 to 2199"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/entries", "/api/capital", "/", "/capital", "/nowhere"])
def test_a_read_only_server_refuses_every_write(client, fabrique, method, path) -> None:
    before = client.get("/api/history").json()["entries"]
    response = client.request(method, path, json={"action": "hire", "person": "zoe"})
    assert response.status_code == 403
    if path.startswith("/api/"):
        assert response.json() == {
            "error": "this server is read-only: nothing can be written through it"
        }
    assert client.get("/api/history").json()["entries"] == before
