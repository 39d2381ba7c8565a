"""The review pack's governance sections: every financial year's surplus allocation with its
status, and the legal representatives in office over time with the periods nobody was.

Nothing here says the law again: each year's deadline is :meth:`Params.allocation_due`, each
split's faults :func:`split_faults`, the offices that represent each legal form
:data:`REPRESENTATIVES`, and the periods with nobody in office the breaches of the rule
``legal-representative`` found by the sweep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from scop_ledger.domain.cooperative_fold import CoopState, Mandate
from scop_ledger.domain.rules import Params, Status
from scop_ledger.domain.rules.fr_company import MINIMUM_PARTS, REPRESENTATIVES, split_faults
from scop_ledger.domain.rules.registry import LEGAL_REPRESENTATIVE
from scop_ledger.domain.rules.sweep import Run
from scop_ledger.domain.rules.text import Joined, shown
from scop_ledger.domain.values import LegalForm, Office
from scop_ledger.i18n import N_

# A financial year's allocation, as the pack says it (words translated when shown).
OK = N_("ok")
LATE = N_("late")
MISSING = N_("missing")
SPLIT_BREACH = N_("split breach")
NOT_YET_DUE = N_("not yet due")


@dataclass(frozen=True)
class YearAllocation:
    """One financial year: when its surplus had to be allocated, the allocation recorded (if
    any) and what the pack says of it (``statuses``: ``ok``, or ``late`` and/or ``split
    breach``, or ``missing``, or ``not yet due``)."""

    year: int
    due: date
    on: date | None
    surplus: Decimal | None
    legal_reserve: Decimal | None
    development_fund: Decimal | None
    employees: Decimal | None
    dividends: Decimal | None
    statuses: tuple[str, ...]
    faults: Joined | None
    entry: int | None = None  # the entry that recorded it
    recorded_at: datetime | None = None

    @property
    def breach(self) -> bool:
        return self.statuses not in ((OK,), (NOT_YET_DUE,))


def minimums() -> dict[str, str]:
    """The least part of a positive surplus each share of the split takes, as the current
    language writes a percentage (loi 78-763 art. 33)."""
    return {field: shown(least) for _, field, least in MINIMUM_PARTS}


def _last_ended(params: Params, as_of: date) -> int:
    """The last financial year ended by ``as_of``."""
    year = params.financial_year(as_of)
    return year if params.year_end(year) <= as_of else year - 1


def recorded_entries(history: Iterable[Mapping[str, object]]) -> dict[int, tuple[int, datetime]]:
    """Each financial year's allocation entry in force (not reversed; of several, the last
    recorded) and when it was recorded, from the history's entries."""
    found: dict[int, tuple[int, datetime]] = {}
    for e in history:
        details = e["details"]
        if e["action"] == "allocate" and e["reversed_by"] is None and isinstance(details, dict):
            entry, moment = e["id"], e["recorded_at"]
            assert isinstance(entry, int) and isinstance(moment, datetime)
            found[int(details["year"])] = (entry, moment)
    return found


def allocations(
    params: Params,
    coop: CoopState,
    as_of: date,
    entries: Mapping[int, tuple[int, datetime]] | None = None,
) -> list[YearAllocation]:
    """Every financial year from the first with an allocation recorded by ``as_of`` to the last
    ended by then (or allocated by then), each with its status as of ``as_of`` and the entry
    that recorded it (``entries``: :func:`recorded_entries`)."""
    entries = entries or {}
    done = {year: a for year, a in coop.allocations.items() if a.on <= as_of}
    if not done:
        return []
    rows = []
    for year in range(min(done), max(_last_ended(params, as_of), max(done)) + 1):
        due = params.allocation_due(year)
        a = done.get(year)
        if a is None:
            status = MISSING if due < as_of else NOT_YET_DUE
            rows.append(YearAllocation(year, due, *(None,) * 6, (status,), None))
            continue
        faults = split_faults(a)
        statuses = tuple(
            word for word, wrong in ((LATE, a.on > due), (SPLIT_BREACH, bool(faults))) if wrong
        )
        rows.append(
            YearAllocation(
                year,
                due,
                a.on,
                a.surplus,
                a.legal_reserve,
                a.development_fund,
                a.employees,
                a.dividends,
                statuses or (OK,),
                Joined(tuple(faults)) if faults else None,
                *entries.get(year, (None, None)),
            )
        )
    return rows


@dataclass(frozen=True)
class Representative:
    """A mandate of an office that represents the company under a legal form in force while
    it ran."""

    person: str
    office: Office
    start: date
    end: date  # the day it ended (or ends): at its term, or earlier when ended
    running: bool  # representing the company on the pack's date (under the form then)


@dataclass(frozen=True)
class Gap:
    """A period with nobody in office to represent the company (both days included)."""

    start: date
    end: date
    form: LegalForm

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def form_on(coop: CoopState, on: date) -> LegalForm:
    """The legal form in force on ``on``."""
    form = coop.forms[0][1] if coop.forms else coop.legal_form
    for since, later in coop.forms:
        if since <= on:
            form = later
    return form


def _end(m: Mandate) -> date:
    return m.term_end if m.ended_on is None else min(m.ended_on, m.term_end)


def _forms_during(coop: CoopState, start: date, end: date) -> set[LegalForm]:
    forms = {form_on(coop, start)}
    forms.update(form for since, form in coop.forms if start <= since < end)
    return forms


def representatives(
    coop: CoopState, found: list[Run], as_of: date
) -> tuple[list[Representative], list[Gap]]:
    """The mandates begun by ``as_of`` of an office representing the company under a form in
    force while they ran, and the periods the rule ``legal-representative`` found nobody in
    office (with the form then in force)."""
    rows = []
    now = REPRESENTATIVES[form_on(coop, as_of)]
    for m in sorted(coop.mandates, key=lambda m: (m.start, m.person)):
        if m.start > as_of:
            continue
        end = _end(m)
        offices = set().union(*(REPRESENTATIVES[f] for f in _forms_during(coop, m.start, end)))
        if m.office in offices:
            running = m.running_on(as_of) and m.office in now
            rows.append(Representative(m.person, m.office, m.start, end, running))
    gaps = [
        Gap(r.start, r.end, form_on(coop, r.start))
        for r in found
        if r.rule == LEGAL_REPRESENTATIVE.id and r.status is Status.BREACH
    ]
    return rows, gaps
