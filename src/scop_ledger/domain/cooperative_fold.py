"""The fold of a cooperative's timeline: a :class:`CoopState` from its registration and its
effective entries, one handler per kind of entry, each with its guards.

The entries are the :class:`~scop_ledger.domain.cooperative.Cooperative` aggregate's events;
this module sits below it (the aggregate validates its commands by folding), so it reads them by
their ``ACTION``, the name of their kind, and their fields.

Legal sources: seed 003 (legal forms, change of form at any time, mandates, reviews, surplus).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from scop_ledger.domain.dates import add_years
from scop_ledger.domain.entries import UnfoldableEntry
from scop_ledger.domain.errors import InvalidValue, Refused
from scop_ledger.domain.statutes import Statutes
from scop_ledger.domain.values import (
    MAX_YEAR,
    MIN_YEAR,
    LegalForm,
    Office,
    non_negative_money,
    parse_money,
    show,
)
from scop_ledger.domain.words import label
from scop_ledger.i18n import _, day, money


class CoopEntry(Protocol):
    """What the fold reads of every cooperative entry (``Cooperative.Entry``)."""

    ACTION: ClassVar[str]

    @property
    def on(self) -> date: ...

    @property
    def originator_version(self) -> int: ...


@dataclass
class Mandate:
    """A management mandate; it ends at ``ended_on`` or at its term, whichever comes first."""

    version: int
    person: str
    office: Office
    start: date
    term_years: int
    ended_on: date | None = None

    @property
    def term_end(self) -> date:
        return add_years(self.start, self.term_years)

    def running_on(self, on: date) -> bool:
        end = self.term_end if self.ended_on is None else min(self.ended_on, self.term_end)
        return self.start <= on < end


@dataclass(frozen=True)
class Review:
    version: int
    on: date
    reviewer: str
    reservations: str | None


@dataclass(frozen=True)
class Allocation:
    version: int
    on: date
    year: int
    surplus: Decimal
    legal_reserve: Decimal
    development_fund: Decimal
    employees: Decimal
    dividends: Decimal
    # The net asset value per share of the approved accounts (be-cnc's refund limit when there
    # are losses: CSA 6:120 §1), None when the entry does not give it.
    net_asset_value_per_share: Decimal | None = None


@dataclass
class CoopState:
    """A cooperative's state after some entries: the result of :func:`replay_cooperative`."""

    slug: str
    name: str
    registered_on: date
    statutes: Statutes
    legal_form: LegalForm
    forms: list[tuple[date, LegalForm]] = field(default_factory=list)
    mandates: list[Mandate] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    allocations: dict[int, Allocation] = field(default_factory=dict)
    # The changes of the share's nominal value: (date, new value), in effective order.
    share_values: list[tuple[date, Decimal]] = field(default_factory=list)

    def share_value_on(self, on: date) -> Decimal:
        """The share's nominal value in force on ``on``."""
        value = self.statutes.share_value
        for since, new in self.share_values:
            if since <= on:
                value = new
        return value

    def running_mandates(self, on: date) -> list[Mandate]:
        return [m for m in self.mandates if m.running_on(on)]


class CoopTimelineError(Refused):
    def __init__(self, entry: CoopEntry, message: str, person: str | None = None) -> None:
        super().__init__(message, person=person, on=entry.on)
        self.entry = entry


def replay_cooperative(
    registration: Any, entries: Sequence[CoopEntry], *, strict: bool = True
) -> CoopState:
    """Fold effective entries into a :class:`CoopState`; when ``strict``, the first entry that
    cannot stand raises :class:`CoopTimelineError` (a change to the form already in force, a
    mandate ended that is not running, a second appointment to a running office, a second
    allocation for the same year). ``registration`` is the ``Cooperative.Registered`` entry."""
    reg = registration
    form = LegalForm(reg.legal_form)
    s = CoopState(
        slug=reg.slug,
        name=reg.name,
        registered_on=reg.on,
        statutes=Statutes.of(reg),
        legal_form=form,
        forms=[(reg.on, form)],
    )
    fold = _CoopFold(s, strict)
    for e in sorted(entries, key=lambda e: (e.on, e.originator_version)):
        try:
            handler = HANDLERS[e.ACTION]
        except (KeyError, AttributeError):
            raise UnfoldableEntry(f"no fold handler for {type(e).__name__}") from None
        handler(fold, e)
    return s


