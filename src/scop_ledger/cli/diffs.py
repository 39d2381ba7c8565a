"""``diff``'s answer for people (the figures, holdings and rules that changed, the entries
recorded in between) and as one table for a file (``--out``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scop_ledger.cli.render import emit_table, label, moment, written
from scop_ledger.cli.sheets import wording
from scop_ledger.i18n import N_, _, day

if TYPE_CHECKING:
    from scop_ledger.audit.diff import Diff, Recorded

# The figures compared (the words a table and a file for people show).
FIGURES = (
    N_("capital"),
    N_("shares"),
    N_("employee_capital_ratio"),
    N_("employee_vote_ratio"),
    N_("external_vote_weight"),
    N_("partners"),
)
FILE_COLUMNS = [
    N_("section"),
    N_("id"),
    N_("item"),
    N_("person"),
    N_("before"),
    N_("after"),
    N_("date"),
    N_("recorded_at"),
    N_("recorded_by"),
    N_("note"),
]


def show(result: Diff) -> None:
    """The figures, holdings and rules that changed, and the entries recorded in between."""
    said = _("changed") if result.changed else _("no change")
    click.echo(
        _(
            "{coop} as of {as_of}: known at {from_known_at} → known at {to_known_at}: {verdict}"
        ).format(
            coop=result.coop,
            as_of=day(result.as_of),
            from_known_at=moment(result.from_known_at),
            to_known_at=moment(result.to_known_at),
            verdict=said,
        )
    )
    before, after = result.before.model_dump(), result.after.model_dump()
    emit_table(
        [N_("figure"), N_("before"), N_("after")],
        [[label(k), before[k], after[k]] for k in before],
    )
    if result.holdings:
        click.echo("")
        emit_table(
            [N_("person"), N_("shares before"), N_("shares after")],
            [[h.person, h.from_shares, h.to_shares] for h in result.holdings],
        )
    if result.compliance:
        click.echo("")
        emit_table(
            [
                N_("rule"),
                N_("status before"),
                N_("status after"),
                N_("value before"),
                N_("value after"),
            ],
            [
                [c.rule, label(c.from_status), label(c.to_status), c.from_value, c.to_value]
                for c in result.compliance
            ],
        )
    click.echo("")
    _show_entries(result)


def _show_entries(result: Diff) -> None:
    """The entries recorded between the two moments, each with what it did."""
    entries = _("{count} entries recorded in between")  # the review pack's words too
    emit_table(
        [
            N_("id"),
            N_("date"),
            N_("action"),
            N_("person"),
            N_("recorded_at"),
            N_("recorded_by"),
            N_("note"),
        ],
        [
            [e.id, e.date, e.action, e.person, e.recorded_at, e.recorded_by, _flags(e, _)]
            for e in result.entries
        ],
        title=entries.format(count=len(result.entries)),
    )


def _flags(e: Recorded, word: Callable[[str], str]) -> str:
    """What an entry did to the answer: reverses another, back-dated, moves the figures."""
    return ", ".join(
        text
        for text, on in (
            (word(N_("reverses {id}")).format(id=e.reverses), e.reverses is not None),
            (word(N_("back-dated")), e.back_dated),
            (word(N_("moves the figures as of the date")), e.affects_as_of),
        )
        if on
    )


def _row(section: str, **values: Any) -> list[Any]:
    """One row of the file: ``section``, then the values named, in :data:`FILE_COLUMNS`."""
    return [section, *(values.get(column) for column in FILE_COLUMNS[1:])]


def rows(result: Diff, word: Callable[[str], str]) -> list[list[Any]]:
    """The diff as one table: each figure that changed, each holding and rule that changed,
    then each entry recorded in between (section, id, item, person, before, after, date,
    recorded_at, recorded_by, note)."""
    out: list[list[Any]] = []
    before, after = result.before.model_dump(), result.after.model_dump()
    for k in before:
        if before[k] != after[k]:
            out.append(_row(word(N_("figure")), item=word(k), before=before[k], after=after[k]))
    for h in result.holdings:
        out.append(
            _row(
                word(N_("holding")),
                item=word(N_("shares")),
                person=h.person,
                before=h.from_shares,
                after=h.to_shares,
            )
        )
    for c in result.compliance:
        value = word(N_("value {before} → {after}")).format(
            before=c.from_value or "", after=c.to_value or ""
        )
        out.append(
            _row(
                word(N_("rule")),
                item=c.rule,
                before=word(c.from_status),
                after=word(c.to_status),
                note=value,
            )
        )
    for e in result.entries:
        out.append(
            _row(
                word(N_("entry")),
                id=e.id,
                item=e.action,
                person=e.person,
                date=e.date,
                recorded_at=e.recorded_at,
                recorded_by=e.recorded_by,
                note=_flags(e, word),
            )
        )
    return out


def write(result: Diff, out: Path, fmt: str) -> None:
    """The diff's table to ``out`` (``.csv`` or ``.xlsx``); one line on the screen."""
    about = {
        "coop": result.coop,
        "as_of": result.as_of,
        "from_known_at": result.from_known_at,
        "to_known_at": result.to_known_at,
    }
    written(out, FILE_COLUMNS, rows(result, wording(out)), about, fmt)
