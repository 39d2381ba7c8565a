"""A JSON Lines row is read as the standard ``json`` module reads it (numbers with a fraction as
``Decimal``, whole numbers exactly), whichever decoder reads it, and refused with the same
message."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scop_ledger.app.importing.reading import read_rows
from scop_ledger.app.importing.rows import COLUMNS, Bad, Row

_SURROGATE = "text with a lone surrogate (\\ud800-\\udfff), which is not Unicode text"

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.text(st.characters(codec="utf-16", categories=["Cs", "Ll", "Nd"]), max_size=4),
)
rows = st.dictionaries(st.sampled_from(COLUMNS), values, max_size=6)


def _line(row: dict[str, Any], ascii_only: bool) -> str:
    written = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
    return json.dumps(written, ensure_ascii=ascii_only)


def _expected(line: str) -> Row | Bad:
    """What the reader gave before any faster decoder: the standard module's reading."""
    value = json.loads(line, parse_float=Decimal)
    for key, item in value.items():
        if isinstance(item, str) and any("\ud800" <= c <= "\udfff" for c in item):
            return Bad(1, f"{key}: {_SURROGATE}")
    return Row(1, dict(value))


def _typed(row: Row | Bad) -> Any:
    if isinstance(row, Bad):
        return row
    return row.line, [(k, type(v), v) for k, v in row.fields.items()]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(row=rows, ascii_only=st.booleans())
def test_a_row_is_read_as_the_json_module_reads_it(
    tmp_path: Path, row: dict[str, Any], ascii_only: bool
) -> None:
    line = _line(row, ascii_only)
    path = tmp_path / "rows.jsonl"
    path.write_bytes(line.encode("utf-8", "surrogatepass") + b"\n")
    _digest, read = read_rows(path)
    assert [_typed(r) for r in read] == [_typed(_expected(line))]


def test_fractions_and_large_numbers_keep_their_exact_values(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(
        '{"amount": 12.30, "shares": 123456789012345678901234567890}\n'
        '{"amount": 1e2, "shares": 18446744073709551616}\n'
        '{"note": "\\ud83d\\ude00", "name": "caf\\u00e9"}\n'
    )
    _digest, read = read_rows(path)
    assert [_typed(r) for r in read] == [
        (
            1,
            [
                ("amount", Decimal, Decimal("12.30")),
                ("shares", int, 123456789012345678901234567890),
            ],
        ),
        (2, [("amount", Decimal, Decimal("1E+2")), ("shares", int, 18446744073709551616)]),
        (3, [("note", str, "\U0001f600"), ("name", str, "café")]),
    ]
