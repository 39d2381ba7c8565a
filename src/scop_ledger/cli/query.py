"""Query commands: each asks the view (caught up first) a point-in-time question and renders
the answer as a table for people, or json / csv for scripts."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import (
    DATE,
    DATETIME,
    WholeNumber,
    format_option,
    out_option,
    query_options,
)
from scop_ledger.cli.render import cell, emit_csv, emit_json, emit_table, write_rows

if TYPE_CHECKING:
    from scop_ledger.cli.main import AppContext
    from scop_ledger.readmodel.compliance import Source
    from scop_ledger.readmodel.queries import Result
    from scop_ledger.readmodel.snapshot import Snapshot
    from scop_ledger.store.db import DB


def _progress(label: str) -> Callable[[int, int], None] | None:
    """A progress bar on stderr when it is a terminal (never on a pipe)."""
    if not sys.stderr.isatty():
        return None
    bar: Any = None

    def step(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done)
        if bar.pos >= total:
            bar.__exit__(None, None, None)

    return step


class Query:
    """One point-in-time question: the view (or the oracle), the cooperative, the two times."""

    def __init__(
        self,
        app: AppContext,
        as_of: date | None,
        known_at: datetime | None,
        *,
        one_coop: bool = True,
        explicit: bool = False,
    ) -> None:
        from scop_ledger.readmodel.access import open_view

        self.app = app
        self.as_of = as_of or date.today()
        self.known_at = known_at or datetime.now(UTC)
        self._view: DB | None = open_view(app.settings, app.ledger, _progress("catching up"))
        self._now = known_at is None and not explicit
        self._out_of_time: dict[datetime, bool] = {}
        if self._view is None:
            click.echo(
                "note: the view lags behind the events and the store is read-only: "
                "answering from the events (slower)",
                err=True,
            )
        else:
            from scop_ledger.readmodel.access import unviewable_note

            note = unviewable_note(self._view)
            if note:
                click.echo(note, err=True)
        self.slug = self._slug() if one_coop else ""

    @property
    def db(self) -> DB | None:
        """The view, or None when the question is answered from the events: the view lags in
        read-only mode, or, as known at a past moment, an entry recorded after that moment
        precedes in the log one that claims an earlier time. ``--known-at T`` means the
        entries of the log up to the first one recorded after T, whatever times later entries
        claim; the view reads recorded times, which say the same only while they never go
        backwards along the log (``verify`` names the entry where they do)."""
        view = self._view
        if view is None or self._now:
            return view
        known_at = self.known_at
        if known_at not in self._out_of_time:
            from scop_ledger.readmodel.history import out_of_time

            found = out_of_time(view, known_at)
            self._out_of_time[known_at] = found is not None
            if found is not None:
                click.echo(
                    f"note: entry {found[1]} claims a recorded time at or before "
                    f"{known_at.isoformat()} but comes after entry {found[0]}, recorded after "
                    f"it (run verify): answering from the log's order, from the events (slower)",
                    err=True,
                )
        return None if self._out_of_time[known_at] else view

    def slugs(self) -> list[str]:
        """Every cooperative in the store, in registration order."""
        if self.db is None:
            return [c.slug for c in self.app.ledger().cooperatives()]
        return [str(r[0]) for r in self.db.rows("SELECT slug FROM rm_coops ORDER BY cid")]

    def _slug(self) -> str:
        if self.app.settings.coop is not None:
            return self.app.settings.coop
        if self.db is None:
            return self.app.ledger().resolve_coop(None)
        from scop_ledger.domain.errors import InvalidValue, NotFound

        slugs = self.slugs()
        if len(slugs) == 1:
            return slugs[0]
        if not slugs:
            raise NotFound("this store holds no cooperative yet: run 'scop-ledger init' first")
        raise InvalidValue(
            f"this store holds {len(slugs)} cooperatives ({', '.join(slugs)}): pass --coop"
        )

    def snapshot(self, slug: str | None = None, *, only: str = "all") -> Snapshot:
        """The point-in-time snapshot; ``only`` narrows it to what a question needs (see
        :func:`snapshot_from_view`)."""
        from scop_ledger.readmodel import snapshot as snap

        slug = slug or self.slug
        if self.db is None:
            return snap.snapshot_from_events(self.app.ledger(), slug, self.as_of, self.known_at)
        return snap.snapshot_from_view(self.db, slug, self.as_of, self.known_at, only=only)

    def refunds(self) -> Any:
        """The refunds answer: from ``rm_refunds`` (one scan), or from the events."""
        from scop_ledger.readmodel import queries
        from scop_ledger.readmodel import snapshot as snap

        if self.db is None:
            return queries.refunds(self.snapshot())
        coop, owed = snap.refunds_from_view(self.db, self.slug, self.as_of, self.known_at)
        return queries.refunds_of(coop, self.as_of, self.known_at, owed)

    def history(self, person: str | None = None) -> list[dict[str, Any]]:
        """Every entry (of ``person``, or all) as known at the moment, in the order recorded,
        as the ``history`` command's rows (with their ``details``)."""
        if self.db is not None:
            from scop_ledger.readmodel.history import history_from_view

            return history_from_view(self.db, self.slug, person, self.known_at)
        from scop_ledger.readmodel.history import history_from_events

        return [
            {
                "id": e.id,
                "sequence": e.sequence,
                "action": e.action,
                "person": e.person,
                "date": e.on,
                "recorded_at": e.recorded_at,
                "recorded_by": e.recorded_by,
                "ref": e.ref,
                "note": e.note,
                "reversed_by": e.reversed_by,
                "details": e.details,
            }
            for e in history_from_events(self.app.ledger(), self.slug, person, self.known_at)
        ]

    def source(self, slug: str | None = None) -> Source:
        """Where the rules read their facts (see :mod:`scop_ledger.readmodel.compliance`)."""
        from scop_ledger.readmodel.compliance import Source

        return Source(self.app.ledger(), self.db, slug or self.slug)

    def close(self) -> None:
        if self._view is not None:
            self._view.close()


