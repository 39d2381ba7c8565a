"""The findings of the company rules (a legal representative in office, partners holding
shares, every year's surplus allocated) link, like every finding, to the entries behind them:
on both back ends, in-process."""

from __future__ import annotations

import html
import re

from scop_ledger.domain.rules.registry import RULES
from scop_ledger.web.tables import RULE_ACTIONS
from tests.audit.test_report import _ledger


def _actions(page: str) -> set[str]:
    """The actions of the history table's rows (its third column)."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    return {re.sub(r"<[^>]+>", "", c[2]).strip() for c in cells if len(c) > 2}


def test_every_rule_names_the_entries_that_move_it() -> None:
    assert set(RULES) <= set(RULE_ACTIONS)


def test_the_company_rules_breaches_link_to_their_entries(store_url: str) -> None:
    from starlette.testclient import TestClient

    from scop_ledger.settings import Settings
    from scop_ledger.web.app import create_app

    _ledger(store_url)
    with TestClient(create_app(Settings(url=store_url, user="web"))) as client:
        page = client.get("/compliance", params={"as_of": "2017-02-15"}).text
        links = [html.unescape(h) for h in re.findall(r'<a class="entries" href="([^"]+)"', page)]
        wanted = {
            "legal-representative": ("2017-01-01", {"appoint"}),
            "partners-hold-shares": ("2016-02-01", {"admit", "subscribe"}),
        }
        for rule, (since, actions) in wanted.items():
            href = next(h for h in links if h.startswith(f"/history?rule={rule}&"))
            assert f"&until={since}" in href, href
            shown = client.get(href).text
            assert f"The entries behind the rule {rule}" in shown
            assert _actions(shown) == actions, (rule, _actions(shown))
        page = client.get("/compliance", params={"as_of": "2020-12-31"}).text
        href = html.unescape(re.search(r'href="(/history\?rule=surplus-allocation[^"]*)"', page)[1])
        assert "&until=2019-06-28" in href  # the split of 2018's surplus, then 2019 never
        shown = client.get(href).text
        assert _actions(shown) == {"allocate"}
