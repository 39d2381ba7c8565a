"""A rule's runs of unchanged status over time, from the facts of each date on which anything can
change (:mod:`~scop_ledger.domain.rules.sweep` gives them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from scop_ledger.domain.rules.facts import Check, Facts, Params, Status
from scop_ledger.domain.rules.registry import PROFILE_RULES, RuleSpec

DAY = timedelta(days=1)


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


def runs(
    params: Params, facts: Iterable[Facts], until: date, since: date | None = None
) -> list[Run]:
    """Every rule's runs, ordered by rule (the profile's order) then start. With ``since``,
    evaluated from the facts in force on ``since`` on: the runs that begin after it are exact,
    the one running then starts on or before it (a write's warnings need no more).

    A rule is evaluated again only on a date on which a field it reads has changed or its last
    check may no longer hold (:class:`~scop_ledger.domain.rules.registry.RuleSpec`): on the
    other dates it would give an equal check, which the run already holds."""
    rules = [_Rule(spec) for spec in PROFILE_RULES[params.profile]]
    done: list[Run] = []
    for f in _from(facts, since):
        on = f.on
        for r in rules:
            key = r.read(f)
            if on <= r.last and key == r.key:
                continue
            check = r.check(f, params)
            r.key = key
            holds = r.spec.holds
            r.last = date.max if holds is None else holds(f, params) or date.max
            run = r.run
            if run is not None and run.first.status is check.status:
                run.last = check
                if r.ratio and check.value is not None:
                    value = check.value
                    if run.lowest is None or _less(value, run.lowest):
                        run.lowest = value
                    if run.highest is None or _less(run.highest, value):
                        run.highest = value
                continue
            if run is not None:
                run.end = on - DAY
                done.append(run)
            ratio = check.value if r.ratio else None
            r.run = Run(check.rule, on, until, check, check, ratio, ratio)
    done.extend(r.run for r in rules if r.run is not None)
    order = {spec.id: i for i, spec in enumerate(PROFILE_RULES[params.profile])}
    done.sort(key=lambda r: (order[r.rule], r.start))
    return done
