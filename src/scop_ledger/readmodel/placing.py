"""How many movements of the register each date has (readmodel/paging.py places a page with
them), and those counts kept between questions.

Each state row keeps how many movements it makes against the member's row before it
(``moves``, readmodel/deltas.py): summed by date over the covering index ``rm_states_coop``,
less the losses of status that merge with the category change before them (found in SQL among
the few rows with a ``merge_seq``), they give each date's movements. The counts do not depend
on the date the register is asked as of (it only cuts them), but the sum reads every state row
of the cooperative: as known now, they are kept in ``rm_register_days`` with the view's position
when they were computed, and reused while the view holds no entry of that cooperative after
that position (as ``rm_headlines`` is: readmodel/headlines.py), for any moment of knowledge from
the one they were computed at on; a process also holds the last ones it made or read (a
read-only server keeps none in the store). Questions as known at an earlier moment are answered
afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from scop_ledger.readmodel.kept import Held, code_key, position
from scop_ledger.readmodel.kept import holds as still_holds
from scop_ledger.readmodel.kept import keep_apart as kept_apart
from scop_ledger.readmodel.times import micros
from scop_ledger.store.db import DB, as_date

KNOWN = "{0}.known_from <= :t AND ({0}.known_to IS NULL OR {0}.known_to > :t)"

# How many movements each date has before any merge (the covering index ``rm_states_coop``).
DAYS_SQL = f"""
SELECT s.on_date, SUM(s.moves) FROM rm_states s
WHERE s.cid = :cid AND {KNOWN.format("s")}
GROUP BY s.on_date HAVING SUM(s.moves) > 0 ORDER BY s.on_date
"""

# By date, the losses of status that merge with the member's category change before them: no
# movement of the register between the two (register.planned; the other rows of the member
# between them make none, deltas.merging).
MERGES_SQL = f"""
SELECT l.on_date, COUNT(*) FROM rm_states l
WHERE l.cid = :cid AND l.merge_seq IS NOT NULL AND l.merge_seq < l.seq AND l.moves > 0
  AND {KNOWN.format("l")}
  AND NOT EXISTS (
    SELECT 1 FROM rm_states o
    WHERE o.cid = :cid AND o.on_date = l.on_date AND o.seq > l.merge_seq AND o.seq < l.seq
      AND o.version > 0 AND o.moves > 0 AND {KNOWN.format("o")})
GROUP BY l.on_date
"""

TABLE = "rm_register_days"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (cid INTEGER NOT NULL, code VARCHAR(64) NOT NULL, "
    "position BIGINT NOT NULL, known BIGINT NOT NULL, days TEXT NOT NULL, "
    "PRIMARY KEY (cid, code))"
)
UPSERT = (
    f"INSERT INTO {TABLE} (cid, code, position, known, days) "
    "VALUES (:cid, :code, :position, :known, :days) ON CONFLICT (cid, code) "
    "DO UPDATE SET position = excluded.position, known = excluded.known, days = excluded.days"
)


@dataclass(frozen=True)
class Days:
    """Each date with a movement of the cooperative ``cid``'s register, and how many, as known
    at ``known`` (micros) when the view stood at ``position``."""

    cid: int
    position: int
    known: int
    days: list[tuple[date, int]]

    def until(self, as_of: date) -> list[tuple[date, int]]:
        """The dates up to ``as_of``."""
        return [(on, n) for on, n in self.days if on <= as_of]


def days_from_view(db: DB, cid: int, known_at: datetime) -> Days:
    """Each date's movements of the register as known at ``known_at``, counted afresh."""
    at = position(db)
    params = {"cid": cid, "t": micros(known_at)}
    merged = {as_date(on): int(n) for on, n in db.rows(MERGES_SQL, params)}
    days = []
    for raw, n in db.rows(DAYS_SQL, params):
        on = as_date(raw) or date.min
        count = int(n) - merged.get(on, 0)
        if count:
            days.append((on, count))
    return Days(cid, at, micros(known_at), days)


def kept(db: DB, cid: int, known_at: datetime) -> Days | None:
    """The counts kept in the store for ``cid`` that still hold at ``known_at`` (None: none
    do)."""
    if not db.has_table(TABLE):
        return None
    found = db.rows(
        f"SELECT position, known, days FROM {TABLE} WHERE cid = :cid AND code = :k",
        {"cid": cid, "k": code_key()},
    )
    if not found:
        return None
    at, known, text = int(found[0][0]), int(found[0][1]), str(found[0][2])
    days = Days(cid, at, known, [(date.fromisoformat(on), int(n)) for on, n in json.loads(text)])
    return days if holds(db, days, known_at) else None


def holds(db: DB, days: Days, known_at: datetime) -> bool:
    """Whether counts made earlier still hold at ``known_at``: asked as known at or after the
    moment they were made, with no entry of the cooperative in the view since."""
    return micros(known_at) >= days.known and still_holds(db, days.cid, days.position)


# The counts last made or read in this process, and whether the store keeps them (a
# read-only server keeps none there).
_held: Held[tuple[Days, bool]] = Held(64)


def days_now(
    db: DB, slug: str, known_at: datetime, store: tuple[str, bool]
) -> tuple[Days, bool] | None:
    """The counts of ``slug``'s register as known now (``known_at``) in the store ``store``
    (its URL, and whether it may be written): those held or kept when they still hold, else
    counted afresh; and whether to keep them in the store. None: no such cooperative."""
    cid = db.scalar("SELECT cid FROM rm_coops WHERE slug = :s", {"s": slug})
    if cid is None:
        return None
    key = (store[0], int(cid))
    found, stored = _held.get(db, key) or (None, False)
    if found is None or not holds(db, found, known_at):
        found = kept(db, int(cid), known_at)
        stored = found is not None
    if found is None:
        found = days_from_view(db, int(cid), known_at)
    _held.put(db, key, (found, stored or store[1]))
    return found, store[1] and not stored


def keep(db: DB, counted: Days) -> None:
    """Keep these counts, on a writable connection."""
    if not db.has_table(TABLE):
        db.write(DDL, [])
    days = json.dumps([[on.isoformat(), n] for on, n in counted.days])
    row = {"cid": counted.cid, "code": code_key(), "position": counted.position}
    db.write(UPSERT, [{**row, "known": counted.known, "days": days}])


def keep_apart(url: str, counted: Days) -> None:
    """Keep the counts just made, on a writable connection of their own; a store that refuses
    (busy, a replica) keeps none, and the answer stands."""
    kept_apart(url, lambda db: keep(db, counted))