class _CoopFold:
    """One pass of :func:`replay_cooperative`: the state being built and its handlers."""

    def __init__(self, state: CoopState, strict: bool) -> None:
        self.state = state
        self.strict = strict

    def _fail(self, entry: CoopEntry, message: str, person: str | None = None) -> None:
        if self.strict:
            raise CoopTimelineError(entry, message, person)

    def _registered(self, e: Any) -> None:
        """The registration is the fold's start, not a step."""

    def _form_changed(self, e: Any) -> None:
        s = self.state
        new = LegalForm(e.legal_form)
        if new is s.legal_form:
            self._fail(
                e,
                _("the cooperative is already a {form} on {date}").format(
                    form=new.value.upper(), date=day(e.on)
                ),
            )
        s.legal_form = new
        s.forms.append((e.on, new))

    def _share_value_changed(self, e: Any) -> None:
        s = self.state
        if e.share_value == s.share_value_on(e.on):
            self._fail(
                e,
                _("the share value is already {value} euros on {date}: nothing to change").format(
                    value=money(e.share_value), date=day(e.on)
                ),
            )
        s.share_values.append((e.on, e.share_value))

    def _appointed(self, e: Any) -> None:
        s = self.state
        office = Office(e.office)
        if any(m.person == e.person and m.office is office for m in s.running_mandates(e.on)):
            self._fail(
                e,
                _("{person} already holds a running {office} mandate on {date}").format(
                    person=e.person, office=label(office), date=day(e.on)
                ),
                e.person,
            )
        s.mandates.append(Mandate(e.originator_version, e.person, office, e.on, e.term_years))

    def _mandate_ended(self, e: Any) -> None:
        office = Office(e.office)
        running = [
            m
            for m in self.state.running_mandates(e.on)
            if m.person == e.person and m.office is office and m.start <= e.on
        ]
        if not running:
            self._fail(
                e,
                _("{person} holds no running {office} mandate on {date}").format(
                    person=e.person, office=label(office), date=day(e.on)
                ),
                e.person,
            )
        for m in running:
            m.ended_on = e.on

    def _reviewed(self, e: Any) -> None:
        self.state.reviews.append(Review(e.originator_version, e.on, e.reviewer, e.reservations))

    def _allocated(self, e: Any) -> None:
        s = self.state
        if e.year in s.allocations:
            self._fail(e, _("the surplus of {year} is already allocated").format(year=e.year))
        s.allocations[e.year] = Allocation(
            e.originator_version,
            e.on,
            e.year,
            e.surplus,
            e.legal_reserve,
            e.development_fund,
            e.employees,
            e.dividends,
            e.net_asset_value_per_share,
        )


#: The fold's handler of each kind of effective entry, by the entry's ``ACTION``.
HANDLERS: dict[str, Callable[[_CoopFold, Any], None]] = {
    "init": _CoopFold._registered,
    "change-form": _CoopFold._form_changed,
    "change-share-value": _CoopFold._share_value_changed,
    "appoint": _CoopFold._appointed,
    "end-mandate": _CoopFold._mandate_ended,
    "review": _CoopFold._reviewed,
    "allocate": _CoopFold._allocated,
}


def allocation_fields(
    year: int,
    surplus: Decimal,
    parts: dict[str, Decimal],
    net_asset_value_per_share: Decimal | None,
) -> dict[str, Any]:
    """An allocation's fields, checked: its year, surplus, parts (by field name) and the net
    asset value per share of the approved accounts (or None); impossible values refused."""
    fields: dict[str, Any] = {
        name: non_negative_money(amount, what=PART_NAMES[name]) for name, amount in parts.items()
    }
    fields["surplus"] = parse_money(surplus, what="surplus")
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue(
            _("year {year} is not from {first} to {last}").format(
                year=show(year), first=MIN_YEAR, last=MAX_YEAR
            )
        )
    fields["year"] = year
    fields["net_asset_value_per_share"] = (
        None
        if net_asset_value_per_share is None
        else non_negative_money(net_asset_value_per_share, what="net asset value per share")
    )
    return fields


#: An allocation's parts: field name -> how a message names it.
PART_NAMES = {
    "legal_reserve": "legal reserve",
    "development_fund": "development fund",
    "employees": "employee share",
    "dividends": "dividends",
}
