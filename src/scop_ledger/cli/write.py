"""Writing commands: each records one entry (and the consequences the rules derive)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, WholeNumber, format_option, write_options
from scop_ledger.cli.render import emit_json
from scop_ledger.domain import statutes
from scop_ledger.domain.values import LeaveReason, LegalForm, Office, Profile, TerminationReason

# The choices the options offer: the domain's enumerations, in their order.
TERMINATION_REASONS = [r.value for r in TerminationReason]
LEAVE_REASONS = [r.value for r in LeaveReason]
OFFICES = [o.value for o in Office]
FORMS = [f.value for f in LegalForm]
PROFILES = [p.value for p in Profile]
# The bounds of docs/concepts.md, as the options' help says them.
PERSON_NAME = "The person's full name (one line, at most 200 characters)."
AMOUNT_BOUNDS = "more than 0, at most 10^12, 2 decimals at most"
PART_BOUNDS = "0 to 10^12, 2 decimals at most"


def record(
    ctx: click.Context,
    /,
    action: str,
    fmt: str,
    on: date | None,
    *,
    create: bool = False,
    **fields: Any,
) -> None:
    """Build the command, record it, print its entry id."""
    from scop_ledger.app import commands as cmd

    app = get_app(ctx)
    fields = {k: v for k, v in fields.items() if v is not None}
    if on is not None:
        fields["on"] = on
    command = cmd.build(cmd.ACTIONS[action], **fields)
    if app.settings.read_only:
        from scop_ledger.store.engine import ReadOnlyStore

        raise ReadOnlyStore("the store is open read-only: nothing can be recorded")
    ledger = app.ledger(create=create)
    warnings: list[str] = []
    if action != "init":
        ledger.before_commit = breaches_into(warnings, ledger, app.settings)
    recorded = ledger.execute(command)
    for line in warnings:
        click.echo(line, err=True)
    if "on" in fields:
        warn_far_ahead(command.on)
    note_unviewable(app.settings)
    if fmt == "json":
        emit_json(
            {
                "event": recorded.event,
                "action": recorded.action,
                "person": recorded.person,
                "date": recorded.on,
                "recorded_at": recorded.recorded_at,
                "consequences": [{"event": e, "action": a} for e, a in recorded.consequences],
            }
        )
        return
    who = f" {recorded.person}" if recorded.person else ""
    click.echo(f"recorded entry {recorded.event}: {recorded.action}{who} on {recorded.on}")
    for event, act in recorded.consequences:
        click.echo(f"  and entry {event}: {act} (a consequence the rules derive)")


def warn_far_ahead(on: date) -> None:
    """A warning on stderr for an effective date more than a year ahead (recorded anyway)."""
    from scop_ledger.domain.values import far_ahead

    warning = far_ahead(on)
    if warning is not None:
        click.echo(warning, err=True)


def breaches_into(warnings: list[str], ledger: Any, settings: Any) -> Any:
    """A ``before_commit`` hook for the ledger: the warnings for each rule the write's
    entries put into breach as of their date (reality happened, so they stay recorded), read
    from the view in the write's own transaction, into ``warnings``. Computing them can fail
    only before the commit: a command that fails has recorded nothing."""
    from scop_ledger.readmodel.compliance import new_breaches
    from scop_ledger.store.db import DB

    def check(recorded: list[Any], conn: Any) -> None:
        if not recorded:
            return
        first = recorded[0].event
        last = max(max([r.event, *(e for e, _ in r.consequences)]) for r in recorded)
        db = DB(conn.connection.dbapi_connection, conn.dialect.name)
        slug = ledger.resolve_coop(settings.coop)
        warnings.extend(new_breaches(ledger, db, slug, first, last))

    return check


def note_unviewable(settings: Any) -> None:
    """The one line naming the entries the view cannot hold, if there are any."""
    from scop_ledger.readmodel.access import unviewable_note
    from scop_ledger.store.db import connect

    db = connect(settings.url)
    try:
        note = unviewable_note(db)
    finally:
        db.close()
    if note:
        click.echo(note, err=True)


def register(group: click.Group) -> None:
    for command in (
        init,
        change_form,
        hire,
        terminate,
        admit,
        subscribe,
        pay_up,
        withdraw,
        leave,
        pay_refund,
        appoint,
        end_mandate,
        review,
        allocate,
        reverse,
        import_cmd,
    ):
        group.add_command(command)


@click.command()
@click.argument("slug")
@click.option(
    "--name", required=True, help="The cooperative's name (one line, at most 200 characters)."
)
@click.option("--legal-form", type=click.Choice(FORMS), required=True, help="SARL, SAS or SA.")
@click.option(
    "--share-value",
    required=True,
    help="Nominal value of one share, in euros (more than 0, at most 1,000,000, at most "
    "2 decimals).",
)
@click.option(
    "--profile", type=click.Choice(PROFILES), default=statutes.PROFILE.value, show_default=True
)
@click.option(
    "--refund-delay-years",
    type=WholeNumber(*statutes.REFUND_DELAY_RANGE),
    default=statutes.REFUND_DELAY_YEARS,
    show_default=True,
    help="Statutes' refund delay ({} to {} years).".format(*statutes.REFUND_DELAY_RANGE),
)
@click.option(
    "--boot-until",
    type=DATE,
    default=None,
    help="Scop d'amorçage: majority waiver end (YYYY-MM-DD).",
)
@click.option(
    "--review-every-years",
    type=WholeNumber(*statutes.REVIEW_EVERY_RANGE),
    default=statutes.REVIEW_EVERY_YEARS,
    show_default=True,
    help="Review interval ({} to {} years).".format(*statutes.REVIEW_EVERY_RANGE),
)
@click.option(
    "--fiscal-year-end", default=statutes.FISCAL_YEAR_END, show_default=True, help="MM-DD."
)
@click.option(
    "--scop-thresholds/--no-scop-thresholds",
    default=None,
    help="Apply the 51% / 65% thresholds and vote weighting (always for fr-scop; a statutes "
    "opt-in for be-cnc).",
)
@click.option(
    "--external-vote-cap",
    default=str(statutes.EXTERNAL_VOTE_CAP),
    show_default=True,
    help="External partners' ceiling of the votes (0.49 when some are cooperative societies).",
)
@click.option(
    "--supervisory-board-from",
    type=WholeNumber(*statutes.SUPERVISORY_BOARD_RANGE),
    default=statutes.SUPERVISORY_BOARD_FROM,
    show_default=True,
    help="Partners from which a SARL needs a supervisory board ({} to {}).".format(
        *statutes.SUPERVISORY_BOARD_RANGE
    ),
)
@write_options
@click.pass_context
def init(ctx: click.Context, /, slug: str, fmt: str, on: date | None, **options: Any) -> None:
    """Register a cooperative (creates the store if needed); --date is its registration.

    \b
    Example:
      scop-ledger init acme --name "Acme Scop" --legal-form sarl --share-value 25 --date 2016-01-01
    """
    record(ctx, "init", fmt, on, create=True, slug=slug, **options)


@click.command("change-form")
@click.option("--legal-form", type=click.Choice(FORMS), required=True)
@write_options
@click.pass_context
def change_form(
    ctx: click.Context,
    /,
    legal_form: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """The cooperative changed its legal form.

    \b
    Example:
      scop-ledger change-form --legal-form sas --date 2022-07-01 --ref "EGM minutes 2022-06-30"
    """
    record(ctx, "change-form", fmt, on, legal_form=legal_form, ref=ref, note=note)


@click.command()
@click.argument("person")
@click.option("--name", default=None, help=PERSON_NAME)
@write_options
@click.pass_context
def hire(
    ctx: click.Context,
    /,
    person: str,
    name: str | None,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """An employment contract starts.

    \b
    Example:
      scop-ledger hire alice --name "Alice Martin" --date 2020-01-06 --ref "contract 2020-004"
    """
    record(ctx, "hire", fmt, on, person=person, name=name, ref=ref, note=note)


@click.command()
@click.argument("person")
@click.option("--reason", type=click.Choice(TERMINATION_REASONS), required=True)
@write_options
@click.pass_context
def terminate(
    ctx: click.Context,
    /,
    person: str,
    reason: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """An employment contract ends (a partner's partnership ends with it, except on
    retirement, economic dismissal or invalidity).

    \b
    Example:
      scop-ledger terminate bob --reason dismissal --date 2017-03-31
    """
    record(ctx, "terminate", fmt, on, person=person, reason=reason, ref=ref, note=note)


@click.command()
@click.argument("person")
@click.option("--name", default=None, help=PERSON_NAME)
@click.option("--legal-person", is_flag=True, help="A company or association (always external).")
@write_options
@click.pass_context
def admit(
    ctx: click.Context,
    /,
    person: str,
    name: str | None,
    legal_person: bool,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """The person becomes a partner; employee or external follows from employment.

    \b
    Example:
      scop-ledger admit alice --date 2021-01-10 --ref "AGM 2021-01-10"
    """
    record(
        ctx,
        "admit",
        fmt,
        on,
        person=person,
        name=name,
        legal_person=legal_person,
        ref=ref,
        note=note,
    )


@click.command()
@click.argument("person")
@click.option("--shares", required=True, help="Number of shares (1 to 1,000,000,000).")
@click.option(
    "--paid",
    default=None,
    help="Euros paid now, at most the shares' value (2 decimals at most). Default: the full value.",
)
@write_options
@click.pass_context
def subscribe(
    ctx: click.Context,
    /,
    person: str,
    shares: str,
    paid: str | None,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """The partner subscribes shares, paid in full unless --paid says otherwise.

    \b
    Example:
      scop-ledger subscribe alice --shares 40 --paid 250 --date 2021-01-10
    """
    record(ctx, "subscribe", fmt, on, person=person, shares=shares, paid=paid, ref=ref, note=note)


@click.command("pay-up")
@click.argument("person")
@click.option(
    "--amount", required=True, help=f"Euros paid against unpaid shares ({AMOUNT_BOUNDS})."
)
@write_options
@click.pass_context
def pay_up(
    ctx: click.Context,
    /,
    person: str,
    amount: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """Money paid against subscribed, unpaid shares.

    \b
    Example:
      scop-ledger pay-up alice --amount 50 --date 2021-02-28 --ref "payslip 2021-02"
    """
    record(ctx, "pay-up", fmt, on, person=person, amount=amount, ref=ref, note=note)


@click.command()
@click.argument("person")
@click.option("--shares", required=True, help="Number of shares withdrawn (1 to 1,000,000,000).")
@write_options
@click.pass_context
def withdraw(
    ctx: click.Context,
    /,
    person: str,
    shares: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """A partial withdrawal of shares; a refund becomes owed (to withdraw all, leave).

    \b
    Example:
      scop-ledger withdraw alice --shares 10 --date 2023-06-30
    """
    record(ctx, "withdraw", fmt, on, person=person, shares=shares, ref=ref, note=note)


@click.command()
@click.argument("person")
@click.option("--reason", type=click.Choice(LEAVE_REASONS), required=True)
@write_options
@click.pass_context
def leave(
    ctx: click.Context,
    /,
    person: str,
    reason: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """Partner status ends; all shares are cancelled and a refund becomes owed.
    Resignation and death also end a running employment; exclusion does not.

    \b
    Example:
      scop-ledger leave carol --reason exclusion --date 2024-05-15 --ref "EGM 2024-05-15"
    """
    record(ctx, "leave", fmt, on, person=person, reason=reason, ref=ref, note=note)


@click.command("pay-refund")
@click.argument("person")
@click.option(
    "--amount",
    required=True,
    help=f"Euros paid, oldest refund settled first ({AMOUNT_BOUNDS}).",
)
@write_options
@click.pass_context
def pay_refund(
    ctx: click.Context,
    /,
    person: str,
    amount: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """Money paid to a former or withdrawing partner.

    \b
    Example:
      scop-ledger pay-refund bob --amount 1000 --date 2019-03-31 --ref "transfer 88123"
    """
    record(ctx, "pay-refund", fmt, on, person=person, amount=amount, ref=ref, note=note)


@click.command()
@click.argument("person")
@click.option("--office", type=click.Choice(OFFICES), required=True)
@click.option("--term-years", required=True, help="Length of the mandate in years (1 to 99).")
@write_options
@click.pass_context
def appoint(
    ctx: click.Context,
    /,
    person: str,
    office: str,
    term_years: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """A management mandate starts.

    \b
    Example:
      scop-ledger appoint alice --office manager --term-years 4 --date 2020-01-01
    """
    record(
        ctx,
        "appoint",
        fmt,
        on,
        person=person,
        office=office,
        term_years=term_years,
        ref=ref,
        note=note,
    )


@click.command("end-mandate")
@click.argument("person")
@click.option("--office", type=click.Choice(OFFICES), required=True)
@write_options
@click.pass_context
def end_mandate(
    ctx: click.Context,
    /,
    person: str,
    office: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """A mandate ends before its term.

    \b
    Example:
      scop-ledger end-mandate alice --office manager --date 2022-06-30
    """
    record(ctx, "end-mandate", fmt, on, person=person, office=office, ref=ref, note=note)


@click.command()
@click.option(
    "--reviewer",
    required=True,
    help="The approved reviewer (one line, at most 200 characters).",
)
@click.option(
    "--reservations",
    default=None,
    help="The reviewer's reservations, if any (at most 2,000 characters).",
)
@write_options
@click.pass_context
def review(
    ctx: click.Context,
    /,
    reviewer: str,
    reservations: str | None,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    """A cooperative review was completed.

    \b
    Example:
      scop-ledger review --reviewer "URSCOP Ouest" --date 2021-06-30
    """
    record(ctx, "review", fmt, on, reviewer=reviewer, reservations=reservations, ref=ref, note=note)


@click.command()
@click.option("--year", required=True, help="Financial year (1900 to 2199).")
@click.option(
    "--surplus",
    required=True,
    help="Net surplus of the year, in euros (at most 10^12 either way, 2 decimals at most).",
)
@click.option("--legal-reserve", required=True, help=f"In euros ({PART_BOUNDS}).")
@click.option("--development-fund", required=True, help=f"In euros ({PART_BOUNDS}).")
@click.option("--employees", required=True, help=f"Employee share, in euros ({PART_BOUNDS}).")
@click.option("--dividends", required=True, help=f"In euros ({PART_BOUNDS}).")
@write_options
@click.pass_context
def allocate(ctx: click.Context, /, fmt: str, on: date | None, **fields: Any) -> None:
    """The general meeting allocated a year's net surplus.

    \b
    Example:
      scop-ledger allocate --year 2023 --surplus 100000 --legal-reserve 16000 \\
        --development-fund 24000 --employees 45000 --dividends 15000 --date 2024-06-15
    """
    record(ctx, "allocate", fmt, on, **fields)


@click.command()
@click.argument("event_id", metavar="EVENT_ID")
@click.option(
    "--reason", required=True, help="Why the entry is corrected (at most 2,000 characters)."
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
    """Correct an entry: it stays in the history, marked reversed from now on. EVENT_ID is
    the entry's id (the first column of history).

    \b
    Example:
      scop-ledger reverse 42 --reason "subscription typed twice"
    """
    record(ctx, "reverse", fmt, on, event=event_id, reason=reason, ref=ref, note=note)


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say, row by row, what would be recorded and what is already there; write nothing.",
)
@click.option(
    "--sheet",
    metavar="NAME",
    default=None,
    help="The sheet of an .xlsx workbook to read (default: the first; a note names it).",
)
@format_option("table", "json")
@click.pass_context
def import_cmd(
    ctx: click.Context, /, file: Path, dry_run: bool, sheet: str | None, fmt: str
) -> None:
    """Record every row of a .csv, .jsonl or .xlsx file: all rows or none.

    A row is already recorded when the ledger holds as many entries with the same content
    (action, date, person and every field, ref and note included) as the file has up to and
    including that row: a file that grew records only its new rows, and running it twice
    records nothing new. Entries since reversed count as recorded. A row with an id the ledger
    knows is that entry; other content under a known id is refused (exit 1). Files over
    SCOP_LEDGER_IMPORT_MAX_BYTES (default 512 MiB) are refused.

    \b
    Example:
      scop-ledger import movements-2024.csv --dry-run
      scop-ledger import movements-2024.csv
    """
    from scop_ledger.app import importing
    from scop_ledger.cli.render import progress
    from scop_ledger.domain.values import far_ahead
    from scop_ledger.readmodel.access import open_view
    from scop_ledger.store.engine import ReadOnlyStore

    app = get_app(ctx)
    planned = importing.plan(file, sheet)
    for note in planned.notes:
        click.echo(f"note: {note}", err=True)
    if app.settings.read_only and not dry_run:
        raise ReadOnlyStore("the store is open read-only: nothing can be recorded")
    ledger = app.ledger()
    slug = ledger.resolve_coop(app.settings.coop)
    db = open_view(app.settings, app.ledger)
    if db is None:
        raise ReadOnlyStore(
            "the store is open read-only and its view lags behind the events: "
            "run the dry run once without --read-only"
        )
    try:
        recorded = importing.recorded_entries(db, slug, planned)
    finally:
        db.close()
    if dry_run:
        _dry_run(file, planned, recorded, fmt)
        return
    step = progress("importing")
    warnings: list[str] = []
    ledger.before_commit = breaches_into(warnings, ledger, app.settings)
    total = sum(1 for seq in recorded if seq is None)
    result = importing.run_import(
        ledger, planned.rows, recorded, None if step is None else lambda n: step(1, total)
    )
    for line in warnings:
        click.echo(line, err=True)
    for row, seq in zip(planned.rows, recorded, strict=True):
        ahead = far_ahead(row.command.on) if seq is None else None
        if ahead is not None:
            click.echo(f"line {row.line}: {ahead}", err=True)
    note_unviewable(app.settings)
    if fmt == "json":
        emit_json(
            {
                "file": str(file),
                "rows": result.rows,
                "recorded": result.recorded,
                "skipped": result.skipped,
                "first_event": result.first_event,
                "last_event": result.last_event,
            }
        )
        return
    click.echo(
        f"{file.name}: {result.rows} rows, {result.recorded} recorded, "
        f"{result.skipped} already recorded"
        + (f" (entries {result.first_event}-{result.last_event})" if result.recorded else "")
    )


def _dry_run(file: Path, planned: Any, recorded: list[int | None], fmt: str) -> None:
    """What ``import --dry-run`` prints: one line (or object) per row."""
    rows = []
    for p, seq in zip(planned.rows, recorded, strict=True):
        c = p.command
        rows.append(
            {
                "line": p.line,
                "status": "new" if seq is None else "recorded",
                "entry": seq,
                "action": c.action,
                "date": c.on,
                "person": getattr(c, "person", None),
                "id": p.id,
            }
        )
    if fmt == "json":
        emit_json(rows)
        return
    for row in rows:
        if row["entry"] is None:
            who = f" {row['person']}" if row["person"] else ""
            click.echo(f"line {row['line']}: would record {row['action']}{who} {row['date']}")
        else:
            click.echo(f"line {row['line']}: already recorded (entry {row['entry']})")
    new = sum(1 for seq in recorded if seq is None)
    click.echo(
        f"{file.name}: {len(rows)} rows, {new} would be recorded, "
        f"{len(rows) - new} already recorded (dry run: nothing written)"
    )
