"""The review pack: one self-contained HTML file for the cooperative-review auditor.

Gathered here from the same queries the CLI answers with (so the pack and the commands can never
disagree), drawn by :mod:`scop_ledger.audit.report.charts` (inline SVG) and laid out by the Jinja2
template ``pack.html.j2`` (inline CSS, no script, nothing fetched).

The pack speaks the current language (:mod:`scop_ledger.i18n`): the template's texts are marked
with ``_()`` and ``{% trans %}`` (Jinja2's i18n extension, on the catalogue's ``_``/``ngettext``),
its amounts, numbers and dates go through the filters ``money``, ``number`` and ``day``, and
``<html lang>`` says which language it is. The same inputs give the same bytes in each language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scop_ledger import __version__
from scop_ledger.audit.report.governance import (
    Gap,
    Representative,
    YearAllocation,
    allocations,
    minimums,
    recorded_entries,
    representatives,
)
from scop_ledger.audit.verdict import Verdict
from scop_ledger.domain.cooperative_fold import CoopState
from scop_ledger.domain.rules import Params, Status
from scop_ledger.domain.rules.registry import (
    EMPLOYEE_CAPITAL_MAJORITY,
    EMPLOYEE_VOTE_SHARE,
    RuleSpec,
)
from scop_ledger.domain.rules.runs import Point
from scop_ledger.domain.rules.sweep import Run
from scop_ledger.domain.statutes import vote_cap
from scop_ledger.domain.votes import weight_under
from scop_ledger.i18n import N_, _
from scop_ledger.readmodel import queries
from scop_ledger.readmodel.compliance import Compliance, compliance_of
from scop_ledger.readmodel.history import HistoryEntry
from scop_ledger.readmodel.register import Register
from scop_ledger.readmodel.snapshot import Snapshot
from scop_ledger.readmodel.sources import RuleFacts

AGES = (
    N_("not yet due"),
    N_("overdue under 1 year"),
    N_("overdue 1 to 2 years"),
    N_("overdue over 2 years"),
)


@dataclass
class Series:
    """A step series of employee shares over time, with the threshold and the breach spans."""

    title: str
    dates: list[date]
    values: list[float]
    threshold: float
    breaches: list[tuple[date, date]]
    waived: list[tuple[date, date]] = field(default_factory=list)


@dataclass
class Pack:
    coop: Snapshot
    as_of: date
    known_at: datetime
    since: date
    chain: Verdict
    compliance: Compliance
    findings: list[Run]
    capital: Series
    votes: Series
    register: Register
    refunds: list[dict[str, Any]]
    ageing: list[tuple[str, int, Decimal]]
    mandates: list[dict[str, Any]]
    late: list[dict[str, Any]]
    late_days: int
    allocations: list[YearAllocation] = field(default_factory=list)
    representatives: list[Representative] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    version: str = __version__

    def section_of(self, rule: str) -> str | None:
        """The pack's section showing the entries behind a finding of ``rule`` (its link)."""
        return SECTIONS.get(rule)


_REGISTER = (
    "employee-capital-majority",
    "employee-vote-share",
    "minimum-employee-partners",
    "minimum-capital",
    "capital-floor",
    "partners-hold-shares",
    "member-vote-limit",
)
#: The section of the pack showing the entries behind each rule's findings.
SECTIONS = {
    **dict.fromkeys(_REGISTER, "register"),
    "surplus-allocation": "allocations",
    "dividend-limit": "allocations",
    "legal-representative": "representatives",
    "external-mandates": "mandates",
    "mandate-terms": "mandates",
    "supervisory-board": "mandates",
    "refunds-due": "refunds",
    "refund-limit": "refunds",
    "resignation-window": "refunds",
}


def _series(
    rule: RuleSpec, points: list[Point], value: Any, threshold: float, found: list[Run]
) -> Series:
    spans = [r for r in found if r.rule == rule.id]
    return Series(
        title=rule.title,
        dates=[p[0] for p in points],
        values=[float(value(p)) for p in points],
        threshold=threshold,
        breaches=[(r.start, r.end) for r in spans if r.status is Status.BREACH],
        waived=[(r.start, r.end) for r in spans if r.status is Status.WAIVED],
    )


def _capital_share(p: Point) -> float:
    _on, _employees, _externals, employee_shares, external_shares = p
    shares = employee_shares + external_shares
    # float(Fraction(a, b)) is a / b, correctly rounded: no fraction needed.
    return employee_shares / shares if shares else 0.0


def _vote_share(params: Params) -> Any:
    found = vote_cap(params.profile, params.scop_thresholds, params.external_vote_cap)
    cap = None if found is None else Fraction(found)

    def share(p: Point) -> float:
        """I / (I + w·E) for the external weight w = n/d (that of
        :func:`~scop_ledger.domain.rules.facts.vote_weight`), as the float of that fraction:
        I·d / (I·d + n·E), correctly rounded."""
        _on, employees, externals, _shares, _external_shares = p
        if not employees + externals:
            return 0.0
        weight = weight_under(cap, employees, externals)
        votes = employees * weight.denominator
        return votes / (votes + weight.numerator * externals)

    return share


def _age(row: queries.RefundRow, as_of: date) -> str:
    if as_of <= row.due:
        return AGES[0]
    days = (as_of - row.due).days
    return AGES[1] if days < 365 else AGES[2] if days < 730 else AGES[3]


def _refunds(
    snapshot: Snapshot, as_of: date
) -> tuple[list[dict[str, Any]], list[tuple[str, int, Decimal]]]:
    """The refunds still outstanding, each with its age, and their count and total by age."""
    rows = []
    ageing: dict[str, tuple[int, Decimal]] = dict.fromkeys(AGES, (0, Decimal("0.00")))
    for r in queries.refunds(snapshot).refunds:
        if r.outstanding <= 0:
            continue
        age = _age(r, as_of)
        count, total = ageing[age]
        ageing[age] = (count + 1, total + r.outstanding)
        rows.append({**r.model_dump(), "age": age})
    return rows, [(age, *ageing[age]) for age in AGES]


