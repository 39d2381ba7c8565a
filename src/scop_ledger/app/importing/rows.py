"""Rows into commands: the columns an import file has, the actions a row can name (in English
or French: :mod:`.names`), and one row into its command."""

from __future__ import annotations

from collections.abc import Callable, Container
from decimal import Decimal
from typing import Any, NamedTuple

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing.forms import MONEY_COLUMNS, amount_text, date_text
from scop_ledger.app.importing.limits import MAX_ID
from scop_ledger.app.importing.messages import InvalidRows, one_line
from scop_ledger.app.importing.names import (
    FLAG_COLUMNS,
    VALUE_WORDS,
    Names,
    action_names,
    column_names,
    flag,
    fold,
    value_of,
)
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.i18n import _

IMPORT_ACTIONS = (
    "hire",
    "terminate",
    "admit",
    "subscribe",
    "pay-up",
    "withdraw",
    "transfer",
    "leave",
    "pay-refund",
    "appoint",
    "end-mandate",
    "review",
    "allocate",
    "change-form",
    "change-share-value",
)
ALLOCATION_COLUMNS = (
    "year",
    "surplus",
    "legal_reserve",
    "development_fund",
    "employees",
    "dividends",
    "net_asset_value_per_share",
)
OPTION_COLUMNS = (
    "to",
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
    "price",
    "share_value",
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


_COLUMNS = column_names(COLUMNS)
# Every spelling of a column (``name in KNOWN_COLUMNS``): what finds a CSV's separator.
KNOWN_COLUMNS: Container[str] = _COLUMNS
_ACTIONS = action_names(IMPORT_ACTIONS)
_NOT_IMPORTED = ("reverse", "annulation", "contre-passation")


def column_of(written: str) -> str | None:
    """The column a header names (in English or French, any case, accents or not), or None."""
    return _COLUMNS.get(written)


def check_columns(names: list[str], line: int) -> list[str]:
    """The columns a header (on ``line``) names; raise :class:`InvalidRows` for an unknown
    or repeated column, or without ``action``."""
    found = [column_of(n) for n in names]
    unknown = [_unknown(n, _COLUMNS) for n, c in zip(names, found, strict=True) if c is None]
    if unknown:
        raise InvalidRows(
            [
                one_line(
                    _("line {line}: unknown column(s) {names}").format(
                        line=line, names=", ".join(unknown)
                    )
                )
            ]
        )
    seen: dict[str, str] = {}
    for written, column in zip(names, found, strict=True):
        assert column is not None
        if column in seen:
            if seen[column] == written:
                message = _("line {line}: the column {name!r} appears twice in the header")
            else:
                message = _("line {line}: the columns {first!r} and {name!r} are one column")
            raise InvalidRows([message.format(line=line, name=written, first=seen[column])])
        seen[column] = written
    if "action" not in seen:
        raise InvalidRows([_("line {line}: the header has no 'action' column").format(line=line)])
    return [c for c in found if c is not None]


def row_columns(keys: list[str]) -> list[str]:
    """The columns a JSON Lines row's keys name; raise :class:`InvalidValue` for an unknown
    or repeated one."""
    found = [column_of(k) for k in keys]
    unknown = sorted(_unknown(k, _COLUMNS) for k, c in zip(keys, found, strict=True) if c is None)
    if unknown:
        raise InvalidValue(_("unknown column(s) {names}").format(names=", ".join(unknown)))
    seen: dict[str, str] = {}
    for written, column in zip(keys, found, strict=True):
        assert column is not None
        if column in seen:
            raise InvalidValue(
                _("the keys {first!r} and {name!r} are one column").format(
                    first=seen[column], name=written
                )
            )
        seen[column] = written
    return [c for c in found if c is not None]


def _unknown(written: str, names: Names) -> str:
    """An unknown name as a message names it, with the closest known ones as a hint."""
    hint = names.hint(written)
    if hint is None:
        return written
    return _("{name} (did you mean {hint}?)").format(name=written, hint=hint)


# The columns each action takes (its command's fields; ``date`` has become ``on``).
_FIELDS = {action: {*model.model_fields, "on"} for action, model in cmd.ACTIONS.items()}


def action_of(written: str) -> str:
    """The action a row names; raise :class:`InvalidValue` for an unknown one, with a hint."""
    action = _ACTIONS.get(written)
    if action is not None:
        return action
    hint = _ACTIONS.hint(written)
    if fold(written) in _NOT_IMPORTED:
        message = _(
            "action {action!r}: a reversal is not imported; record it with the reverse command "
            "(reverse ENTRY_ID --reason TEXT)"
        ).format(action=written)
    elif hint is not None:
        message = _("action {action!r} is unknown; did you mean {hint}?").format(
            action=written, hint=hint
        )
    else:
        message = _("action {action!r} is not one of {actions}").format(
            action=written, actions=", ".join(IMPORT_ACTIONS)
        )
    raise InvalidValue(message)


def to_command(row: Row, source: str | None) -> cmd.Command:
    """One row into its command (raises :class:`InvalidValue` with the row's problem); a row
    typed in a form or posted to the API has no ``source`` (as a CLI command has none)."""
    fields = {k: v for k, v in row.fields.items() if v is not None and v != ""}
    action = action_of(str(fields.pop("action", "")).strip())
    fields.pop("id", None)
    if "date" in fields:
        fields["on"] = date_text(fields.pop("date"))
    else:
        raise InvalidValue(_("the row has no date"))
    keys = tuple(fields)
    steps = _STEPS.get(keys)
    if steps is None:
        steps = _steps(keys)
    for column, convert in steps:
        fields[column] = convert(fields[column], column)
    model = cmd.ACTIONS[action]
    if not _FIELDS[action].issuperset(keys):
        stray = sorted(set(keys) - _FIELDS[action])
        raise InvalidValue(
            _("{columns} do not apply to {action}").format(columns=", ".join(stray), action=action)
        )
    return cmd.build(model, source=source, **fields)


def _flag(value: Any, column: str) -> Any:
    return flag(column, value)


def _word(value: Any, column: str) -> Any:
    return value_of(column, value)


# What turns a cell into what its command takes, in the order the cells are turned (the first
# refused names the row's problem): the yes/no columns, the enumerated ones, the amounts.
_CONVERTED = (
    *((column, _flag) for column in FLAG_COLUMNS),
    *((column, _word) for column in VALUE_WORDS),
    *((column, amount_text) for column in MONEY_COLUMNS),
)
# The conversions a row's cells need, by the row's columns (the rows of a file share a few).
_STEPS: dict[tuple[str, ...], tuple[tuple[str, Callable[[Any, str], Any]], ...]] = {}


def _steps(keys: tuple[str, ...]) -> tuple[tuple[str, Callable[[Any, str], Any]], ...]:
    steps = tuple((column, convert) for column, convert in _CONVERTED if column in keys)
    if len(_STEPS) < 1000:
        _STEPS[keys] = steps
    return steps


def row_command(fields: dict[str, Any]) -> cmd.Command:
    """A row typed in a form (its values by column, ``action`` among them) into its command,
    as :func:`to_command` makes an import row's."""
    return to_command(Row(0, fields), None)


def row_id(value: Any) -> str | None:
    """A row's ``id`` as text, or None; raises :class:`InvalidValue` for an unusable one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidValue(_("id: a text or a number is expected"))
    text = str(value)
    if not text.strip():
        return None
    if len(text) > MAX_ID or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidValue(
            _("id {id!r}: at most {limit} characters, no control characters").format(
                id=text, limit=MAX_ID
            )
        )
    return text
