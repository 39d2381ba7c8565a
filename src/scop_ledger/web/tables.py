"""Each page's table: one call of ``app.queries``, then the same columns and rows as the CLI's
table and ``--out`` file (so that a page's CSV and XLSX downloads are the CLI's files), with a
title and summary lines for people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from scop_ledger.app import queries
from scop_ledger.i18n import N_, _, day, money, number

if TYPE_CHECKING:
    from scop_ledger.app.session import Session
    from scop_ledger.web.context import Moment

# The CLI's column names (the files' headers) and how a page heads them.
LABELS = {
    "person": N_("Person"),
    "name": N_("Name"),
    "category": N_("Category"),
    "shares": N_("Shares"),
    "amount": N_("Amount"),
    "paid": N_("Paid"),
    "group": N_("Group"),
    "count": N_("Count"),
    "votes": N_("Votes"),
    "ratio": N_("Ratio"),
    "weight": N_("Weight"),
    "since": N_("Since"),
    "cause": N_("Cause"),
    "outstanding": N_("Outstanding"),
    "due": N_("Due"),
    "overdue": N_("Overdue"),
    "liable_until": N_("Liable until"),
    "employed": N_("Employed"),
    "partner": N_("Partner"),
    "date": N_("Date"),
    "sequence": N_("Sequence"),
    "nature": N_("Nature"),
    "shares_after": N_("Shares after"),
    "rule": N_("Rule"),
    "status": N_("Status"),
    "value": N_("Value"),
    "threshold": N_("Threshold"),
    "detail": N_("Detail"),
    "from": N_("From"),
    "to": N_("To"),
    "id": N_("Entry"),
    "action": N_("Action"),
    "recorded_at": N_("Recorded at"),
    "recorded_by": N_("Recorded by"),
    "ref": N_("Reference"),
    "note": N_("Note"),
    "reversed_by": N_("Reversed by"),
    "details": N_("Details"),
    "register_number": N_("Partner no."),
    "partner_since": N_("Partner since"),
    "former_partner": N_("Former partner"),
    "entry": N_("Entry no."),
    "counterparty": N_("Counterparty"),
}


@dataclass
class Table:
    """A page's answer: the title, summary lines, the CLI's columns and rows, the result."""

    title: str
    summary: list[str]
    headers: list[str]
    rows: list[list[Any]]
    result: Any = None
    about: dict[str, Any] = field(default_factory=dict)
    shown: list[list[Any]] | None = None  # the rows in the page's order, when not the file's
    # A table read a page at a time: ``rows`` are those from position ``start`` (from 0) of
    # the ``total`` the whole table has.
    total: int | None = None
    start: int = 0

    def display(self) -> list[list[Any]]:
        return self.rows if self.shown is None else self.shown

    def labels(self) -> list[str]:
        return [_(LABELS.get(h, h)) for h in self.headers]


def pct(value: Any) -> str:
    return f"{number(round(value * 100, 2))} %"


def _about(result: Any) -> dict[str, Any]:
    return {k: getattr(result, k, None) for k in ("coop", "as_of", "known_at")}


def capital(session: Session, m: Moment, params: dict[str, str]) -> Table:
    r = queries.capital(session, m.as_of, m.known_at)
    headers = ["person", "name", "category", "shares", "amount", "paid"]
    rows = [[p.person, p.name, p.category, p.shares, p.amount, p.paid] for p in r.partners]
    summary = [
        _("Capital {amount} ({shares} shares of {value})").format(
            amount=money(r.amount), shares=number(r.shares), value=money(r.share_value)
        ),
        _("Employee partners: {count}, {ratio} of the capital").format(
            count=r.employees.count, ratio=pct(r.employees.ratio)
        ),
        _("External partners: {count}, {ratio} of the capital").format(
            count=r.externals.count, ratio=pct(r.externals.ratio)
        ),
    ]
    return Table(_("Share capital"), summary, headers, rows, r, _about(r))


def votes(session: Session, m: Moment, params: dict[str, str]) -> Table:
    r = queries.votes(session, m.as_of, m.known_at)
    headers = ["group", "count", "votes", "ratio", "weight"]
    e, x = r.employees, r.externals
    rows = [
        [_("employees"), e.count, e.votes, e.ratio, "1.0000"],
        [_("externals"), x.count, x.votes, x.ratio, x.weight],
    ]
    summary = [
        _("{count} partners, one person one vote").format(count=r.partners),
        _("Employee partners hold {ratio} of the votes").format(ratio=pct(e.ratio)),
    ]
    return Table(_("Votes"), summary, headers, rows, r, _about(r))


def refunds(session: Session, m: Moment, params: dict[str, str]) -> Table:
    r = queries.refunds(session, m.as_of, m.known_at)
    headers = [
        *("person", "since", "cause", "amount", "paid", "outstanding"),
        *("due", "overdue", "liable_until"),
    ]
    rows = [[getattr(x, h) for h in headers] for x in r.refunds]
    summary = [_("Outstanding: {amount}").format(amount=money(r.outstanding))]
    return Table(_("Refunds"), summary, headers, rows, r, _about(r))


def members(session: Session, m: Moment, params: dict[str, str]) -> Table:
    r = queries.members(session, m.as_of, m.known_at, eligible=params.get("eligible") == "true")
    headers = ["person", "name", "employed", "partner", "category", "shares"]
    headers += ["register_number", "partner_since", "former_partner"]
    rows = [[getattr(x, h) for h in headers] for x in r.members]
    return Table(_("Members"), [], headers, rows, r, _about(r))


REGISTER = ["date", "sequence", "person", "name", "nature", "cause", "shares"]
REGISTER += ["shares_after", "amount", "category", "entry", "counterparty"]


def register(session: Session, m: Moment, params: dict[str, str]) -> Table:
    r = queries.register(session, m.as_of, m.known_at)
    rows = [[getattr(x, h) for h in REGISTER] for x in r.movements]
    if params.get("person"):
        rows = [row for row in rows if row[2] == params["person"]]
    return Table(_("Register of share movements"), [], list(REGISTER), rows, r, _about(r))


def register_page(
    session: Session, m: Moment, params: dict[str, str], window: tuple[int, int | None]
) -> Table:
    """The rows of :func:`register` at positions ``window`` (start, how many; None: all from
    start), read a page at a time."""
    person = params.get("person") or None
    r = queries.register_page(session, m.as_of, m.known_at, window, person)
    rows = [[getattr(x, h) for h in REGISTER] for x in r.movements]
    table = Table(_("Register of share movements"), [], list(REGISTER), rows, r, _about(r))
    table.total, table.start = r.total, r.start
    return table


def compliance(session: Session, m: Moment, params: dict[str, str]) -> Table:
    r = queries.compliance(session, m.as_of, m.known_at)
    headers = ["rule", "status", "value", "threshold", "since", "detail"]
    rows = [[c.rule, c.status, c.value, c.threshold, c.since, c.detail] for c in r.checks]
    verdict = _("compliant") if r.compliant else _("NOT compliant")
    summary = [_("{profile}: {verdict}").format(profile=r.profile, verdict=verdict)]
    table = Table(_("Compliance"), summary, headers, rows, r, _about(r))
    table.shown = sorted(rows, key=lambda row: row[1] != "breach")  # breaches first
    return table


def timeline(session: Session, m: Moment, params: dict[str, str]) -> Table:
    return timeline_table(queries.timeline(session, m.as_of, m.known_at, None, ()))


def timeline_table(r: Any) -> Table:
    """The table of a ``timeline`` answer (``queries.timeline``'s)."""
    headers = ["rule", "from", "to", "status", "value", "threshold", "detail"]
    # As the CLI shows it: each run's situation on its last day.
    ends = {"value": "end_value", "threshold": "end_threshold", "detail": "end_detail"}
    rows = [[c[ends.get(h, h)] for h in headers] for c in r.changes]
    summary = [
        _("From {start} to {end}").format(start=day(r.since), end=day(r.as_of)),
    ]
    return Table(_("Rules over time"), summary, headers, rows, r, _about(r))


HISTORY = ["id", "sequence", "action", "person", "date", "recorded_at", "recorded_by"]
HISTORY += ["ref", "note", "reversed_by", "details"]


# The entries that move each rule: a finding links to these, dated up to the day its status
# began (the entries behind it).
_CAPITAL = ("hire", "terminate", "admit", "subscribe", "pay-up", "withdraw", "transfer", "leave")
_REFUNDS = ("leave", "withdraw", "pay-refund")
RULE_ACTIONS: dict[str, tuple[str, ...]] = {
    "employee-capital-majority": _CAPITAL,
    "employee-vote-share": _CAPITAL,
    "minimum-employee-partners": _CAPITAL,
    "minimum-capital": _CAPITAL,
    "capital-floor": _CAPITAL,
    "external-mandates": ("appoint", "end-mandate", *_CAPITAL),
    "mandate-terms": ("appoint", "end-mandate"),
    "supervisory-board": ("admit", "leave"),
    "cooperative-review": ("init", "review"),
    "surplus-allocation": ("allocate",),
    "legal-representative": ("appoint", "end-mandate", "change-form"),
    "partners-hold-shares": ("admit", "subscribe", "withdraw", "transfer", "leave"),
    "refunds-due": _REFUNDS,
    "member-vote-limit": _CAPITAL,
    "dividend-limit": ("allocate", *_CAPITAL),
    "resignation-window": ("leave", "withdraw"),
    "refund-limit": (*_REFUNDS, "allocate"),
}


def _entry_filters(params: dict[str, str]) -> tuple[tuple[str, ...] | None, date | None, list[str]]:
    """``rule``: the actions of the entries that move it; ``until``: the last date; the
    summary lines saying so."""
    from scop_ledger.domain.values import parse_date

    summary = []
    actions, last = None, None
    rule, until = params.get("rule"), params.get("until")
    if rule:
        actions = RULE_ACTIONS.get(rule, ())
        summary.append(_("The entries behind the rule {rule}").format(rule=rule))
    if until:
        last = parse_date(until, what="until")
        summary.append(_("Dated up to {date}").format(date=day(last)))
    return actions, last, summary


def history(session: Session, m: Moment, params: dict[str, str]) -> Table:
    """Every entry (of ``person``), with its reversals; ``rule``: only the entries that move
    it; ``until``: only those dated up to that day."""
    actions, last, summary = _entry_filters(params)
    r = queries.history(session, params.get("person"), m.known_at)
    entries = [
        e
        for e in r.entries
        if (actions is None or e["action"] in actions) and (last is None or e["date"] <= last)
    ]
    rows = [[e[h] for h in HISTORY] for e in entries]  # type: ignore[literal-required]
    about = {"cooperative": r.coop, "person": params.get("person"), "known_at": r.known_at}
    return Table(_("History"), summary, list(HISTORY), rows, r, about)


def history_page(
    session: Session, m: Moment, params: dict[str, str], window: tuple[int, int | None]
) -> Table:
    """The rows of :func:`history` at positions ``window`` (start, how many), read a page at
    a time."""
    actions, last, summary = _entry_filters(params)
    start, limit = window
    whole = 2**62 if limit is None else limit
    r = queries.history_page(
        session, params.get("person"), m.known_at, (start, whole), actions, last
    )
    rows = [[e[h] for h in HISTORY] for e in r.entries]  # type: ignore[literal-required]
    about = {"cooperative": r.coop, "person": params.get("person"), "known_at": r.known_at}
    table = Table(_("History"), summary, list(HISTORY), rows, r, about)
    table.total, table.start = r.total, r.start
    return table


TABLES: dict[str, Callable[[Session, Moment, dict[str, str]], Table]] = {
    "capital": capital,
    "votes": votes,
    "refunds": refunds,
    "members": members,
    "register": register,
    "compliance": compliance,
    "timeline": timeline,
    "history": history,
}

#: The tables read a page at a time (the downloads read them whole, with :data:`TABLES`).
PAGED: dict[str, Callable[[Session, Moment, dict[str, str], tuple[int, int | None]], Table]] = {
    "register": register_page,
    "history": history_page,
}
