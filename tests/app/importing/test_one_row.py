"""One row of the import format outside a file: typed in a form (``row_command``) or posted as
JSON (``json_command``, ``POST /api/entries``), checked as an import row is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing import json_command, row_command
from scop_ledger.domain.errors import InvalidValue


def test_a_form_row_is_the_command_an_import_row_makes() -> None:
    made = row_command(
        {"action": "pay-up", "date": "30/10/2015", "person": "emma", "amount": "1 234,50"}
    )
    assert made == cmd.PayUp(on="2015-10-30", person="emma", amount="1234.50")
    assert made.source is None


def test_a_json_row_takes_the_french_names_and_exact_amounts() -> None:
    body = '{"opération": "Souscription", "date": "2020-01-06", "personne": "alice", "parts": 4, "libéré": 12.5}'
    made = json_command(body.encode())
    assert isinstance(made, cmd.Subscribe)
    assert (made.person, made.shares, made.paid) == ("alice", 4, Decimal("12.50"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1]", "a row must be a JSON object"),
        (b"{", "not JSON (Expecting property name enclosed in double quotes)"),
        (b'{"action": "hire", "date": NaN}', "not JSON a row can hold (NaN is not a number)"),
        (b'{"action": "hire", "person": "a"}', "the row has no date"),
        (
            b'{"action": "hire", "date": "2020-01-06", "person": "a", "shares": 2}',
            "shares do not apply to hire",
        ),
        (b'{"action": "reverse", "date": "2020-01-06"}', "a reversal is not imported"),
        (b"\xff", "not UTF-8 text"),
    ],
)
def test_a_json_row_is_refused_in_one_line(body: bytes, message: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        json_command(body)
    assert message in refused.value.message
