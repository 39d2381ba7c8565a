"""Options and parameter types shared by many commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click

from scop_ledger.i18n import _

F = TypeVar("F", bound=Callable[..., Any])


def _name(param: click.Parameter | None) -> str:
    """How the user typed the parameter: ``--date``, or an argument's metavar."""
    if param is None:
        return "value"
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return param.human_readable_name


# These types raise the domain's InvalidValue rather than click's usage error, so that a bad
# value is one line ("error: --date '20210105' is not a date (YYYY-MM-DD)"), exit 2, like the
# same value in an import row (the root group maps it; see main.classify).


class DateType(click.ParamType[date]):
    """``YYYY-MM-DD`` from 1900-01-01 to 2199-12-31, as in the import files."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        from scop_ledger.domain.values import parse_date

        if isinstance(value, date):
            return value
        return parse_date(value, what=_name(param))


class DateTimeType(click.ParamType[datetime]):
    """ISO 8601 date-time; a bare date means the end of that day, UTC; naive means UTC."""

    name = "DATETIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        from scop_ledger.domain.values import parse_moment

        if isinstance(value, datetime):
            return value
        return parse_moment(value, what=_name(param))


class WholeNumber(click.ParamType[int]):
    """A whole number of ASCII digits from ``low`` to ``high`` (click's ``int`` also takes
    full-width and Arabic-Indic digits)."""

    name = "INTEGER"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from scop_ledger.domain.values import whole_number

        return whole_number(value, what=_name(param), low=self.low, high=self.high)


DATE = DateType()
DATETIME = DateTimeType()


def format_option(*choices: str) -> Callable[[F], F]:
    """``--format``: one of ``choices``, the first by default (``table``, for people)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=_("Output format."),
    )


def write_options(func: F) -> F:
    """``--date``, ``--ref``, ``--note`` and ``--format`` of every writing command."""
    for option in reversed(
        [
            click.option(
                "--date",
                "on",
                type=DATE,
                default=None,
                help=_(
                    "Effective date (YYYY-MM-DD, 1900-01-01 to 2199-12-31; more than a year "
                    "ahead is recorded with a warning). Default: today."
                ),
            ),
            click.option(
                "--ref",
                default=None,
                help=_("The document behind the entry (one line, at most 200 characters)."),
            ),
            click.option(
                "--note",
                default=None,
                help=_("A free note kept with the entry (at most 2,000 characters)."),
            ),
            format_option("table", "json"),
        ]
    ):
        func = option(func)
    return func


def query_options(func: F) -> F:
    """``--as-of``, ``--known-at`` and ``--format`` of every query command."""
    for option in reversed(
        [
            click.option(
                "--as-of",
                type=DATE,
                default=None,
                help=_("Business date (YYYY-MM-DD, 1900-01-01 to 2199-12-31). Default: today."),
            ),
            click.option(
                "--known-at",
                type=DATETIME,
                default=None,
                help=_(
                    "What the ledger knew at this moment (ISO 8601, 1900 to 2199; a bare "
                    "date is the end of that day, UTC). Default: now."
                ),
            ),
            format_option("table", "json", "csv"),
        ]
    ):
        func = option(func)
    return func


class OutFile(click.ParamType[Path]):
    """A file to write, ending in one of ``suffixes`` (any name when none are given), in a
    folder that exists; a bad one is
    one line, the name shown as Python would write it (a line break in it stays visible)."""

    name = "FILE"

    def __init__(self, *suffixes: str) -> None:
        self.suffixes = suffixes

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        from scop_ledger.domain.errors import InvalidValue
        from scop_ledger.domain.values import show

        path = value if isinstance(value, Path) else Path(str(value))
        shown = show(str(value), 80)
        if not str(path).isprintable():
            raise InvalidValue(
                _("{option} {file}: a file name without control characters").format(
                    option=_name(param), file=shown
                )
            )
        if self.suffixes and path.suffix.lower() not in self.suffixes:
            *others, last = self.suffixes
            ends = (
                _("{first} or {last}").format(first=", ".join(others), last=last)
                if others
                else last
            )
            raise InvalidValue(
                _("{option} {file}: the file must end in {suffixes}").format(
                    option=_name(param), file=shown, suffixes=ends
                )
            )
        if not path.parent.is_dir():
            raise InvalidValue(
                _("{option} {file}: no such folder {folder}").format(
                    option=_name(param), file=shown, folder=show(str(path.parent))
                )
            )
        return path


def out_option(func: F) -> F:
    """``--out FILE``: write the rows to a ``.csv`` or ``.xlsx`` file instead of the screen."""
    return click.option(
        "--out",
        type=OutFile(".csv", ".xlsx"),
        default=None,
        help=_("Write the rows to this .csv or .xlsx file (the screen gets one line)."),
    )(func)


def choice(enum: type[Enum]) -> click.Choice[str]:
    """The values of a domain enumeration, in its order, as an option's choices."""
    return click.Choice([member.value for member in enum])
