"""Rows into commands: the columns an import file has, the actions a row can name, and one
row into its command."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing.forms import MONEY_COLUMNS, amount_text, date_text
from scop_ledger.app.importing.limits import MAX_ID
from scop_ledger.app.importing.messages import InvalidRows, one_line
from scop_ledger.domain.errors import InvalidValue

IMPORT_ACTIONS = (
    "hire",
    "terminate",
    "admit",
    "subscribe",
    "pay-up",
    "withdraw",
    "leave",
    "pay-refund",
    "appoint",
    "end-mandate",
    "review",
    "allocate",
    "change-form",
)
ALLOCATION_COLUMNS = (
    "year",
    "surplus",
    "legal_reserve",
    "development_fund",
    "employees",
    "dividends",
)
OPTION_COLUMNS = (
    "shares",
    "paid",
    "amount",
    "reason",
    "name",
    "office",
    "term_years",
    "reviewer",
    "reservations",
    "legal_person",
    *ALLOCATION_COLUMNS,
    "legal_form",
    "ref",
    "note",
)
COLUMNS = ("action", "date", "person", "id", *OPTION_COLUMNS)


class Row(NamedTuple):
    """A row as read: its line and its values by column (not validated yet)."""

    line: int
    fields: dict[str, Any]


class Bad(NamedTuple):
    """A row that cannot be read: its line and what is wrong."""

    line: int
    message: str


def check_columns(names: list[str], line: int) -> None:
    """Raise :class:`InvalidRows` for a header (on ``line``) with an unknown or repeated
    column, or without ``action``."""
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise InvalidRows([one_line(f"line {line}: unknown column(s) {', '.join(unknown)}")])
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise InvalidRows([f"line {line}: the column {n!r} appears twice in the header"])
        seen.add(n)
    if "action" not in names:
        raise InvalidRows([f"line {line}: the header has no 'action' column"])


_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"", "0", "false", "no", "n"}


# The columns each action takes (its command's fields; ``date`` has become ``on``).
_FIELDS = {action: {*model.model_fields, "on"} for action, model in cmd.ACTIONS.items()}


def to_command(row: Row, source: str) -> cmd.Command:
    """One row into its command (raises :class:`InvalidValue` with the row's problem)."""
    fields = {k: v for k, v in row.fields.items() if v is not None and v != ""}
    action = str(fields.pop("action", "")).strip()
    if action not in IMPORT_ACTIONS:
        raise InvalidValue(f"action {action!r} is not one of {', '.join(IMPORT_ACTIONS)}")
    fields.pop("id", None)
    if "date" in fields:
        fields["on"] = date_text(fields.pop("date"))
    else:
        raise InvalidValue("the row has no date")
    if "legal_person" in fields:
        flag = str(fields["legal_person"]).strip().lower()
        if flag not in _TRUE | _FALSE:
            raise InvalidValue(f"legal_person {fields['legal_person']!r} is not true or false")
        fields["legal_person"] = flag in _TRUE
    for column in MONEY_COLUMNS:
        if column in fields:
            fields[column] = amount_text(fields[column], column)
    model = cmd.ACTIONS[action]
    stray = sorted(set(fields) - _FIELDS[action])
    if stray:
        raise InvalidValue(f"{', '.join(stray)} do not apply to {action}")
    return cmd.build(model, source=source, **fields)


def row_id(value: Any) -> str | None:
    """A row's ``id`` as text, or None; raises :class:`InvalidValue` for an unusable one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidValue("id: a text or a number is expected")
    text = str(value)
    if not text.strip():
        return None
    if len(text) > MAX_ID or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidValue(f"id {text!r}: at most {MAX_ID} characters, no control characters")
    return text
