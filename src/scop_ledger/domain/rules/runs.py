"""A rule's runs of unchanged status over time, from the facts of each date on which anything can
change (:mod:`~scop_ledger.domain.rules.sweep` gives them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Any, TypeVar

from scop_ledger.domain.rules.facts import Check, Facts, Params, Status
from scop_ledger.domain.rules.registry import PROFILE_RULES, RuleSpec

DAY = timedelta(days=1)
T = TypeVar("T")


@dataclass(slots=True)
class Run:
    """A rule's unbroken run of one status, from ``start`` to ``end`` (both included):
    ``first`` is the check when it began, ``last`` the check on its last day (evaluated on the
    run's last date on which what the rule reads changed: it holds until the run ends); for a
    rule whose value is a ratio, the ``lowest`` and ``highest`` value over the run (else
    None)."""

    rule: str
    start: date
    end: date
    first: Check
    last: Check
    lowest: str | None = None
    highest: str | None = None

    @property
    def status(self) -> Status:
        return self.first.status


def _from(facts: Iterable[Facts], since: date | None) -> Iterator[Facts]:
    """The facts in force on ``since`` (the last dated before it, if any), then the later ones."""
    before = None
    for f in facts:
        if since is not None and f.on < since:
            before = f
            continue
        if before is not None and since is not None and f.on > since:
            yield before
        before = None
        yield f
    if before is not None:
        yield before


def _less(a: str, b: str) -> bool:
    """``a < b`` for two ratios written with 4 places, never negative: the longer has the
    larger whole part; of one length, the strings compare as the numbers."""
    return (len(a), a) < (len(b), b)


class _Rule:
    """One rule in a sweep: the facts it read when last evaluated (``key``), the last date its
    check holds on while they stay the same, and its current run."""

    __slots__ = ("check", "holds", "key", "last", "ratio", "read", "rule", "run", "spec")

    def __init__(self, spec: RuleSpec) -> None:
        self.spec, self.check, self.rule, self.ratio = spec, spec.check, spec.id, spec.ratio
        # No field named: the date, which changes on every date (the rule is always evaluated).
        self.read = attrgetter(*(spec.reads or ("on",)))
        self.key: object = _NEVER
        self.last = date.max  # the last date on which the check evaluated with ``key`` holds
        self.run: Run | None = None


_NEVER = object()


#: One evaluation of a rule: the rule's index in its profile, the date, and the check.
Evaluation = tuple[int, date, Check]


def evaluations(
    params: Params, facts: Iterable[Facts], since: date | None = None
) -> Iterator[Evaluation]:
    """Every evaluation of the profile's rules, in date order (the profile's order on one
    date): with ``since``, from the facts in force on ``since`` on.

    A rule is evaluated again only on a date on which a field it reads has changed or its last
    check may no longer hold (:class:`~scop_ledger.domain.rules.registry.RuleSpec`): on the
    other dates it would give an equal check, which the run already holds."""
    rules = [_Rule(spec) for spec in PROFILE_RULES[params.profile]]
    for f in _from(facts, since):
        on = f.on
        for i, r in enumerate(rules):
            key = r.read(f)
            if on <= r.last and key == r.key:
                continue
            check = r.check(f, params)
            r.key = key
            holds = r.spec.holds
            r.last = date.max if holds is None else holds(f, params) or date.max
            yield i, on, check


def combine(
    params: Params,
    found: Iterable[tuple[int, date, Status, str | None, T]],
    until: date,
    check: Callable[[T], Check],
) -> list[Run]:
    """The runs of :func:`runs` to ``until`` from the evaluations dated up to it, each given as
    (rule index, date, status, value, what ``check`` makes the check of): only the checks that
    begin or end a run are made."""
    specs = PROFILE_RULES[params.profile]
    ratios = [spec.ratio for spec in specs]
    open_: list[list[Any] | None] = [None] * len(specs)  # start, first, last, lowest, highest
    done: list[tuple[int, date, date, Any, Any, str | None, str | None]] = []
    for i, on, status, value, made in found:
        run = open_[i]
        if run is not None and run[5] is status:
            run[2] = made
            if ratios[i] and value is not None:
                if run[3] is None or _less(value, run[3]):
                    run[3] = value
                if run[4] is None or _less(run[4], value):
                    run[4] = value
            continue
        if run is not None:
            done.append((i, run[0], on - DAY, run[1], run[2], run[3], run[4]))
        ratio = value if ratios[i] else None
        open_[i] = [on, made, made, ratio, ratio, status]
    for i, run in enumerate(open_):
        if run is not None:
            done.append((i, run[0], until, run[1], run[2], run[3], run[4]))
    done.sort(key=lambda r: (r[0], r[1]))
    out = []
    for _i, start, end, first, last, low, high in done:
        head = check(first)
        out.append(
            Run(head.rule, start, end, head, head if last is first else check(last), low, high)
        )
    return out


def _same(c: Check) -> Check:
    return c


def runs(
    params: Params, facts: Iterable[Facts], until: date, since: date | None = None
) -> list[Run]:
    """Every rule's runs, ordered by rule (the profile's order) then start. With ``since``,
    evaluated from the facts in force on ``since`` on: the runs that begin after it are exact,
    the one running then starts on or before it (a write's warnings need no more).

    ``runs(params, facts, until) == combine(evaluations up to until, until)``: a sweep's
    evaluations to a later date answer any date up to it (:mod:`scop_ledger.readmodel.sweeps`)."""
    found = ((i, on, c.status, c.value, c) for i, on, c in evaluations(params, facts, since))
    return combine(params, found, until, _same)


#: What the share charts read of one date's facts: the date, the employee and the external
#: partners, the employee and the external partners' shares.
Point = tuple[date, int, int, int, int]


def point(f: Facts) -> Point:
    """The figures of ``f`` the share charts read."""
    return f.on, f.employees, f.externals, f.employee_shares, f.external_shares
