"""Options and parameter types shared by many commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class DateType(click.ParamType[date]):
    """``YYYY-MM-DD``; an impossible date is a usage error (exit 2)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


class DateTimeType(click.ParamType[datetime]):
    """ISO 8601 date-time; a bare date means the end of that day, UTC; naive means UTC."""

    name = "DATETIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date-time", param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


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
        help="Output format.",
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
                help="Effective date (YYYY-MM-DD). Default: today.",
            ),
            click.option("--ref", default=None, help="The document behind the entry."),
            click.option("--note", default=None, help="A free note kept with the entry."),
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
                help="Business date (YYYY-MM-DD). Default: today.",
            ),
            click.option(
                "--known-at",
                type=DATETIME,
                default=None,
                help="What the ledger knew at this moment (ISO 8601; a bare date is the end "
                "of that day, UTC). Default: now.",
            ),
            format_option("table", "json", "csv"),
        ]
    ):
        func = option(func)
    return func


def _out_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is None:
        return None
    if value.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter(f"{value}: the file must end in .csv or .xlsx", ctx, param)
    if not value.parent.is_dir():
        raise click.BadParameter(f"{value}: no such directory {value.parent}", ctx, param)
    return value


def out_option(func: F) -> F:
    """``--out FILE``: write the rows to a ``.csv`` or ``.xlsx`` file instead of the screen."""
    return click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        callback=_out_path,
        help="Write the rows to this .csv or .xlsx file (the screen gets one line).",
    )(func)
