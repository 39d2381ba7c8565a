"""The general meeting's roll: every partner with their college, their vote weight (the 35%
cap applied) and the law's limits on proxies, ready to print as the attendance sheet (a
``.xlsx`` or ``.csv`` with ``--out``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from scop_ledger.app import queries
from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, DATETIME, OutFile, format_option
from scop_ledger.cli.render import emit_json, emit_result, headline
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.i18n import N_, _, day, ngettext, number

present_option = click.option(
    "--present",
    "present",
    multiple=True,
    help=_(
        "The partners present at the meeting, by id, separated by commas (repeatable): the "
        "roll then gives each voter's share of the votes present or represented (be-cnc: at "
        "most a tenth)."
    ),
)
proxy_option = click.option(
    "--proxy",
    "proxies",
    multiple=True,
    help=_(
        "PERSON=HOLDER: the partner PERSON is represented by HOLDER, a partner present "
        "(repeatable, or separated by commas)."
    ),
)


@click.command()
@click.option(
    "--date",
    "on",
    type=DATE,
    default=None,
    help=_("The meeting's date (YYYY-MM-DD). Default: today."),
)
@click.option(
    "--known-at",
    type=DATETIME,
    default=None,
    help=_("The roll as known at this moment (ISO 8601)."),
)
@present_option
@proxy_option
@format_option("table", "json", "csv")
@click.option(
    "--out",
    type=OutFile(".csv", ".xlsx", ".html", ".pdf"),
    default=None,
    help=_(
        "Write the rows to this .csv or .xlsx file, or the attendance sheet to sign to this "
        ".html or .pdf file (the screen gets one line)."
    ),
)
@click.pass_context
def roll(
    ctx: click.Context,
    /,
    on: date | None,
    known_at: datetime | None,
    present: tuple[str, ...],
    proxies: tuple[str, ...],
    fmt: str,
    out: Path | None,
) -> None:
    """The general meeting's roll on the date: every partner, their college, their vote (the
    external partners' weighted under the cap) and the limits on proxies.

    With --present (and --proxy), the meeting's votes present or represented, each voter's
    share of them and the cap of a tenth (be-cnc: AR 8 January 1962 art. 1); the attendance
    sheet (--out FILE.html or .pdf) marks who is present and who holds each proxy.

    \b
    Example:
      scop-ledger roll --date 2025-06-15 --out roll.xlsx
      scop-ledger roll --date 2025-06-15 --out attendance.pdf
      scop-ledger roll --date 2025-06-15 --present ann,ben --proxy cat=ann
      scop-ledger roll --date 2025-06-15 --present ann,ben --proxy cat=ann --out sheet.pdf
    """
    attending = split(present) if present or proxies else None
    if out is not None and out.suffix.lower() in (".html", ".pdf"):
        _sheet(ctx, on, known_at, fmt, out, (attending, proxy_map(proxies)))
        return
    result = queries.roll(get_app(ctx), on, known_at, attending, proxy_map(proxies))
    headers, rows, meeting = table(result)
    emit_result(result, fmt, headers, rows, heading(result, meeting), out)


def table(result: Any) -> tuple[list[str], list[list[Any]], Any]:
    """The roll's columns, its rows and the meeting (None without --present). Column names and
    colleges are the answer's field names and values, as in `capital`."""
    headers = ["person", "name", "college", "shares", "votes", "signature"]
    rows = [[m.person, m.name, m.college, m.shares, m.votes, ""] for m in result.members]
    meeting = getattr(result, "meeting", None)
    if meeting is not None:
        attendance(meeting, headers, rows)
    return headers, rows, meeting


def heading(result: Any, meeting: Any) -> str:
    """The table's title: the roll, the limits on proxies and the meeting's tenth."""
    limit = ngettext(
        "a partner may hold at most {count} proxy besides their own vote, only from another "
        "partner ({source})",
        "a partner may hold at most {count} proxies besides their own vote, only from another "
        "partner ({source})",
        result.max_proxies,
    ).format(count=result.max_proxies, source=result.proxy_source)
    title = _("{head}: meeting roll of {partners} partners, external weight {weight}").format(
        head=headline(result), partners=result.partners, weight=number(result.external_weight)
    )
    if meeting is not None:
        limit += "\n" + tenth(meeting)
    return f"{title}\n{limit}"


def attendance(meeting: Any, headers: list[str], rows: list[list[Any]]) -> None:
    """The meeting's columns before the signature: present, or the proxy's holder; each
    voter's votes, share of the votes present or represented, and votes counted."""
    headers[-1:-1] = [N_("presence"), N_("meeting_votes"), N_("share"), N_("counted_votes")]
    voters = {v.person: v for v in meeting.voters}
    holders = {p.person: p.holder for p in meeting.represented}
    for row in rows:
        v = voters.get(row[0])
        presence = "present" if v else holders.get(row[0], "")
        presence = f"proxy:{presence}" if presence and not v else presence
        cells = [v.votes, v.share, v.counted_votes] if v else ["", "", ""]
        row[-1:-1] = [presence, *cells]


def split(values: tuple[str, ...]) -> list[str]:
    """Ids given in repeated options, each maybe a list separated by commas."""
    return [p for v in values for p in (x.strip() for x in v.split(",")) if p]


def proxy_map(values: tuple[str, ...]) -> dict[str, str]:
    """``PERSON=HOLDER`` pairs: partner represented -> partner present holding the proxy."""
    found: dict[str, str] = {}
    for pair in split(values):
        person, sep, holder = (x.strip() for x in pair.partition("="))
        if not sep or not person or not holder:
            raise InvalidValue(
                _("proxy {value} is not PERSON=HOLDER (e.g. cat=ann)").format(value=pair)
            )
        if person in found:
            raise InvalidValue(_("{person} gives more than one proxy").format(person=person))
        found[person] = holder
    return found


def tenth(meeting: Any) -> str:
    """The meeting's line: votes present or represented, the tenth and who is above it."""
    line = _("{votes} votes present or represented; a tenth is {cap} votes ({source})").format(
        votes=number(meeting.votes_present_or_represented),
        cap=number(meeting.cap_votes),
        source=meeting.source,
    )
    if not meeting.above_cap:
        return line + "\n" + _("no voter above a tenth")
    above = ", ".join(meeting.above_cap)
    if meeting.cap_applies:
        return (
            line + "\n" + _("above a tenth, counted for a tenth: {persons}").format(persons=above)
        )
    return (
        line
        + "\n"
        + _("above a tenth: {persons} (votes equal, one person one vote: no cap applies)").format(
            persons=above
        )
    )


def _sheet(
    ctx: click.Context,
    on: date | None,
    known_at: datetime | None,
    fmt: str,
    out: Path,
    meeting: tuple[list[str] | None, dict[str, str]],
) -> None:
    """The attendance sheet written to ``out`` (``.html`` or ``.pdf``), one line said; the
    partners present and represented marked (``meeting``: --present, --proxy)."""
    from scop_ledger.app import attendance
    from scop_ledger.cli.render import write_bytes

    present, proxies = meeting
    sheet = attendance.attendance_sheet(get_app(ctx), on, known_at, present, proxies)
    write_bytes(out, attendance.rendered(sheet, out.suffix.lower().lstrip(".")))
    if fmt == "json":
        emit_json({"file": str(out), "rows": len(sheet.attendees)})
    else:
        click.echo(
            _("attendance sheet of the meeting of {date} written to {file}").format(
                date=day(sheet.as_of), file=out
            )
        )


COMMANDS = (roll,)
