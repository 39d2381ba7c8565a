"""be-cnc from the command line, in-process: ``allocate --net-asset-value-per-share`` and the
refund limit's warning, and ``roll --present --proxy`` (JSON, table, refusals)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scop_ledger.cli.main import main


@pytest.fixture
def cli(tmp_path: Path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'ledger.db'}"

    def invoke(*args: str, lang: str = "en"):
        env = {"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "cli", "SCOP_LEDGER_LANG": lang}
        return runner.invoke(main, list(args), env=env)

    init = ["init", "acme", "--name", "Acme", "--legal-form", "sarl", "--share-value", "25"]
    assert invoke(*init, "--profile", "be-cnc", "--date", "2016-01-01").exit_code == 0
    for person in ("ann", "ben", "cat"):
        for step in (["admit", person], ["subscribe", person, "--shares", "10"]):
            assert invoke(*step, "--date", "2016-01-01").exit_code == 0
    return invoke


def test_a_refund_above_the_net_asset_value_warns(cli) -> None:
    parts = ["--legal-reserve", "0", "--development-fund", "0", "--employees", "0"]
    allocated = cli(
        "allocate", "--year", "2016", "--surplus", "-5000", *parts, "--dividends", "0",
        "--net-asset-value-per-share", "20", "--date", "2017-06-30",
    )  # fmt: skip
    assert allocated.exit_code == 0, allocated.output
    assert cli("leave", "cat", "--reason", "resignation", "--date", "2018-01-15").exit_code == 0
    paid = cli("pay-refund", "cat", "--amount", "200.01", "--date", "2018-02-01")
    assert paid.exit_code == 0
    assert "refund-limit is in breach as of 2018-02-01" in paid.output
    bad = cli(
        "allocate", "--year", "2017", "--surplus", "0", *parts, "--dividends", "0",
        "--net-asset-value-per-share", "-1", "--date", "2018-06-30",
    )  # fmt: skip
    assert bad.exit_code != 0 and "net-asset-value-per-share may not be negative" in bad.output


def test_the_roll_with_the_partners_present_and_a_proxy(cli) -> None:
    answer = cli("roll", "--date", "2016-06-30", "--present", "ann", "--proxy", "cat=ann",
                 "--format", "json")  # fmt: skip
    assert answer.exit_code == 0, answer.output
    m = json.loads(answer.output)["meeting"]
    assert (m["present"], m["represented"]) == (["ann"], [{"person": "cat", "holder": "ann"}])
    assert (m["votes_present_or_represented"], m["above_cap"]) == ("2.0000", ["ann"])
    assert m["voters"][0]["share"] == "1.0000" and m["cap_applies"] is False
    table = cli("roll", "--date", "2016-06-30", "--present", "ann,ben", "--proxy", "cat=ann",
                lang="fr")  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "voix présentes ou représentées" in table.output and "proxy:ann" in table.output
    plain = json.loads(cli("roll", "--date", "2016-06-30", "--format", "json").output)
    assert "meeting" not in plain


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--present", "ann", "--proxy", "cat"], "proxy cat is not PERSON=HOLDER"),
        (["--present", "ann", "--proxy", "cat=ann,cat=ann"], "cat gives more than one proxy"),
        (["--present", "ann,zed"], "zed is not a partner on 2016-06-30"),
        (["--present", "ann", "--proxy", "cat=ben"], "ben holds the proxy of cat but is not"),
    ],
)
def test_a_meeting_that_cannot_be_is_one_line_and_a_failure(cli, args, message) -> None:
    found = cli("roll", "--date", "2016-06-30", *args)
    assert found.exit_code != 0 and message in found.output
    assert len(found.output.strip().splitlines()) == 1
