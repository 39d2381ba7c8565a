"""A transfer of shares between two partners (cession de parts): one command, an entry on each
partner's timeline, saved together.

The sender's entry (``direction`` ``out``) and the receiver's (``in``) name each other: the
``counterparty`` (the other partner) and the ``counterpart`` (the version of the other side's
entry in the other partner's stream), so that reversing either side reverses both. The shares
keep their paid-up status: the paid-up euros move with them in proportion (the sender's paid-up
euros times the shares transferred over the shares held, rounded up to the cent, so that neither
side is left with more paid up than its shares are worth). The cooperative's capital does not
change and no refund becomes owed: the ``price`` the receiver pays the sender, when given, is
recorded for the register and stays outside the cooperative's books.

Transferring every share ends the sender's partnership (a ``leave`` entry of cause
``transferred``, its consequence) as a resignation would, the running employment with it when
the statutes say so (loi 78-763 art. 11); no refund is owed for it. The receiver must be a
partner on the date: the approval (agrément) of a transfer is the receiver's admission.

Both timelines go through the strict fold (:mod:`~scop_ledger.domain.transfer_fold`), so a
back-dated transfer that would make a later entry of either partner invalid is refused.

Legal sources: loi 47-1775 art. 11 (transfers need approval), loi 78-763 art. 10-11.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

from eventsourcing.utils import register_topic

from scop_ledger.domain.entries import EntryMeta
from scop_ledger.domain.errors import Refused
from scop_ledger.domain.member import Member, effective_entries
from scop_ledger.domain.member_fold import check_timeline
from scop_ledger.domain.statutes import Terms
from scop_ledger.domain.transfer_fold import TRANSFERRED
from scop_ledger.domain.values import LeaveReason, non_negative_money, share_count
from scop_ledger.i18n import _, day

CENT = Decimal("0.01")


class SharesTransferred(Member.Entry):
    """One side of a transfer of shares between two partners (see the module's docstring):
    ``direction`` is ``out`` on the sender's stream, ``in`` on the receiver's; ``paid`` the
    paid-up euros that move with the shares; ``price`` what the receiver pays the sender, if
    given."""

    TOPIC = "scop-ledger:Member.SharesTransferred"
    ACTION = "transfer"
    direction: str
    counterparty: str
    counterpart: int
    shares: int
    paid: Decimal
    price: Decimal | None


# eventsourcing registers the topics of the events nested in an aggregate's class; this one is
# defined beside it, so its topic is registered here (the domain's package imports this module).
register_topic(SharesTransferred.TOPIC, SharesTransferred)


def transfer(
    sender: Member,
    receiver: Member,
    on: date,
    shares: int,
    terms: Terms,
    meta: EntryMeta,
    price: Decimal | None = None,
) -> None:
    """Record the transfer of ``shares`` shares from ``sender`` to ``receiver`` on ``on``: both
    sides are checked against their whole timelines before either is recorded."""
    shares = share_count(shares)
    price = None if price is None else non_negative_money(price, what="price")
    if sender.person == receiver.person:
        raise Refused(
            _("{person} cannot transfer shares to themselves").format(person=sender.person),
            person=sender.person,
            on=on,
        )
    held = sender.state(terms, until=on)
    if not held.partner:
        message = _("{person} is not a partner on {date}")
        raise Refused(message.format(person=sender.person, date=day(on)), person=sender.person)
    if shares > held.shares:
        message = _("{person} holds {held} shares on {date}: cannot transfer {shares}")
        raise Refused(
            message.format(person=sender.person, held=held.shares, date=day(on), shares=shares),
            person=sender.person,
            on=on,
        )
    paid = (held.paid * shares / held.shares).quantize(CENT, rounding=ROUND_CEILING)
    common = {"on": on, "shares": shares, "paid": paid, "price": price}
    out: dict[str, Any] = {
        **common,
        "direction": "out",
        "counterparty": receiver.person,
        "counterpart": receiver.version + 1,
    }
    drafts: list[tuple[type[Member.Entry], dict[str, Any]]] = [(SharesTransferred, out)]
    if shares == held.shares:
        drafts.append(
            (Member.PartnershipEnded, {"on": on, "cause": TRANSFERRED, "consequence_of": 0})
        )
        if held.employed and terms.leave_ends_employment(LeaveReason.RESIGNATION):
            ended = {"on": on, "reason": LeaveReason.RESIGNATION.value, "consequence_of": 0}
            drafts.append((Member.EmploymentEnded, ended))
    inward = {
        **common,
        "direction": "in",
        "counterparty": sender.person,
        "counterpart": sender.version + 1,
    }
    # Neither side is recorded unless both stand: the receiver's is checked first, then the
    # sender's recorded (checked against its timeline), then the receiver's.
    at = SharesTransferred.create_timestamp()  # one moment of recording for both sides
    _check(receiver, inward, terms, meta, at)
    sender._record(terms, drafts, meta, at)
    receiver._record(terms, [(SharesTransferred, inward)], meta, at)


def _check(
    member: Member, fields: dict[str, Any], terms: Terms, meta: EntryMeta, at: datetime
) -> None:
    """Refuse the entry ``fields`` describe when ``member``'s timeline cannot take it."""
    entry = SharesTransferred(
        originator_id=member.id,
        originator_version=member.version + 1,
        timestamp=at,
        **fields,
        **meta.as_kwargs(),
    )
    check_timeline(member.person, effective_entries(member.log), terms, new=[entry])


def counterpart(member: Member, version: int) -> tuple[str, int] | None:
    """The other side of a transfer entry: (the counterparty, the version of its entry), or
    None when the entry at ``version`` is not a transfer."""
    entry = member.entry(version)
    if not isinstance(entry, SharesTransferred):
        return None
    return entry.counterparty, entry.counterpart


def reverse_transfer(
    member: Member,
    other: Member,
    version: int,
    on: date,
    reason: str,
    terms: Terms,
    meta: EntryMeta,
) -> None:
    """Reverse both sides of the transfer whose entry ``version`` is ``member``'s (and its
    consequences): each timeline without its side must still fold."""
    found = counterpart(member, version)
    assert found is not None
    other_version = found[1]
    mine = member.entry(version)
    theirs = other.entry(other_version)
    if not isinstance(theirs, SharesTransferred) or theirs.counterparty != member.person:
        raise Refused(  # pragma: no cover - both sides are always recorded together
            _("the other side of that transfer is missing from {person}'s entries").format(
                person=other.person
            ),
            person=member.person,
        )
    assert mine is not None
    member.reverse(on, version, reason, terms, meta)
    other.reverse(on, other_version, reason, terms, meta)