def _mandates(coop: CoopState, as_of: date) -> list[dict[str, Any]]:
    """The mandates begun by ``as_of``, running then or not."""
    return [
        {
            "person": m.person,
            "office": m.office.value,
            "start": m.start,
            "term_end": m.term_end,
            "ended_on": m.ended_on,
            "running": m.running_on(as_of),
        }
        for m in coop.mandates
        if m.start <= as_of
    ]


def _late(history: list[HistoryEntry], late_days: int) -> list[dict[str, Any]]:
    """The entries recorded more than ``late_days`` after their date, reversed or reversing,
    each with why it is listed."""
    late = []
    for e in history:
        recorded = e["recorded_at"].date()
        delay = (recorded - e["date"]).days
        reasons = []
        if delay > late_days:
            reasons.append(_("recorded {days} days after its date").format(days=delay))
        if e["reversed_by"] is not None:
            reasons.append(_("reversed by entry {entry}").format(entry=e["reversed_by"]))
        if e["action"] == "reverse":
            reasons.append(_("reverses entry {entry}").format(entry=e["details"].get("target")))
        if reasons:
            late.append({**e, "why": "; ".join(reasons)})
    return late


def shares_over_time(
    params: Params, points: list[Point], found: list[Run]
) -> tuple[Series, Series]:
    """The employees' share of the capital and of the votes over time, each with its threshold
    and its breach spans (the 51% and 65% of a Scop, the profile's own elsewhere), from the
    figures of each date the facts may change (:data:`~scop_ledger.domain.rules.runs.Point`)."""
    capital = _series(
        EMPLOYEE_CAPITAL_MAJORITY, points, _capital_share, float(params.employee_capital_min), found
    )
    votes = _series(
        EMPLOYEE_VOTE_SHARE, points, _vote_share(params), float(params.employee_vote_min), found
    )
    return capital, votes


def ratio_series(source: RuleFacts, as_of: date, known_at: datetime) -> tuple[Series, Series]:
    """:func:`shares_over_time` from the registration to ``as_of``, as known at ``known_at``."""
    found = source.sweep(as_of, known_at)
    return shares_over_time(found.params, found.points, found.runs)


def gather(
    source: RuleFacts,
    snapshot: Snapshot,
    register: Register,
    history: list[HistoryEntry],
    chain: Verdict,
    late_days: int,
) -> Pack:
    """Everything the pack shows, as of the snapshot's date and as known at its moment."""
    as_of, known_at = snapshot.as_of, snapshot.known_at
    swept = source.sweep(as_of, known_at)
    params, coop, found = swept.params, swept.coop, swept.runs
    verdict = compliance_of(source.slug, params, found, as_of, known_at)
    refunds, ageing = _refunds(snapshot, as_of)
    officers, gaps = representatives(coop, found, as_of)
    capital, votes = shares_over_time(params, swept.points, found)
    return Pack(
        coop=snapshot,
        as_of=as_of,
        known_at=known_at,
        since=params.registered_on,
        chain=chain,
        compliance=verdict,
        findings=[r for r in found if r.status is Status.BREACH],
        capital=capital,
        votes=votes,
        register=register,
        refunds=refunds,
        ageing=ageing,
        mandates=_mandates(coop, as_of),
        late=_late(history, late_days),
        late_days=late_days,
        allocations=allocations(params, coop, as_of, recorded_entries(history)),
        representatives=officers,
        gaps=gaps,
    )


def render(pack: Pack) -> str:
    """The pack as one HTML document, in the current language."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from scop_ledger import i18n
    from scop_ledger.audit.report.charts import representatives_chart, share_chart
    from scop_ledger.audit.verdict import local

    env = Environment(
        loader=PackageLoader("scop_ledger", "audit/report"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True  # as scripts/i18n.py extracts the messages
    env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        pct=lambda v: "" if v is None else f"{Decimal(str(v)) * 100:.2f}%",
        money=i18n.money,
        number=_number,
        num=_figure,
        day=lambda v: "" if v is None else i18n.day(v),
        label=_label,
        yes_no=i18n.yes_no,
        local=local,
    )
    template = env.get_template("pack.html.j2")
    return template.render(
        pack=pack,
        lang=i18n.language(),
        capital_chart=share_chart(pack.capital, pack.as_of),
        votes_chart=share_chart(pack.votes, pack.as_of),
        minimums=minimums(),
        representatives_chart=representatives_chart(
            pack.representatives, pack.gaps, pack.since, pack.as_of
        )
        if pack.representatives or pack.gaps
        else "",
    )


def _label(value: object) -> str:
    """A word of the ledger (``domain.words.LEDGER_WORDS``) in the current language; ``a:b``
    word by word."""
    return "" if value is None else ":".join(_(part) for part in str(value).split(":"))


def _number(value: Decimal | int | None) -> str:
    """A count or an amount in a table cell, as the current language writes numbers."""
    from scop_ledger.i18n import number

    return "" if value is None else number(value)


def _figure(value: str | None) -> str:
    """A rule's value or threshold (already written as text): its decimal point the current
    language's when it is a number."""
    from decimal import InvalidOperation

    from scop_ledger.i18n import DEFAULT, day, language, number

    if not value:
        return ""
    if language() == DEFAULT:
        return value
    try:
        return day(date.fromisoformat(value)) if "-" in value else number(Decimal(value))
    except (InvalidOperation, ValueError):
        return value
