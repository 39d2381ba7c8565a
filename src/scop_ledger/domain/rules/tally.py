"""The rules' facts from each date's change of the totals, rather than from every member row
(:func:`~scop_ledger.domain.rules.sweep.facts_over`, which stays the oracle's way).

The partners, their shares and the paid-up capital move by sums the view keeps per state row
(readmodel/deltas.py): added up by date, they give the totals on each date without a row per
entry. The people the facts name or follow one by one come as rows, in the sweep's order (date,
then entry): every row where a person's refunds change or a person starts or stops being a
partner with no share, every row of a mandate holder, and every row up to the first date (the
founders). Between two of a person's rows given, their refunds do not change, so the exits,
the refunds falling due and those paid above their cap are those the full sweep finds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from scop_ledger.domain.cooperative_fold import CoopState
from scop_ledger.domain.rules.facts import (
    NOBODY,
    Facts,
    NetAssetValues,
    Params,
    net_asset_values,
)
from scop_ledger.domain.rules.sweep import (
    MemberRow,
    _Governance,
    _Roll,
    _Wakes,
    stepped,
)

CENT = Decimal("0.01")
# A date's change of the totals: (date, employee partners, external partners, employee
# partners' shares, external partners' shares, paid-up cents).
DayChange = tuple[date, int, int, int, int, int]


def facts_from_changes(
    params: Params,
    coop: CoopState,
    days: Iterable[DayChange],
    rows: Iterable[MemberRow],
    until: date,
    since: date | None = None,
) -> Iterator[Facts]:
    """The facts :func:`~scop_ledger.domain.rules.sweep.facts_over` gives, from ``days`` (each
    date with a member row up to ``until``, in order, and its change of the totals) and
    ``rows`` (the rows of the people followed, see the module's docstring; their dates are
    among ``days``'); with ``since``, only those dated from it on."""
    wakes = _Wakes(until)
    governance = _Governance(params, coop, wakes)
    tally = _Tally(params, days, rows, net_asset_values(coop))
    return stepped(wakes, governance, tally, since)


class _Tally(_Roll):
    """The running totals stepped by each date's change; the people followed by their rows."""

    def __init__(
        self,
        params: Params,
        days: Iterable[DayChange],
        rows: Iterable[MemberRow],
        navs: NetAssetValues,
    ) -> None:
        super().__init__(params, rows, navs)  # ``pending``: the next row of a person followed
        self.days = iter(days)
        self.day = next(self.days, None)  # the next date's change
        self.paid_cents = 0

    def head(self) -> date | None:
        """The next date with a change (the followed rows' dates are among them)."""
        return None if self.day is None else self.day[0]

    def take(self, d: date, wakes: _Wakes) -> set[str]:
        """Apply the change of date ``d`` and the rows of ``d``; the persons these change. A
        refund still owed wakes its person the day after it falls due."""
        changed: set[str] = set()
        day = self.day
        if day is None or day[0] != d:
            return changed
        self.employees += day[1]
        self.externals += day[2]
        self.employee_shares += day[3]
        self.external_shares += day[4]
        if day[5] or not self.paid_cents:
            self.paid_cents += day[5]
            self.paid = Decimal(self.paid_cents) * CENT
        self.day = next(self.days, None)
        holdings = self.holdings
        row = self.pending
        shareless: set[str] | None = None
        while row is not None and row[0] == d:
            _, person, h = row
            old = holdings.get(person, NOBODY)
            now = self.shareless if shareless is None else shareless
            if (h.partner and not h.shares) != (person in now):
                shareless = set(self.shareless) if shareless is None else shareless
                if h.partner and not h.shares:
                    shareless.add(person)
                else:
                    shareless.discard(person)
            if h.refunds != old.refunds:
                self.refunds_changed(person, old, h, d, wakes)
            holdings[person] = h
            changed.add(person)
            row = next(self.rows, None)
        self.pending = row
        if shareless is not None:
            self.shareless = tuple(sorted(shareless))
        return changed
