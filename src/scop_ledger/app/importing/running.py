"""Running an import: the rows not recorded yet as one batch, all or none, or (a dry run) what
would be recorded; the workflow the ``import`` command and any other front end call."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing.checking import refused_rows
from scop_ledger.app.importing.content import Identities, identities
from scop_ledger.app.importing.identity import nothing_recorded, recorded_entries
from scop_ledger.app.importing.messages import ConflictingRows, InvalidRows, RefusedRow
from scop_ledger.app.importing.paging import PAGE, FarAhead, ImportResult, NewRows
from scop_ledger.app.importing.planning import Plan, Planned, Stream, plan, plan_stream
from scop_ledger.domain.errors import LedgerError
from scop_ledger.i18n import _
from scop_ledger.readmodel.access import open_view
from scop_ledger.store.db import DB
from scop_ledger.store.gc import collector_paused

if TYPE_CHECKING:
    from scop_ledger.app.ledger import Ledger
    from scop_ledger.settings import Settings


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

    The file is read a row at a time and never held whole; the rows are recorded ``page`` at
    a time within the one transaction (:class:`.paging.NewRows`). Into a ledger that holds no
    entry an import could have made, every row is new: the file is read once (unless a
    progress bar needs the count first). Otherwise, or when a row is invalid, it is read
    twice: once to check every row and tell the recorded rows from the new ones
    (:class:`.content.Identities`), then to record the new ones (the file must not change
    in between). ``ledger`` opens the ledger (once); ``notes`` hears the notes on the file;
    ``progress(1, total)`` is called for each row recorded. The warnings: each rule the rows
    put into breach, each date far ahead."""
    from scop_ledger.app.ledger import BatchError
    from scop_ledger.app.recording import breaches_into

    size = max(1, page)
    refused: BatchError | None = None
    if progress is None:
        try:
            once = _import_once(ledger, settings, path, sheet, notes, size)
        except BatchError as error:
            once, refused = None, error
        if once is not None:
            return once
    rows, recorded = _identified(ledger, settings, path, sheet, notes)
    opened = ledger()
    new = NewRows(path, sheet, rows, recorded, size)
    if refused is not None:
        raise new.refusal(opened, refused)
    warnings: list[str] = []
    opened.before_commit = breaches_into(warnings, opened)
    step = None if progress is None else _row_by_row(progress, recorded)
    result = new.run(opened, step)
    warnings.extend(new.ahead.lines())
    return Imported(path, result, warnings)


class _Unreadable(Exception):
    """A row of the file read once cannot be read: it is read twice (nothing was written),
    which names every invalid row."""


def _import_once(
    ledger: Callable[[], Ledger],
    settings: Settings,
    path: Path,
    sheet: str | None,
    notes: Callable[[str], None] | None,
    size: int,
) -> Imported | None:
    """:func:`import_file` reading the file once, when the ledger holds no entry an import
    could have made (every row is new); None (nothing written) when it does or a row cannot
    be read. A row the rules refuse raises :class:`BatchError` (nothing written)."""
    from scop_ledger.app.recording import breaches_into
    from scop_ledger.store.engine import StoreError

    if settings.read_only:
        return None  # refused, after the notes on the file: read twice
    stream = plan_stream(path, sheet)
    first = next(stream.rows, None)  # a CSV's header is read: its errors come first
    try:
        # What cannot be done says so after the notes on the file: read twice.
        slug = ledger().resolve_coop(settings.coop)
        db = _view(ledger, settings)
        try:
            empty = nothing_recorded(db, slug)
        finally:
            db.close()
    except (LedgerError, StoreError):
        empty = False
    if not empty:
        stream.close()
        return None
    opened = ledger()
    warnings: list[str] = []
    opened.before_commit = breaches_into(warnings, opened)
    ahead = FarAhead()
    read: list[Stream] = []

    def pages() -> Iterator[list[cmd.Command]]:
        again = plan_stream(path, sheet) if read else None  # another attempt: read again
        now = again or stream
        read.append(now)
        rows = now.rows if again else chain([] if first is None else [first], now.rows)
        return _pages(rows, now, ahead, size)

    try:
        batch = opened.execute_pages(pages)
    except _Unreadable:
        return None
    if notes is not None:
        for note in read[-1].notes:
            notes(note)
    warnings.extend(ahead.lines())
    if batch.first is None or batch.last is None:
        return Imported(path, ImportResult(0, 0, 0, None, None), warnings)
    result = ImportResult(batch.commands, batch.commands, 0, batch.first.event, batch.last.event)
    return Imported(path, result, warnings)


def _pages(
    rows: Iterator[Planned], stream: Stream, ahead: FarAhead, size: int
) -> Iterator[list[cmd.Command]]:
    ahead.clear()
    page: list[cmd.Command] = []
    for row in rows:
        if stream.errors:
            raise _Unreadable
        page.append(row.command)
        ahead.note(row.line, row.command.on)
        if len(page) >= size:
            yield page
            page = []
    if stream.errors:
        raise _Unreadable
    if page:
        yield page


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
    db = _view(ledger, settings)
    try:
        return recorded_entries(db, slug, rows)
    finally:
        db.close()


def _view(ledger: Callable[[], Ledger], settings: Settings) -> DB:
    """The view, level with the events (the caller closes it)."""
    db = open_view(settings, ledger)
    if db is None:
        from scop_ledger.store.engine import ReadOnlyStore

        raise ReadOnlyStore(
            _(
                "the store is open read-only and its view lags behind the events: "
                "run the dry run once without --read-only"
            )
        )
    return db


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
