"""The statutes' parameters (:class:`Statutes`) and their defaults, defined once: the command
models, the CLI's ``init`` options, the aggregate and the views all take them from here; and
what a member's timeline needs of them (:class:`Terms`).

Light on purpose (no eventsourcing, no SQLAlchemy): the CLI reads the defaults for ``--help``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import LeaveReason, Profile, share_value, show
from scop_ledger.i18n import N_, _, day

Cap = TypeVar("Cap")

# The defaults ``init`` applies when an option is not given.
PROFILE = Profile.FR_SCOP
REFUND_DELAY_YEARS = 5
REVIEW_EVERY_YEARS = 5
FISCAL_YEAR_END = "12-31"
# External partners' ceiling of the votes: 0.35, or 0.49 when some are cooperative
# societies (loi 47-1775 art. 3 bis).
EXTERNAL_VOTE_CAP = Decimal("0.35")
# A SARL needs a supervisory board from this many partners (seed: "from 20").
SUPERVISORY_BOARD_FROM = 20

# The bounds the CLI's options state (docs/concepts.md).
REFUND_DELAY_RANGE = (0, 50)
REVIEW_EVERY_RANGE = (1, 50)
SUPERVISORY_BOARD_RANGE = (2, 1000)


def parse_fiscal_year_end(text: str) -> str:
    """``MM-DD``, a real day of a non-leap year (the financial year's last day)."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{2}-[0-9]{2}", text):
        raise InvalidValue(_("fiscal year end {value} is not MM-DD").format(value=show(text)))
    month, day = int(text[:2]), int(text[3:])
    try:
        date(2001, month, day)
    except ValueError:
        raise InvalidValue(
            _("fiscal year end {value} is not a day of the year").format(value=repr(text))
        ) from None
    return text


def thresholds_apply(profile: str, scop_thresholds: bool | None) -> bool:
    """Whether the 51% / 65% thresholds and vote weighting apply: always on for fr-scop; a
    statutes opt-in for be-cnc (RULES.md). ``scop_thresholds`` None: the profile's default."""
    if scop_thresholds is None:
        return profile == Profile.FR_SCOP
    return scop_thresholds


def vote_cap(profile: str, scop_thresholds: bool | None, cap: Cap) -> Cap | None:
    """The external partners' vote ceiling that applies, or None when votes are not weighted
    (be-cnc without the Scop thresholds in its statutes)."""
    return cap if thresholds_apply(profile, scop_thresholds) else None


@dataclass(frozen=True)
class Statutes:
    """The statutes' parameters given to ``init``."""

    share_value: Decimal
    profile: Profile = PROFILE
    refund_delay_years: int = REFUND_DELAY_YEARS
    boot_until: date | None = None
    review_every_years: int = REVIEW_EVERY_YEARS
    fiscal_year_end: str = FISCAL_YEAR_END
    # The Scop thresholds (see :func:`thresholds_apply`). None: the profile's default.
    scop_thresholds: bool | None = None
    external_vote_cap: Decimal = EXTERNAL_VOTE_CAP
    supervisory_board_from: int = SUPERVISORY_BOARD_FROM

    @classmethod
    def of(cls, record: Any) -> Statutes:
        """The statutes that ``record`` carries under their own names (a registration entry,
        an ``init`` command); its profile may be the profile's name."""
        found = {f.name: getattr(record, f.name) for f in fields(cls)}
        found["profile"] = Profile(found["profile"])
        return cls(**found)

    def as_fields(self) -> dict[str, Any]:
        """The statutes as a registration entry records them (the profile by its name)."""
        found = {f.name: getattr(self, f.name) for f in fields(self)}
        found["profile"] = self.profile.value
        return found

    def check(self, on: date) -> None:
        """Refuse statutes out of their bounds (``on``: the registration date)."""
        share_value(self.share_value)
        for what, years, (low, high) in (
            (N_("refund delay"), self.refund_delay_years, REFUND_DELAY_RANGE),
            (N_("review interval"), self.review_every_years, REVIEW_EVERY_RANGE),
        ):
            if not low <= years <= high:
                raise InvalidValue(
                    _("{what} of {years} years is out of range").format(what=_(what), years=years)
                )
        if self.boot_until is not None and self.boot_until < on:
            raise InvalidValue(
                _("boot-until {date} is before registration on {registered}").format(
                    date=day(self.boot_until), registered=day(on)
                )
            )
        parse_fiscal_year_end(self.fiscal_year_end)
        cap = self.external_vote_cap
        if not isinstance(cap, Decimal) or not Decimal(0) < cap < Decimal(1):
            raise InvalidValue(
                _("external vote cap {cap} is not a fraction between 0 and 1").format(cap=cap)
            )
        low, high = SUPERVISORY_BOARD_RANGE
        if not low <= self.supervisory_board_from <= high:
            raise InvalidValue(
                _("supervisory board threshold of {partners} partners is out of range").format(
                    partners=self.supervisory_board_from
                )
            )

    @property
    def thresholds(self) -> bool:
        """Whether the 51% / 65% thresholds and vote weighting apply."""
        return thresholds_apply(self.profile, self.scop_thresholds)


@dataclass(frozen=True)
class Terms:
    """What a member's timeline needs to know of its cooperative's statutes."""

    share_value: Decimal
    registered_on: date
    resignation_ends_employment: bool = True
    # The changes of the share's nominal value (``change-share-value``), by date then order
    # recorded: (effective date, new value). A change applies from the start of its date.
    share_values: tuple[tuple[date, Decimal], ...] = ()

    @classmethod
    def of(cls, registration: Any, share_values: Any = ()) -> Terms:
        """The terms a cooperative's registration sets: its share value and its date; and
        the later changes of the share value, if any."""
        return cls(
            share_value=registration.share_value,
            registered_on=registration.on,
            share_values=tuple(share_values),
        )

    def until(self, on: date) -> Terms:
        """These terms without the share value changes dated after ``on`` (a state as of
        ``on`` is in the shares of the value then in force)."""
        kept = tuple(c for c in self.share_values if c[0] <= on)
        return self if len(kept) == len(self.share_values) else replace(self, share_values=kept)

    def value_on(self, on: date) -> Decimal:
        """The share's nominal value in force on ``on`` (a change counts from its date)."""
        value = self.share_value
        for since, new in self.share_values:
            if since > on:
                break
            value = new
        return value

    def leave_ends_employment(self, reason: LeaveReason) -> bool:
        """Whether leaving the partnership for ``reason`` also ends a running employment:
        death always, resignation when the statutes say so, exclusion never."""
        if reason is LeaveReason.DEATH:
            return True
        return reason is LeaveReason.RESIGNATION and self.resignation_ends_employment