def _headline(result: Any) -> str:
    return f"{result.coop} as of {result.as_of}, as known at {result.known_at:%Y-%m-%d %H:%M:%S%z}"


def _emit(
    result: Result,
    fmt: str,
    headers: list[str],
    rows: list[list[Any]],
    title: str,
    out: Path | None = None,
) -> None:
    if out is not None:
        about = {k: getattr(result, k, None) for k in ("coop", "as_of", "known_at")}
        _written(out, headers, rows, about, fmt)
    elif fmt == "json":
        click.echo(result.model_dump_json())
    elif fmt == "csv":
        emit_csv(headers, rows)
    else:
        emit_table(headers, rows, title=title)


def _written(
    out: Path, headers: list[str], rows: list[list[Any]], about: dict[str, Any], fmt: str
) -> None:
    """Write the rows to ``out``; the screen gets one line saying so."""
    command = click.get_current_context().info_name or "rows"
    write_rows(out, headers, rows, {"command": command, **about})
    if fmt == "json":
        emit_json({"file": str(out), "rows": len(rows)})
    else:
        click.echo(f"{len(rows)} rows written to {out}")


def _pct(value: Any) -> str:
    return f"{value * 100:.2f}%"


@click.command()
@query_options
@out_option
@click.pass_context
def capital(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """The share capital and who holds it: employee and external partners, with ratios.

    \b
    Example:
      scop-ledger capital --as-of 2024-12-31 --format json
    """
    from scop_ledger.readmodel import queries

    q = Query(get_app(ctx), as_of, known_at)
    result = queries.capital(q.snapshot(only="active"))
    q.close()
    headers = ["person", "name", "category", "shares", "amount", "paid"]
    rows = [[p.person, p.name, p.category, p.shares, p.amount, p.paid] for p in result.partners]
    title = (
        f"{_headline(result)}\n"
        f"capital {result.amount} ({result.shares} shares of {result.share_value}); "
        f"employees {_pct(result.employees.ratio)} ({result.employees.count}), "
        f"externals {_pct(result.externals.ratio)} ({result.externals.count})"
    )
    _emit(result, fmt, headers, rows, title, out)


@click.command()
@query_options
@click.pass_context
def votes(ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str) -> None:
    """Votes: one person, one vote; external partners capped at 35% by proportional weighting.

    \b
    Example:
      scop-ledger votes --as-of 2024-12-31
    """
    from scop_ledger.readmodel import queries

    q = Query(get_app(ctx), as_of, known_at)
    result = queries.votes(q.snapshot(only="active"))
    q.close()
    headers = ["group", "count", "votes", "ratio", "weight"]
    rows = [
        [
            "employees",
            result.employees.count,
            result.employees.votes,
            result.employees.ratio,
            "1.0000",
        ],
        [
            "externals",
            result.externals.count,
            result.externals.votes,
            result.externals.ratio,
            result.externals.weight,
        ],
    ]
    _emit(result, fmt, headers, rows, f"{_headline(result)}\n{result.partners} partners")


@click.command()
@query_options
@out_option
@click.pass_context
def refunds(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """Refunds owed after exits and withdrawals: paid, outstanding, due date, liability.

    \b
    Example:
      scop-ledger refunds --as-of 2024-12-31 --format csv
    """

    q = Query(get_app(ctx), as_of, known_at)
    result = q.refunds()
    q.close()
    headers = [
        "person",
        "since",
        "cause",
        "amount",
        "paid",
        "outstanding",
        "due",
        "overdue",
        "liable_until",
    ]
    rows = [
        [
            r.person,
            r.since,
            r.cause,
            r.amount,
            r.paid,
            r.outstanding,
            r.due,
            r.overdue,
            r.liable_until,
        ]
        for r in result.refunds
    ]
    title = f"{_headline(result)}\noutstanding {result.outstanding}"
    _emit(result, fmt, headers, rows, title, out)


@click.command()
@query_options
@click.option("--eligible", is_flag=True, help="Only employees eligible for admission (1 year).")
@out_option
@click.pass_context
def members(
    ctx: click.Context,
    /,
    as_of: date | None,
    known_at: datetime | None,
    fmt: str,
    eligible: bool,
    out: Path | None,
) -> None:
    """Every person known to the ledger: employed, partner, category, shares.

    \b
    Example:
      scop-ledger members --eligible --as-of 2024-06-30
    """
    from scop_ledger.readmodel import queries

    q = Query(get_app(ctx), as_of, known_at)
    result = queries.members(q.snapshot(), only_eligible=eligible)
    q.close()
    headers = ["person", "name", "employed", "partner", "category", "shares"]
    rows = [[m.person, m.name, m.employed, m.partner, m.category, m.shares] for m in result.members]
    _emit(result, fmt, headers, rows, _headline(result), out)


@click.command("register")
@query_options
@out_option
@click.pass_context
def register_cmd(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """The chronological register of share movements, with cause and category.

    \b
    Example:
      scop-ledger register --as-of 2024-12-31 --format csv
      scop-ledger register --as-of 2024-12-31 --out register-2024.xlsx
    """
    from scop_ledger.readmodel import register as reg

    q = Query(get_app(ctx), as_of, known_at)
    if q.db is None:
        result = reg.register_from_events(q.app.ledger(), q.slug, q.as_of, q.known_at)
    else:
        result = reg.register_from_view(q.db, q.slug, q.as_of, q.known_at)
    q.close()
    headers = [
        "date",
        "sequence",
        "person",
        "name",
        "nature",
        "cause",
        "shares",
        "shares_after",
        "amount",
        "category",
    ]
    rows = [
        [
            m.date,
            m.sequence,
            m.person,
            m.name,
            m.nature,
            m.cause,
            m.shares,
            m.shares_after,
            m.amount,
            m.category,
        ]
        for m in result.movements
    ]
    _emit(result, fmt, headers, rows, _headline(result), out)


HISTORY_COLUMNS = [
    "id",
    "sequence",
    "action",
    "person",
    "date",
    "recorded_at",
    "recorded_by",
    "ref",
    "note",
    "reversed_by",
]


@click.command()
@click.argument("person", required=False)
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@format_option("table", "json", "csv")
@out_option
@click.pass_context
def history(
    ctx: click.Context, /, person: str | None, known_at: datetime | None, fmt: str, out: Path | None
) -> None:
    """Every entry (init and reversals included) in the order recorded, with who reversed it.

    \b
    Example:
      scop-ledger history alice --format json
      scop-ledger history --out history.csv
    """
    q = Query(get_app(ctx), None, known_at)
    rows = q.history(person)
    q.close()
    columns = [*HISTORY_COLUMNS, "details"]
    if out is not None:
        about = {"cooperative": q.slug, "person": person, "known_at": q.known_at}
        _written(out, columns, [[r[c] for c in columns] for r in rows], about, fmt)
    elif fmt == "json":
        emit_json({"coop": q.slug, "known_at": q.known_at, "entries": rows})
    elif fmt == "csv":
        emit_csv(columns, [[r[c] for c in columns] for r in rows])
    else:
        emit_table(
            ["id", "date", "action", "person", "details", "recorded_by", "reversed_by"],
            [
                [
                    r["id"],
                    r["date"],
                    r["action"],
                    r["person"],
                    _short(r["details"]),
                    r["recorded_by"],
                    r["reversed_by"],
                ]
                for r in rows
            ],
            title=f"{q.slug}: {len(rows)} entries",
        )


def _short(details: dict[str, object]) -> str:
    return " ".join(f"{k}={cell(v)}" for k, v in details.items() if v not in (None, False))


@click.command()
@query_options
@click.pass_context
def coops(ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str) -> None:
    """Every cooperative in the store with its headline figures as of the date.

    \b
    Example:
      scop-ledger coops --as-of 2024-12-31 --format json
    """
    from scop_ledger.readmodel import compliance as rules
    from scop_ledger.readmodel import queries
    from scop_ledger.readmodel.snapshot import NoCooperative

    q = Query(get_app(ctx), as_of, known_at, one_coop=False)
    out = []
    for slug in q.slugs():
        try:
            s = q.snapshot(slug)
        except NoCooperative:
            continue  # registered after known_at
        cap, vote = queries.capital(s), queries.votes(s)
        verdict = rules.compliance(q.source(slug), q.as_of, q.known_at)
        out.append(
            {
                "coop": slug,
                "name": s.coop.name,
                "legal_form": s.coop.legal_form,
                "profile": s.coop.profile,
                "jobs": sum(1 for m in s.members if m.employed),
                "partners": len(s.partners),
                "capital": cap.amount,
                "employee_capital_ratio": cap.employees.ratio,
                "employee_vote_ratio": vote.employees.ratio,
                "compliant": verdict.compliant,
                "breaches": [c.rule for c in verdict.checks if c.status == "breach"],
            }
        )
    q.close()
    headers = [
        "coop",
        "name",
        "legal_form",
        "profile",
        "jobs",
        "partners",
        "capital",
        "employee_capital_ratio",
        "employee_vote_ratio",
        "compliant",
    ]
    if fmt == "json":
        emit_json({"as_of": q.as_of, "known_at": q.known_at, "coops": out})
    elif fmt == "csv":
        emit_csv(headers, [[row[h] for h in headers] for row in out])
    else:
        emit_table(headers, [[row[h] for h in headers] for row in out], title=f"as of {q.as_of}")


@click.command()
@query_options
@click.option("--check", is_flag=True, help="Exit 1 when any rule is in breach.")
@click.pass_context
def compliance(
    ctx: click.Context, /, as_of: date | None, known_at: datetime | None, fmt: str, check: bool
) -> None:
    """Every rule of the cooperative's profile as of the date: status, value, threshold, the
    date the current status began, and the legal source.

    \b
    Example:
      scop-ledger compliance --as-of 2024-12-31 --check
    """
    from scop_ledger.readmodel import compliance as rules

    q = Query(get_app(ctx), as_of, known_at)
    result = rules.compliance(q.source(), q.as_of, q.known_at)
    q.close()
    headers = ["rule", "status", "value", "threshold", "since", "detail"]
    rows = [[c.rule, c.status, c.value, c.threshold, c.since, c.detail] for c in result.checks]
    verdict = "compliant" if result.compliant else "NOT compliant"
    _emit(result, fmt, headers, rows, f"{_headline(result)}\n{result.profile}: {verdict}")
    if check and not result.compliant:
        breaches = ", ".join(c.rule for c in result.checks if c.status == "breach")
        click.echo(f"error: breach of {breaches} as of {result.as_of}", err=True)
        ctx.exit(1)


@click.command()
@query_options
@click.option(
    "--from",
    "since",
    type=DATE,
    default=None,
    help="First day of the period. Default: the registration.",
)
@click.option("--rule", "rules", multiple=True, help="Only this rule (repeatable).")
@click.pass_context
def timeline(
    ctx: click.Context,
    /,
    as_of: date | None,
    known_at: datetime | None,
    fmt: str,
    since: date | None,
    rules: tuple[str, ...],
) -> None:
    """Each rule's status over a period (--from to --as-of): from, to, status, and the value
    when the status began.

    \b
    Example:
      scop-ledger timeline --from 2016-01-01 --as-of 2024-12-31 --rule employee-capital-majority
    """
    from scop_ledger.domain.errors import InvalidValue
    from scop_ledger.domain.rules.registry import rule_ids
    from scop_ledger.readmodel import compliance as engine

    known = rule_ids()
    for rule in rules:
        if rule not in known:
            raise InvalidValue(f"unknown rule {rule!r} (one of: {', '.join(known)})")
    q = Query(get_app(ctx), as_of, known_at)
    if since is not None and since > q.as_of:
        raise InvalidValue(f"--from {since} is after --as-of {q.as_of}")
    result = engine.timeline(q.source(), q.as_of, q.known_at, since, rules)
    q.close()
    headers = ["rule", "from", "to", "status", "value", "threshold", "detail"]
    rows = [[c[h] for h in headers] for c in result.changes]
    title = (
        f"{result.coop} from {result.since} to {result.as_of}, "
        f"as known at {result.known_at:%Y-%m-%d %H:%M:%S%z}"
    )
    _emit(result, fmt, headers, rows, title)


@click.command()
@click.option(
    "--year", type=WholeNumber(1900, 2199), required=True, help="Financial year (1900 to 2199)."
)
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@format_option("table", "json", "csv")
@click.pass_context
def factsheet(ctx: click.Context, /, year: int, known_at: datetime | None, fmt: str) -> None:
    """The annual fact sheet for the Ministry of Labour, as of the financial year's end:
    shares, employee partners, the largest holder, non-employee partners with their votes.

    \b
    Example:
      scop-ledger factsheet --year 2024 --format json
    """
    from scop_ledger.readmodel import compliance as engine
    from scop_ledger.readmodel.snapshot import coop_from_view

    q = Query(get_app(ctx), None, known_at)
    if q.db is None:
        fye = q.app.ledger().cooperative(q.slug).registration.fiscal_year_end
    else:
        fye = coop_from_view(q.db, q.slug, q.known_at)[1].fiscal_year_end
    q.as_of = engine.fiscal_year_end(fye, year)
    result = engine.factsheet(q.snapshot(), year)
    q.close()
    headers = ["person", "name", "category", "shares", "votes"]
    rows = [[h.person, h.name, "external", h.shares, h.votes] for h in result.externals]
    largest = result.largest_holder
    title = (
        f"{_headline(result)}: fact sheet of {result.year} (file by {result.filing_due})\n"
        f"{result.shares} shares of {result.share_value}, capital {result.capital}; "
        f"{result.employee_partners.count} employee partners hold "
        f"{result.employee_partners.shares} shares; largest holder: "
        + (f"{largest.person} ({largest.shares} shares)" if largest else "none")
        + f"; {len(result.externals)} non-employee partners:"
    )
    _emit(result, fmt, headers, rows, title)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--known-at", type=DATETIME, default=None, help="As known at this moment (ISO 8601).")
@click.pass_context
def export(ctx: click.Context, /, file: Path, known_at: datetime | None) -> None:
    """Write the whole history in the import format (JSON Lines): into an empty store, 'init'
    with the same statutes then 'import FILE' reproduces every answer.

    \b
    Example:
      scop-ledger export fabrique.jsonl
    """
    import json

    from scop_ledger.app.importing import export_rows
    from scop_ledger.domain.errors import InvalidValue

    if file.suffix.lower() != ".jsonl":
        raise InvalidValue(f"{file}: export writes JSON Lines (.jsonl)")
    app = get_app(ctx)
    ledger = app.ledger()
    slug = ledger.resolve_coop(app.settings.coop)
    rows = export_rows(ledger, slug, known_at or datetime.now(UTC))
    try:
        with file.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    except OSError as error:
        raise InvalidValue(f"{file}: cannot write ({error.strerror})") from None
    click.echo(f"{file}: {len(rows)} rows")


@click.command()
@click.option(
    "--workers",
    type=WholeNumber(1, 1024),
    default=None,
    help="Processes to rebuild with (default: one per core for a SQLite ledger of 50,000 "
    "events or more, else 1; PostgreSQL: always 1; at most 1024).",
)
@click.pass_context
def rebuild(ctx: click.Context, /, workers: int | None) -> None:
    """Rebuild the view tables from the events (a progress bar on a terminal).

    \b
    Example:
      scop-ledger rebuild
      scop-ledger rebuild --workers 1
    """
    import time

    from scop_ledger.readmodel.projector import Projector
    from scop_ledger.readmodel.rebuild import rebuild as rebuild_view

    app = get_app(ctx)
    if app.settings.read_only:
        from scop_ledger.store.engine import ReadOnlyStore

        raise ReadOnlyStore("the store is open read-only: the view cannot be rebuilt")
    ledger = app.ledger()
    projector = Projector(ledger)
    total = ledger.recorder.max_notification_id() or 0
    step = _progress("rebuilding")
    started = time.perf_counter()
    applied = rebuild_view(projector, None if step is None else lambda n: step(n, total), workers)
    seconds = time.perf_counter() - started
    rate = applied / seconds if seconds else 0.0
    click.echo(f"rebuilt the view from {applied} events in {seconds:.1f} s ({rate:,.0f} events/s)")
    from scop_ledger.app.recording import unviewable_note

    note = unviewable_note(app.settings)
    if note:
        click.echo(note, err=True)
