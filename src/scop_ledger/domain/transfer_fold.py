"""The fold of a transfer of shares between two partners (cession de parts): the handler of the
``transfer`` entries of :mod:`~scop_ledger.domain.member_fold`, one side of the transfer each.

A transfer is two entries, one on each partner's timeline (see
:mod:`~scop_ledger.domain.transfer`): ``direction`` ``out`` on the sender's, ``in`` on the
receiver's. The shares move with their paid-up euros (``paid``, fixed when the transfer was
recorded); the cooperative's capital does not change and no refund becomes owed. The sender's
side that takes every share ends the partnership: its consequence, a ``leave`` entry of cause
:data:`TRANSFERRED`, must be on the timeline.

This module sits below the member fold (which imports it), so it reads the fold through the
guards it names (``state``, ``terms``, ``_fail``, ``_partner``, ``_alive``, ``_unrecorded``).

Legal sources: loi 47-1775 art. 11 (a transfer of shares needs the approval of the general
meeting or of the managers: the receiver's admission); loi 78-763 art. 10-11.
"""

from __future__ import annotations

from typing import Any

from scop_ledger.i18n import _, day, money

#: The cause of a partnership ended by transferring every share (the ``leave`` entry's).
TRANSFERRED = "transferred"


def transferred(fold: Any, e: Any) -> None:
    """One side of a transfer: the sender's (``out``) or the receiver's (``in``)."""
    if e.direction == "out":
        _sent(fold, e)
    else:
        _received(fold, e)


def ended_by_transfer(fold: Any, e: Any) -> bool:
    """Whether the partnership end ``e`` is a transfer's of every share (then no refund is
    owed); such an end finds no share left: a share received later would be lost with it."""
    if e.cause != TRANSFERRED:
        return False
    if fold.state.shares:
        fold._fail(
            e,
            _(
                "{person} would still hold {shares} shares when transferring every share ended "
                "the partnership on {date}"
            ).format(person=fold.person, shares=fold.state.shares, date=day(e.on)),
        )
    return True


def _sent(fold: Any, e: Any) -> None:
    s = fold.state
    if fold._partner(e) and e.shares > s.shares:
        fold._fail(
            e,
            _("{person} holds {held} shares on {date}: cannot transfer {shares}").format(
                person=fold.person, held=s.shares, date=day(e.on), shares=e.shares
            ),
        )
    if e.shares >= s.shares and fold._unrecorded(e):
        fold._fail(
            e,
            _(
                "{person} would transfer every share on {date}, which ends the partnership, "
                "and the ledger does not show it"
            ).format(person=fold.person, date=day(e.on)),
        )
    kept_value = fold.terms.share_value * (s.shares - e.shares)
    if e.paid > s.paid or s.paid - e.paid > kept_value:
        fold._fail(
            e,
            _(
                "{person} has {paid} paid up on {date}: the {shares} shares cannot take "
                "{moved} of it"
            ).format(
                person=fold.person,
                paid=money(s.paid),
                date=day(e.on),
                shares=e.shares,
                moved=money(e.paid),
            ),
        )
    s.shares -= e.shares
    s.paid -= e.paid


def _received(fold: Any, e: Any) -> None:
    s = fold.state
    fold._alive(e)
    if not s.partner:
        fold._fail(
            e,
            _(
                "{person} is not a partner on {date}: admit them first (the approval of a "
                "transfer is the receiver's admission)"
            ).format(person=fold.person, date=day(e.on)),
        )
    s.shares += e.shares
    s.paid += e.paid
