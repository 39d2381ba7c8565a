"""The statutes' defaults are defined once: the command model and the aggregate agree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from scop_ledger.app import commands as cmd
from scop_ledger.domain.dates import add_years, year_end
from scop_ledger.domain.statutes import Statutes, vote_cap


def test_init_defaults_are_the_statutes_defaults() -> None:
    init = cmd.Init(slug="acme", name="Acme", legal_form="sarl", share_value="25")
    statutes = Statutes(share_value=Decimal(25))
    for name in (
        "profile",
        "refund_delay_years",
        "boot_until",
        "review_every_years",
        "fiscal_year_end",
        "scop_thresholds",
        "external_vote_cap",
        "supervisory_board_from",
    ):
        assert getattr(init, name) == getattr(statutes, name), name


def test_vote_cap_applies_under_the_scop_thresholds_only() -> None:
    cap = Decimal("0.35")
    assert vote_cap("fr-scop", None, cap) == cap
    assert vote_cap("be-cnc", None, cap) is None
    assert vote_cap("be-cnc", True, cap) == cap
    assert vote_cap("fr-scop", False, cap) is None


def test_dates() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert year_end("06-30", 2024) == date(2024, 6, 30)
