"""The columns of a state row (``rm_states``) that say what it changes in its cooperative's
totals against the member's row before it: written by :meth:`Applier.state_row
<scop_ledger.readmodel.applier.Applier.state_row>` on every path (the projector, a back-dated
entry's or a reversal's recomputed rows, a share value change's conversions, the rebuild on
several processes), summed by date by :mod:`scop_ledger.readmodel.tallies`.

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
# refunds JSON or None).
Contribution = tuple[bool, bool, int, int, str | None]
NOTHING: Contribution = (False, False, 0, 0, None)

LAST_ROW_SQL = """
SELECT employed, partner, shares, paid_cents, refunds FROM rm_states
WHERE mid = :mid AND known_to IS NULL ORDER BY on_date DESC, version DESC LIMIT 1
"""


def last_row(conn: Connection, mid: int) -> Contribution:
    """What the member's last row still known holds (NOTHING: no row)."""
    found = conn.execute(text(LAST_ROW_SQL), {"mid": mid}).first()
    if found is None:
        return NOTHING
    employed, partner, shares, paid, refunds = found
    return (bool(employed), bool(partner), int(shares), int(paid), refunds)


def deltas(prior: Contribution, now: Contribution) -> tuple[int, int, int, int, int, int]:
    """A row's change of the totals against its predecessor's (the columns d_employees,
    d_externals, d_employee_shares, d_external_shares, d_paid_cents, marks)."""
    employed, partner, shares, paid, refunds = now
    was_employed, was_partner, had, was_paid, had_refunds = prior
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
