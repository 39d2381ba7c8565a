"""A rule's runs of unchanged status over time, from the facts of each date on which anything can
change (:mod:`~scop_ledger.domain.rules.sweep` gives them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from scop_ledger.domain.rules import evaluate
from scop_ledger.domain.rules.facts import Check, Facts, Params, Status
from scop_ledger.domain.rules.registry import PROFILE_RULES

DAY = timedelta(days=1)


@dataclass(slots=True)
class Run:
    """A rule's unbroken run of one status, from ``start`` to ``end`` (both included):
    ``first`` is the check when it began, ``last`` the check on its last evaluated date (the
    situation on its last day: nothing changes between evaluated dates); for a rule whose value
    is a ratio, the ``lowest`` and ``highest`` value over the run (else None)."""

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


def runs(
    params: Params, facts: Iterable[Facts], until: date, since: date | None = None
) -> list[Run]:
    """Every rule's runs, ordered by rule (the profile's order) then start. With ``since``,
    evaluated from the facts in force on ``since`` on: the runs that begin after it are exact,
    the one running then starts on or before it (a write's warnings need no more)."""
    current: dict[str, Run] = {}
    done: list[Run] = []
    ratios = {spec.id for spec in PROFILE_RULES[params.profile] if spec.ratio}
    for f in _from(facts, since):
        for check in evaluate(f, params):
            run = current.get(check.rule)
            value = check.value if check.rule in ratios else None
            if run is not None and run.first.status is check.status:
                run.last = check
                if value is not None:
                    if run.lowest is None or _less(value, run.lowest):
                        run.lowest = value
                    if run.highest is None or _less(run.highest, value):
                        run.highest = value
                continue
            if run is not None:
                run.end = f.on - DAY
                done.append(run)
            current[check.rule] = Run(check.rule, f.on, until, check, check, value, value)
    done.extend(current.values())
    order = {spec.id: i for i, spec in enumerate(PROFILE_RULES[params.profile])}
    done.sort(key=lambda r: (order[r.rule], r.start))
    return done
