"""Running an import: the rows not recorded yet as one batch, all or none, or (a dry run) what
would be recorded; the workflow the ``import`` command and any other front end call."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing.checking import refused_rows
from scop_ledger.app.importing.identity import Identities, identities, recorded_entries
from scop_ledger.app.importing.messages import (
    ConflictingRows,
    InvalidRows,
    RefusedRow,
    one_line,
)
from scop_ledger.app.importing.planning import Plan, Planned, plan, plan_stream
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import FAR_AHEAD, far_ahead
from scop_ledger.i18n import _
from scop_ledger.readmodel.access import open_view
from scop_ledger.store.gc import collector_paused

if TYPE_CHECKING:
    from scop_ledger.app.ledger import Ledger
    from scop_ledger.settings import Settings

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


@dataclass(frozen=True)
class RowStatus:
    """What a dry run says of one row: new (``entry`` None), or already recorded as ``entry``."""

    line: int
    entry: int | None
    action: str
    on: date
    person: str | None
    id: str | None


@dataclass(frozen=True)
class DryRun:
    """What importing ``file`` would do: each valid row's status; nothing was written."""

    file: Path
    rows: list[RowStatus]

    @property
    def new(self) -> int:
        return sum(1 for row in self.rows if row.entry is None)


@dataclass(frozen=True)
class Imported:
    """What importing ``file`` did, and the warnings it gives: the rules the new entries put
    into breach, then each new row dated more than a year ahead (``line N: …``)."""

    file: Path
    result: ImportResult
    warnings: list[str]


def dry_run_file(
    ledger: Callable[[], Ledger],
    settings: Settings,
    path: Path,
    sheet: str | None = None,
    *,
    notes: Callable[[str], None] | None = None,
) -> DryRun:
    """Say, row by row, what importing ``path`` would record and what is already there.

    ``ledger`` opens the ledger (once); ``notes`` hears the notes on the file as soon as it is
    read (an .xlsx with several sheets)."""
    planned, recorded = _planned_and_recorded(ledger, settings, path, sheet, notes)
    rows = []
    for p, seq in zip(planned.rows, recorded, strict=True):
        c = p.command
        rows.append(RowStatus(p.line, seq, c.action, c.on, getattr(c, "person", None), p.id))
    return DryRun(path, rows)


def import_file(
    ledger: Callable[[], Ledger],
    settings: Settings,
    path: Path,
    sheet: str | None = None,
    *,
    notes: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    page: int = PAGE,
) -> Imported:
    """Record every row of ``path`` not recorded yet, in one transaction: all rows or none.

    The file is read twice, a row at a time, and never held whole: once to check every row
    and tell the recorded rows from the new ones (:class:`.identity.Identities`), then to
    record the new rows ``page`` at a time within the one transaction (the file must not
    change in between). ``ledger`` opens the ledger (once); ``notes`` hears the notes on the
    file as soon as it is read; ``progress(1, total)`` is called for each row recorded. The
    warnings: each rule the rows put into breach, each date far ahead."""
    from scop_ledger.app.recording import breaches_into

    rows, recorded = _identified(ledger, settings, path, sheet, notes)
    opened = ledger()
    warnings: list[str] = []
    opened.before_commit = breaches_into(warnings, opened)
    new = _NewRows(path, sheet, rows, recorded, max(1, page))
    step = None if progress is None else _row_by_row(progress, recorded)
    result = new.run(opened, step)
    warnings.extend(new.ahead.lines())
    return Imported(path, result, warnings)


class _FarAhead:
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


class _NewRows:
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
        self.ahead = _FarAhead()

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
            # Every row the rules refuse, not only this first one.
            refused = refused_rows(ledger, self.new_rows(), self.rows.persons)
            if not refused.errors or refused.first is None:  # pragma: no cover - as the batch
                lines = zip(self.rows.lines, self.recorded, strict=True)
                new_lines = (line for line, seq in lines if seq is None)
                refused.errors.add(next(islice(new_lines, error.index, None)), error.error.message)
                refused.first = error.error
            raise RefusedRow(refused.errors.report(), refused.first) from None
        assert batch.first is not None and batch.last is not None
        return ImportResult(total, batch.commands, total - new, batch.first.event, batch.last.event)


