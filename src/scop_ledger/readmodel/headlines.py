"""Each cooperative's headline figures as of a date (``coops``), kept between questions.

A federation's store holds thousands of cooperatives; ``coops --as-of D`` asks each one its
capital, votes and compliance, and compliance sweeps the cooperative's whole history. The
answer of one cooperative as of D, as known now, changes only with an entry of its own: each
row is kept in ``rm_headlines`` with the view's position when it was computed, and is reused
while the view holds no entry of that cooperative after that position (``rm_entries``: every
entry the view applied, back-dated ones and reversals included, is a new row there). An entry
the view could not hold (``rm_unviewable``) after it, or other code (the key hashes the
source of the read model and the rules), and every row is computed again.

Questions as known at a past moment (``--known-at``) are not kept: they are answered afresh.
The table is not a view table (a rebuild replays the same entries at the same positions, and
the rows stay right); a read-only store reads the rows a writable one kept, and keeps none.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from scop_ledger.readmodel.kept import code_key, entries_since
from scop_ledger.readmodel.kept import keep_apart as kept_apart
from scop_ledger.readmodel.kept import position as position
from scop_ledger.store.db import DB

__all__ = ["code_key", "coop_ids", "headline", "keep", "keep_apart", "kept", "position"]

if TYPE_CHECKING:
    from scop_ledger.readmodel.compliance import Compliance
    from scop_ledger.readmodel.queries import Capital, Votes
    from scop_ledger.readmodel.snapshot import Snapshot

TABLE = "rm_headlines"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (cid INTEGER NOT NULL, as_of VARCHAR(10) NOT NULL, "
    "code VARCHAR(64) NOT NULL, position BIGINT NOT NULL, answer TEXT NOT NULL, "
    "PRIMARY KEY (cid, as_of, code))"
)
UPSERT = (
    f"INSERT INTO {TABLE} (cid, as_of, code, position, answer) "
    "VALUES (:cid, :as_of, :code, :position, :answer) ON CONFLICT (cid, as_of, code) "
    "DO UPDATE SET position = excluded.position, answer = excluded.answer"
)
# The figures held as Decimal (JSON keeps them as strings).
DECIMALS = ("capital", "employee_capital_ratio", "employee_vote_ratio")


def coop_ids(db: DB) -> dict[str, int]:
    """Each cooperative's view id, by slug."""
    return {str(slug): int(cid) for cid, slug in db.rows("SELECT cid, slug FROM rm_coops")}


def kept(db: DB, as_of: date) -> dict[int, dict[str, Any]]:
    """The rows kept as of ``as_of`` that still hold, by cooperative id."""
    if not db.has_table(TABLE):
        return {}
    rows = db.rows(
        f"SELECT cid, position, answer FROM {TABLE} WHERE as_of = :d AND code = :k",
        {"d": as_of.isoformat(), "k": code_key()},
    )
    if not rows:
        return {}
    low = min(int(r[1]) for r in rows)
    since = entries_since(db, low)
    if since is None:
        return {}
    out = {}
    for cid, at, answer in rows:
        if int(since.get(cid, 0)) <= int(at):
            out[int(cid)] = _loaded(str(answer))
    return out


def keep(db: DB, as_of: date, at: int, answers: list[tuple[int, dict[str, Any]]]) -> None:
    """Keep these rows, computed when the view stood at ``at``, on a writable connection."""
    if not db.has_table(TABLE):
        db.write(DDL, [])
    code = code_key()
    db.write(
        UPSERT,
        [
            {
                "cid": cid,
                "as_of": as_of.isoformat(),
                "code": code,
                "position": at,
                "answer": json.dumps(answer, default=str),
            }
            for cid, answer in answers
        ],
    )


def _loaded(text: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(text)
    for key in DECIMALS:
        if answer.get(key) is not None:
            answer[key] = Decimal(answer[key])
    return answer


def headline(s: Snapshot, cap: Capital, vote: Votes, verdict: Compliance) -> dict[str, Any]:
    """One cooperative's row of ``coops``: its snapshot, capital, votes and compliance."""
    return {
        "coop": s.coop.slug,
        "name": s.coop.name,
        "legal_form": s.coop.legal_form,
        "profile": s.coop.profile,
        "jobs": sum(1 for m in s.members if m.employed),
        "partners": len(s.partners),
        "capital": cap.amount,
        "employee_capital_ratio": cap.employees.ratio,
        "employee_vote_ratio": vote.employees.ratio,
        "compliant": verdict.compliant,
        "breaches": [c.rule for c in verdict.checks if c.status == "breach"],
    }


def keep_apart(url: str, as_of: date, at: int, rows: list[tuple[int, dict[str, Any]]]) -> None:
    """Keep the rows just computed, on a writable connection of their own
    (:func:`~scop_ledger.readmodel.kept.keep_apart`)."""
    kept_apart(url, lambda db: keep(db, as_of, at, rows))
