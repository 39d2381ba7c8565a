"""A member's state after some entries (:func:`~scop_ledger.domain.member_fold.replay`), and the
refunds owed to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from scop_ledger.domain.values import ZERO, Category, partner_category


@dataclass
class Refund:
    """A refund owed after an exit or a partial withdrawal."""

    version: int
    since: date
    cause: str
    amount: Decimal
    partial: bool
    shares: int  # the shares cancelled (be-cnc's cap with losses: CSA 6:120)
    paid: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


@dataclass
class MemberState:
    """A member's state after some entries: the result of :func:`replay`."""

    person: str
    name: str | None = None
    legal_person: bool = False
    deceased_on: date | None = None
    employed: bool = False
    employed_since: date | None = None
    partner: bool = False
    partner_since: date | None = None
    shares: int = 0
    paid: Decimal = ZERO
    refunds: list[Refund] = field(default_factory=list)

    @property
    def category(self) -> Category | None:
        """Employee partner while a partner with a running employment contract, else external."""
        return partner_category(self.partner, self.employed)

    @property
    def refund_outstanding(self) -> Decimal:
        return sum((r.outstanding for r in self.refunds), ZERO)