def _row_by_row(
    progress: Callable[[int, int], None], recorded: list[int | None]
) -> Callable[[int], None]:
    """The batch's progress callback: one step of ``progress`` per row recorded."""
    total = sum(1 for seq in recorded if seq is None)
    return lambda n: progress(1, total)


def _planned_and_recorded(
    ledger: Callable[[], Ledger],
    settings: Settings,
    path: Path,
    sheet: str | None,
    notes: Callable[[str], None] | None,
) -> tuple[Plan, list[int | None]]:
    """The file's plan, and for each row the entry that already records it (None: new)."""
    planned = plan(path, sheet)
    if notes is not None:
        for note in planned.notes:
            notes(note)
    return planned, _recorded(ledger, settings, identities(planned))


def _identified(
    ledger: Callable[[], Ledger],
    settings: Settings,
    path: Path,
    sheet: str | None,
    notes: Callable[[str], None] | None,
) -> tuple[Identities, list[int | None]]:
    """The file read once, a row at a time: each row's identity, and the entry that already
    records it (None: new). Every invalid row is named at once: the rows that cannot be
    read, and among the others those the rules would refuse
    (:func:`.checking.refused_rows`)."""
    stream = plan_stream(path, sheet)
    rows = Identities(stream.digest)
    with collector_paused():
        for row in stream.rows:
            rows.add(row)
    if notes is not None and not stream.errors:  # a file with unreadable rows: errors alone
        for note in stream.notes:
            notes(note)
    from scop_ledger.app.ledger import ensure_writable

    ensure_writable(settings)
    try:
        recorded = _recorded(ledger, settings, rows)
    except ConflictingRows as conflicts:
        if not stream.errors:
            raise
        stream.errors = stream.errors.merge(conflicts.errors)
        recorded = [None] * len(rows)
    if stream.errors:
        again = plan_stream(path, sheet)  # the valid rows again, for the rules
        todo = (
            (p.line, p.command) for p, seq in zip(again.rows, recorded, strict=False) if seq is None
        )
        refused = refused_rows(ledger(), todo, rows.persons)
        raise InvalidRows(stream.errors.merge(refused.errors).report())
    return rows, recorded


def _recorded(
    ledger: Callable[[], Ledger], settings: Settings, rows: Identities
) -> list[int | None]:
    """For each row, the entry that already records it (None: new), read from the view."""
    slug = ledger().resolve_coop(settings.coop)
    db = open_view(settings, ledger)
    if db is None:
        from scop_ledger.store.engine import ReadOnlyStore

        raise ReadOnlyStore(
            _(
                "the store is open read-only and its view lags behind the events: "
                "run the dry run once without --read-only"
            )
        )
    try:
        return recorded_entries(db, slug, rows)
    finally:
        db.close()


def run_import(
    ledger: Ledger,
    rows: Sequence[Planned],
    recorded: Sequence[int | None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Record every row not already recorded (``recorded``, from :func:`recorded_entries`),
    in one transaction."""
    from scop_ledger.app.ledger import BatchError

    if recorded is None:
        recorded = [None] * len(rows)
    todo = [(p.line, p.command) for p, seq in zip(rows, recorded, strict=True) if seq is None]
    if not todo:
        return ImportResult(len(rows), 0, len(rows), None, None)
    try:
        done = ledger.execute_batch([c for _line, c in todo], progress=progress)
    except BatchError as error:
        # Every row the rules refuse, not only this first one.
        refused = refused_rows(ledger, todo)
        if not refused.errors or refused.first is None:  # pragma: no cover - as the batch
            refused.errors.add(todo[error.index][0], error.error.message)
            refused.first = error.error
        raise RefusedRow(refused.errors.report(), refused.first) from None
    return ImportResult(
        rows=len(rows),
        recorded=len(done),
        skipped=len(rows) - len(todo),
        first_event=done[0].event,
        last_event=done[-1].event,
    )
