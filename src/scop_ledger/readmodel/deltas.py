"""The columns of a state row (``rm_states``) that say what it changes in its cooperative's
totals against the member's row before it: written by :meth:`Applier.state_row
<scop_ledger.readmodel.applier.Applier.state_row>` on every path (the projector, a back-dated
entry's or a reversal's recomputed rows, a share value change's conversions, the rebuild on
several processes), summed by date by :mod:`scop_ledger.readmodel.tallies`; and the register's
movements it makes (``moves``, ``merge_seq``: :func:`moves`), summed by date by
:mod:`scop_ledger.readmodel.paging`.

A row's predecessor is the member's row just before it by (on_date, version) among the rows
then known. Rows are only ever appended after the member's last one, or closed from a point on
and written anew from there (readmodel/applier.py): a row's predecessor therefore stays its
predecessor for as long as the row is known, and in every knowledge the deltas of a member's
rows add up to its last row's contribution.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from scop_ledger.readmodel.refunds import RefundValues

# Of a state row, what its deltas are taken from: (employed, partner, shares, paid cents,
# refunds JSON or None, refunded cents: the refunds' paid amounts summed).
Contribution = tuple[bool, bool, int, int, str | None, int]
NOTHING: Contribution = (False, False, 0, 0, None, 0)
# A member's category change that a loss of status may merge with (register.planned): its
# date as stored and its sequence, while it is the member's last movement on that date.
Pending = tuple[Any, int] | None

# The kinds of movement :func:`moves` tells apart (the merge's two halves), else none.
CATEGORY_CHANGE, LOSS_OF_STATUS = 1, 2

LAST_ROW_SQL = """
SELECT employed, partner, shares, paid_cents, refunds, on_date, seq, moves, merge_seq
FROM rm_states
WHERE mid = :mid AND known_to IS NULL ORDER BY on_date DESC, version DESC LIMIT 1
"""


def last_row(conn: Connection, mid: int) -> tuple[Contribution, Pending]:
    """What the member's last row still known holds (NOTHING: no row), and the category
    change a loss of status on its date would merge with."""
    found = conn.execute(text(LAST_ROW_SQL), {"mid": mid}).first()
    if found is None:
        return NOTHING, None
    employed, partner, shares, paid, refunds, on, seq, count, merge_seq = found
    held = (bool(employed), bool(partner), int(shares), int(paid), refunds, refunded(refunds))
    if merge_seq is None or (count and int(merge_seq) != int(seq)):
        return held, None
    return held, (on, int(merge_seq))


def refunded(refunds: str | None) -> int:
    """The cents paid back over a row's refunds (its JSON, :func:`refunds_json`)."""
    return sum(int(r[5]) for r in json.loads(refunds)) if refunds else 0


def moves(prior: Contribution, now: Contribution, action: str) -> tuple[int, int]:
    """How many movements of the register a row makes against its predecessor (0, 1 or 2,
    before any merge: :func:`~scop_ledger.readmodel.register.change` and ``planned``), and
    whether the first is a category change or a loss of status (else 0)."""
    employed, partner, shares, paid, _refunds, paid_back = now
    was_employed, was_partner, had, was_paid, _had_refunds, was_paid_back = prior
    # A second movement ("paid"): money paid in other than by a pay-up.
    extra = 1 if paid != was_paid and action != "pay-up" else 0
    if partner != was_partner:
        return 1 + (1 if paid != was_paid else 0), 0 if partner else LOSS_OF_STATUS
    if shares != had or paid != was_paid or paid_back != was_paid_back:
        return 1 + extra, 0
    if partner and employed != was_employed:
        return 1, CATEGORY_CHANGE
    return 0, 0


def moved(member: Any, now: Contribution, action: str, on: Any, seq: int) -> tuple[int, Any]:
    """A row's ``moves`` and ``merge_seq`` (:func:`moves`, :func:`merging`) after the member's
    last row (``member.prior``); the member's pending category change moves on."""
    count, kind = moves(member.prior, now, action)
    merge_seq, member.pending = merging(member.pending, on, seq, count, kind)
    return count, merge_seq


def merging(pending: Pending, on: Any, seq: int, count: int, kind: int) -> tuple[Any, Pending]:
    """A row's ``merge_seq`` (the category change a loss of status may merge with: on that
    change's row, on the member's rows without movement after it on its date, and on the
    loss of status right after it), and the member's pending change after the row."""
    if kind == CATEGORY_CHANGE:
        return seq, (on, seq)
    same_day = pending is not None and pending[0] == on
    if count == 0:
        return (pending[1], pending) if same_day and pending is not None else (None, None)
    if kind == LOSS_OF_STATUS and same_day and pending is not None:
        return pending[1], None
    return None, None


def deltas(prior: Contribution, now: Contribution) -> tuple[int, int, int, int, int, int]:
    """A row's change of the totals against its predecessor's (the columns d_employees,
    d_externals, d_employee_shares, d_external_shares, d_paid_cents, marks)."""
    employed, partner, shares, paid, refunds, _ = now
    was_employed, was_partner, had, was_paid, had_refunds, _ = prior
    d_employees = d_externals = d_employee_shares = d_external_shares = 0
    if was_partner:
        if was_employed:
            d_employees, d_employee_shares = -1, -had
        else:
            d_externals, d_external_shares = -1, -had
    if partner:
        if employed:
            d_employees += 1
            d_employee_shares += shares
        else:
            d_externals += 1
            d_external_shares += shares
    marks = 0 if refunds == had_refunds else 1
    if (partner and not shares) != (was_partner and not had):
        marks |= 2
    return (
        d_employees,
        d_externals,
        d_employee_shares,
        d_external_shares,
        paid - was_paid,
        marks,
    )


def refunds_json(member: Any, values: RefundValues) -> str | None:
    """A state row's refunds as JSON: [[version, since, cause, amount_cents, partial,
    paid_cents, shares], …], made once for each change of the person's refunds (most entries
    leave them as they were: the member cache keeps the last)."""
    if not values:
        return None
    last = member.refunds_json
    if last is not None and last[0] == values:
        return str(last[1])
    found = json.dumps(
        [
            [v, since if type(since) is str else since.isoformat(), c, a, p, paid, n]
            for v, since, c, a, p, paid, n in values
        ]
    )
    member.refunds_json = (values, found)
    return found
