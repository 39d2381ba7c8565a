"""Writing commands: each records one entry (and the consequences the rules derive): parse
the options into the command, record it (:func:`scop_ledger.app.recording.record`), print the
entry id and the warnings. The person commands are in people.py, the cooperative's acts in
governance.py; ``init``, ``reverse`` and ``import`` are here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, WholeNumber, choice, format_option, write_options
from scop_ledger.cli.render import emit_json
from scop_ledger.domain import statutes
from scop_ledger.domain.values import LegalForm, Profile
from scop_ledger.i18n import N_, _, day

if TYPE_CHECKING:
    from scop_ledger.app.importing import DryRun, Imported
    from scop_ledger.app.ledger import Recorded

F = TypeVar("F", bound=Callable[..., Any])


def record(ctx: click.Context, /, action: str, fmt: str, on: date | None, **fields: Any) -> None:
    """Build the command from the options given, record it, print its entry id (and the
    warnings on stderr)."""
    from scop_ledger.app import commands as cmd
    from scop_ledger.app import recording

    app = get_app(ctx)
    fields = {k: v for k, v in fields.items() if v is not None}
    if on is not None:
        fields["on"] = on
    command = cmd.build(cmd.ACTIONS[action], **fields)
    outcome = recording.record(app, command)
    for line in outcome.warnings:
        click.echo(line, err=True)
    show_recorded(outcome.recorded, fmt)


def recorded_json(recorded: Recorded) -> dict[str, Any]:
    """What was recorded as ``--format json`` prints it (and ``POST /api/entries`` answers)."""
    return {
        "event": recorded.event,
        "action": recorded.action,
        "person": recorded.person,
        "date": recorded.on,
        "recorded_at": recorded.recorded_at,
        "consequences": [{"event": e, "action": a} for e, a in recorded.consequences],
    }


def show_recorded(recorded: Recorded, fmt: str) -> None:
    """The entry id of what was recorded and of its consequences, as a line each or JSON."""
    if fmt == "json":
        emit_json(recorded_json(recorded))
        return
    if recorded.person:
        line = _("recorded entry {entry}: {action} {person} on {date}").format(
            entry=recorded.event,
            action=recorded.action,
            person=recorded.person,
            date=day(recorded.on),
        )
    else:
        line = _("recorded entry {entry}: {action} on {date}").format(
            entry=recorded.event, action=recorded.action, date=day(recorded.on)
        )
    click.echo(line)
    for event, act in recorded.consequences:
        if act == "transfer" == recorded.action:  # the receiver's side of the same transfer
            said = _("  and entry {entry}: {action} (the receiver's side of the transfer)")
        else:
            said = _("  and entry {entry}: {action} (a consequence the rules derive)")
        click.echo(said.format(entry=event, action=act))


# The statutes' options of ``init``, each defaulting to :mod:`scop_ledger.domain.statutes`.
STATUTE_OPTIONS = [
    click.option(
        "--profile", type=choice(Profile), default=statutes.PROFILE.value, show_default=True
    ),
    click.option(
        "--refund-delay-years",
        type=WholeNumber(*statutes.REFUND_DELAY_RANGE),
        default=statutes.REFUND_DELAY_YEARS,
        show_default=True,
        help=_("Statutes' refund delay ({low} to {high} years).").format(
            low=statutes.REFUND_DELAY_RANGE[0], high=statutes.REFUND_DELAY_RANGE[1]
        ),
    ),
    click.option(
        "--boot-until",
        type=DATE,
        default=None,
        help=_("Scop d'amorçage: majority waiver end (YYYY-MM-DD)."),
    ),
    click.option(
        "--review-every-years",
        type=WholeNumber(*statutes.REVIEW_EVERY_RANGE),
        default=statutes.REVIEW_EVERY_YEARS,
        show_default=True,
        help=_("Review interval ({low} to {high} years).").format(
            low=statutes.REVIEW_EVERY_RANGE[0], high=statutes.REVIEW_EVERY_RANGE[1]
        ),
    ),
    click.option(
        "--fiscal-year-end",
        default=statutes.FISCAL_YEAR_END,
        show_default=True,
        help=_("MM-DD."),
    ),
    click.option(
        "--scop-thresholds/--no-scop-thresholds",
        default=None,
        help=_(
            "Apply the 51% / 65% thresholds and vote weighting (always for fr-scop; a "
            "statutes opt-in for be-cnc)."
        ),
    ),
    click.option(
        "--external-vote-cap",
        default=str(statutes.EXTERNAL_VOTE_CAP),
        show_default=True,
        help=_(
            "External partners' ceiling of the votes (0.49 when some are cooperative societies)."
        ),
    ),
    click.option(
        "--supervisory-board-from",
        type=WholeNumber(*statutes.SUPERVISORY_BOARD_RANGE),
        default=statutes.SUPERVISORY_BOARD_FROM,
        show_default=True,
        help=_("Partners from which a SARL needs a supervisory board ({low} to {high}).").format(
            low=statutes.SUPERVISORY_BOARD_RANGE[0], high=statutes.SUPERVISORY_BOARD_RANGE[1]
        ),
    ),
]


def statute_options(func: F) -> F:
    """:data:`STATUTE_OPTIONS`, in their order."""
    for option in reversed(STATUTE_OPTIONS):
        func = option(func)
    return func


@click.command(
    help=_(
        "Register a cooperative (creates the store if needed); --date is its registration.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger init acme --name "Acme Scop" --legal-form sarl --share-value 25 '
        "--date 2016-01-01"
    ),
)
@click.argument("slug")
@click.option(
    "--name", required=True, help=_("The cooperative's name (one line, at most 200 characters).")
)
@click.option("--legal-form", type=choice(LegalForm), required=True, help=_("SARL, SAS or SA."))
@click.option(
    "--share-value",
    required=True,
    help=_(
        "Nominal value of one share, in euros (more than 0, at most 1,000,000, at most 2 decimals)."
    ),
)
@statute_options
@write_options
@click.pass_context
def init(ctx: click.Context, /, slug: str, fmt: str, on: date | None, **options: Any) -> None:
    record(ctx, "init", fmt, on, slug=slug, **options)


@click.command(
    help=_(
        "Correct an entry: it stays in the history, marked reversed from now on. EVENT_ID is "
        "the entry's id (the first column of history).\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger reverse 42 --reason "subscription typed twice"'
    ),
)
@click.argument("event_id", metavar="EVENT_ID")
@click.option(
    "--reason", required=True, help=_("Why the entry is corrected (at most 2,000 characters).")
)
@write_options
@click.pass_context
def reverse(
    ctx: click.Context,
    /,
    event_id: str,
    reason: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "reverse", fmt, on, event=event_id, reason=reason, ref=ref, note=note)


IMPORT_HELP = N_(
    "Record every row of a .csv, .jsonl or .xlsx file: all rows or none.\n"
    "\n"
    "A row is already recorded when the ledger holds as many entries with the same "
    "content (action, date, person and every field, ref and note included) as the file "
    "has up to and including that row: a file that grew records only its new rows, and "
    "running it twice records nothing new. Entries since reversed count as recorded. A "
    "row with an id the ledger knows is that entry; other content under a known id is "
    "refused (exit 1). Files over SCOP_LEDGER_IMPORT_MAX_BYTES (default 512 MiB) are "
    "refused.\n"
    "\n"
    "\b\n"
    "Example:\n"
    "  scop-ledger import movements-2024.csv --dry-run\n"
    "  scop-ledger import movements-2024.csv"
)


@click.command(
    "import",
    help=_(IMPORT_HELP),
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--dry-run",
    is_flag=True,
    help=_("Say, row by row, what would be recorded and what is already there; write nothing."),
)
@click.option(
    "--sheet",
    metavar="NAME",
    default=None,
    help=_("The sheet of an .xlsx workbook to read (default: the first; a note names it)."),
)
@format_option("table", "json")
@click.pass_context
def import_cmd(
    ctx: click.Context, /, file: Path, dry_run: bool, sheet: str | None, fmt: str
) -> None:
    from scop_ledger.app import importing, recording
    from scop_ledger.app.kept import keep_sweeps
    from scop_ledger.cli.render import progress

    app = get_app(ctx)

    def note(text: str) -> None:
        click.echo(_("note: {text}").format(text=text), err=True)

    if dry_run:
        _dry_run(importing.dry_run_file(app.ledger, app.settings, file, sheet, notes=note), fmt)
        return
    imported = importing.import_file(
        app.ledger,
        app.settings,
        file,
        sheet,
        notes=note,
        progress=progress(_("importing")),
    )
    if imported.warnings:  # one write: an old history may warn on every row
        click.echo("\n".join(imported.warnings), err=True)
    keep_sweeps(app)  # after the commit: the next question as known now finds it
    unviewable = recording.unviewable_note(app.settings)
    if unviewable:
        click.echo(unviewable, err=True)
    _imported(imported, fmt)


def _imported(imported: Imported, fmt: str) -> None:
    """What ``import`` prints: how many rows were recorded, and their entries."""
    result = imported.result
    if fmt == "json":
        emit_json(
            {
                "file": str(imported.file),
                "rows": result.rows,
                "recorded": result.recorded,
                "skipped": result.skipped,
                "first_event": result.first_event,
                "last_event": result.last_event,
            }
        )
        return
    if result.recorded:
        summary = _(
            "{file}: {rows} rows, {recorded} recorded, {skipped} already recorded "
            "(entries {first}-{last})"
        )
    else:
        summary = _("{file}: {rows} rows, {recorded} recorded, {skipped} already recorded")
    click.echo(
        summary.format(
            file=imported.file.name,
            rows=result.rows,
            recorded=result.recorded,
            skipped=result.skipped,
            first=result.first_event,
            last=result.last_event,
        )
    )


def _dry_run(dry: DryRun, fmt: str) -> None:
    """What ``import --dry-run`` prints: one line (or object) per row."""
    if fmt == "json":
        emit_json(
            [
                {
                    "line": row.line,
                    "status": "new" if row.entry is None else "recorded",
                    "entry": row.entry,
                    "action": row.action,
                    "date": row.on,
                    "person": row.person,
                    "id": row.id,
                }
                for row in dry.rows
            ]
        )
        return
    for row in dry.rows:
        if row.entry is None:
            who = f" {row.person}" if row.person else ""
            click.echo(
                _("line {line}: would record {action}{person} {date}").format(
                    line=row.line, action=row.action, person=who, date=day(row.on)
                )
            )
        else:
            click.echo(
                _("line {line}: already recorded (entry {entry})").format(
                    line=row.line, entry=row.entry
                )
            )
    click.echo(
        _(
            "{file}: {rows} rows, {new} would be recorded, {recorded} already recorded "
            "(dry run: nothing written)"
        ).format(
            file=dry.file.name,
            rows=len(dry.rows),
            new=dry.new,
            recorded=len(dry.rows) - dry.new,
        )
    )
