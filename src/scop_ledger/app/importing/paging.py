"""Recording an import's new rows a page at a time within one transaction
(:meth:`.Ledger.execute_pages`), as the file is read again (:class:`NewRows`), and the
warnings for the rows dated far ahead (:class:`FarAhead`)."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing.checking import refused_rows
from scop_ledger.app.importing.content import Identities
from scop_ledger.app.importing.messages import RefusedRow, one_line
from scop_ledger.app.importing.planning import plan_stream
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import FAR_AHEAD, far_ahead
from scop_ledger.i18n import _

if TYPE_CHECKING:
    from scop_ledger.app.ledger import BatchError, Ledger

# The rows an import records per page of its one transaction: what it holds of the file at
# a time (their commands, events, stored events) besides the aggregates.
PAGE = 5000


@dataclass(frozen=True)
class ImportResult:
    rows: int
    recorded: int
    skipped: int
    first_event: int | None
    last_event: int | None


class FarAhead:
    """The new rows dated more than a year ahead of today, held as two numbers each."""

    def __init__(self) -> None:
        self.today = date.today()
        self.clear()

    def clear(self) -> None:
        self.found_lines = array("q")
        self.days = array("q")

    def note(self, line: int, on: date) -> None:
        if on - self.today > FAR_AHEAD:
            self.found_lines.append(line)
            self.days.append(on.toordinal())

    def lines(self) -> list[str]:
        said: dict[int, str | None] = {}
        out = []
        for line, ordinal in zip(self.found_lines, self.days, strict=True):
            if ordinal not in said:
                said[ordinal] = far_ahead(date.fromordinal(ordinal), self.today)
            message = said[ordinal]
            if message is not None:
                out.append(_("line {line}: {message}").format(line=line, message=message))
        return out


class NewRows:
    """The second reading of an import file: its new rows, a page of commands at a time."""

    def __init__(
        self,
        path: Path,
        sheet: str | None,
        rows: Identities,
        recorded: list[int | None],
        size: int,
    ) -> None:
        self.path, self.sheet, self.rows, self.recorded, self.size = (
            path,
            sheet,
            rows,
            recorded,
            size,
        )
        self.ahead = FarAhead()

    def pages(self) -> Iterator[list[cmd.Command]]:
        """The new rows' commands, a page at a time, as the file is read again."""
        page: list[cmd.Command] = []
        for _line, command in self.new_rows():
            page.append(command)
            if len(page) >= self.size:
                yield page
                page = []
        if page:
            yield page

    def new_rows(self) -> Iterator[tuple[int, cmd.Command]]:
        """The new rows (their line, their command), as the file is read again: it must read
        as it did the first time (the same bytes, the same rows), else nothing is recorded."""
        self.ahead.clear()
        stream = plan_stream(self.path, self.sheet)
        lines, recorded = self.rows.lines, self.recorded
        changed = stream.digest != self.rows.digest
        index = 0
        for row in stream.rows:
            if changed or index >= len(lines) or lines[index] != row.line:
                changed = True
                break
            if recorded[index] is None:
                self.ahead.note(row.line, row.command.on)
                yield row.line, row.command
            index += 1
        if changed or stream.errors or index != len(lines):
            raise InvalidValue(
                _("{file}: the file changed while it was imported; nothing was recorded").format(
                    file=one_line(self.path.name)
                )
            )

    def run(self, ledger: Ledger, progress: Callable[[int], None] | None) -> ImportResult:
        """Record the new rows, all or none (:meth:`.Ledger.execute_pages`)."""
        from scop_ledger.app.ledger import BatchError

        total = len(self.recorded)
        new = sum(1 for seq in self.recorded if seq is None)
        if not new:
            return ImportResult(total, 0, total, None, None)
        try:
            batch = ledger.execute_pages(self.pages, persons=self.rows.persons, progress=progress)
        except BatchError as error:
            raise self.refusal(ledger, error) from None
        assert batch.first is not None and batch.last is not None
        return ImportResult(total, batch.commands, total - new, batch.first.event, batch.last.event)

    def refusal(self, ledger: Ledger, error: BatchError) -> RefusedRow:
        """Every new row the rules refuse, not only the first one the batch met."""
        refused = refused_rows(ledger, self.new_rows(), self.rows.persons)
        if not refused.errors or refused.first is None:  # pragma: no cover - as the batch
            lines = zip(self.rows.lines, self.recorded, strict=True)
            new_lines = (line for line, seq in lines if seq is None)
            refused.errors.add(next(islice(new_lines, error.index, None)), error.error.message)
            refused.first = error.error
        return RefusedRow(refused.errors.report(), refused.first)
