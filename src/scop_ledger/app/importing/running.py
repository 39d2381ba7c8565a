"""Running an import: the rows not recorded yet as one batch, all or none, or (a dry run) what
would be recorded; the workflow the ``import`` command and any other front end call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from scop_ledger.app.importing.checking import refused_rows
from scop_ledger.app.importing.identity import recorded_entries
from scop_ledger.app.importing.messages import ConflictingRows, InvalidRows, RefusedRow
from scop_ledger.app.importing.planning import Plan, Planned, plan, plan_rows
from scop_ledger.domain.values import far_ahead
from scop_ledger.i18n import _
from scop_ledger.readmodel.access import open_view

if TYPE_CHECKING:
    from scop_ledger.app.ledger import Ledger
    from scop_ledger.settings import Settings

# A ``before_commit`` hook for the ledger that puts the warnings of the write into a list.


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
    planned, recorded = _planned_and_recorded(ledger, settings, path, sheet, notes, writing=False)
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
) -> Imported:
    """Record every row of ``path`` not recorded yet, in one transaction: all rows or none.

    ``ledger`` opens the ledger (once); ``notes`` hears the notes on the file as soon as it is
    read; ``progress(1, total)`` is called for each row recorded. The warnings: each rule the
    rows put into breach, each date far ahead."""
    from scop_ledger.app.recording import breaches_into

    planned, recorded = _planned_and_recorded(ledger, settings, path, sheet, notes, writing=True)
    opened = ledger()
    warnings: list[str] = []
    opened.before_commit = breaches_into(warnings, opened)
    step = None if progress is None else _row_by_row(progress, recorded)
    result = run_import(opened, planned.rows, recorded, step)
    for row, seq in zip(planned.rows, recorded, strict=True):
        ahead = far_ahead(row.command.on) if seq is None else None
        if ahead is not None:
            warnings.append(_("line {line}: {message}").format(line=row.line, message=ahead))
    return Imported(path, result, warnings)


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
    *,
    writing: bool,
) -> tuple[Plan, list[int | None]]:
    """The file's plan, and for each row the entry that already records it (None: new).

    Writing, every invalid row is named at once: the rows that cannot be read, and among the
    others those the rules would refuse (:func:`.checking.refused_rows`)."""
    planned = plan_rows(path, sheet) if writing else plan(path, sheet)
    if notes is not None and not planned.errors:  # a file with unreadable rows: errors alone
        for note in planned.notes:
            notes(note)
    if writing:
        from scop_ledger.app.ledger import ensure_writable

        ensure_writable(settings)
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
        recorded = recorded_entries(db, slug, planned)
    except ConflictingRows as conflicts:
        if not planned.errors:
            raise
        planned.errors = planned.errors.merge(conflicts.errors)
        recorded = [None] * len(planned.rows)
    finally:
        db.close()
    if planned.errors:
        rows = planned.rows
        todo = [(p.line, p.command) for p, seq in zip(rows, recorded, strict=True) if seq is None]
        refused = refused_rows(ledger(), todo)
        raise InvalidRows(planned.errors.merge(refused.errors).report())
    return planned, recorded


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
