"""A file into its plan: every row read and turned into a command, every invalid row named."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing.messages import Errors, InvalidRows
from scop_ledger.app.importing.reading import read_rows
from scop_ledger.app.importing.rows import Bad, Row, row_id, to_command
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.i18n import _
from scop_ledger.store.gc import collector_paused


class Planned(NamedTuple):
    """A valid row: its line, its command (``source`` set), and its ``id`` when it has one."""

    line: int
    command: cmd.Command
    id: str | None


@dataclass
class Plan:
    """A file's valid rows and what is wrong with the others (``errors``); ``digest`` (16 hex
    digits) names the file's bytes."""

    digest: str
    rows: list[Planned]
    notes: list[str] = field(default_factory=list)
    errors: Errors = field(default_factory=Errors)


def plan(path: Path, sheet: str | None = None) -> Plan:
    """The file's rows as commands; raise :class:`InvalidRows` naming each invalid row (the
    first :data:`MAX_ERRORS`, then how many more)."""
    planned = plan_rows(path, sheet)
    if planned.errors:
        raise InvalidRows(planned.errors.report())
    return planned


def plan_rows(path: Path, sheet: str | None = None) -> Plan:
    """The file's valid rows as commands, and an error for each invalid row: the valid rows
    can still be checked against the ledger (:mod:`.checking`) to report every invalid row in
    one run. Problems with the file as a whole still raise at once."""
    with collector_paused():
        return _plan(path, sheet)


def _plan(path: Path, sheet: str | None) -> Plan:
    stream = plan_stream(path, sheet)
    rows = list(stream.rows)
    return Plan(stream.digest, rows, stream.notes, stream.errors)


@dataclass
class Stream:
    """A file's valid rows as commands, one at a time as ``rows`` is iterated (a large file is
    never held whole), and the errors of the invalid ones as they are met (``errors``);
    ``digest`` (16 hex digits) names the file's bytes."""

    digest: str
    rows: Generator[Planned, None, None]
    notes: list[str]
    errors: Errors

    def close(self) -> None:
        """Stop reading (the file is closed)."""
        self.rows.close()


def plan_stream(path: Path, sheet: str | None = None) -> Stream:
    """:func:`plan_rows`, a row at a time: the file's valid rows are planned as ``rows`` is
    iterated, and each invalid row's error is added to ``errors`` when it is met. Problems
    with the file as a whole raise at once (or, for a CSV's header, at the first row)."""
    notes: list[str] = []
    digest, rows = read_rows(path, sheet, notes)
    errors = Errors()
    return Stream(digest[:16], _planned(rows, digest[:16], errors), notes, errors)


def _planned(
    rows: Iterator[Row | Bad], prefix: str, errors: Errors
) -> Generator[Planned, None, None]:
    seen: dict[str, int] = {}
    for row in rows:
        if isinstance(row, Bad):
            errors.add(row.line, row.message)
            continue
        try:
            given = row_id(row.fields.get("id"))
            source = f"id:{given}" if given is not None else f"{prefix}:{row.line}"
            if given is not None and source in seen:
                raise InvalidValue(
                    _("id {id!r} already used on line {line}").format(id=given, line=seen[source])
                )
            command = to_command(row, source)
        except InvalidValue as error:
            errors.add(row.line, error.message)
            continue
        if given is not None:
            seen[source] = row.line
        yield Planned(row.line, command, given)
