"""What the answers kept between questions share (:mod:`~scop_ledger.readmodel.headlines`,
:mod:`~scop_ledger.readmodel.sweeps`, :mod:`~scop_ledger.readmodel.placing`): a kept row
holds while the view holds no entry of its cooperative after the view's position when it was
computed (``rm_entries``: every entry the view applied, back-dated ones and reversals
included, is a new row there), no entry the view could not hold (``rm_unviewable``) after it,
and the code that computed it is the code running (:func:`code_key`). Kept rows are written
on a writable connection of their own (:func:`keep_apart`): a store that refuses keeps none,
and the answer stands."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from threading import Lock
from typing import Generic, TypeVar

from scop_ledger.readmodel.version import TRACKING_NAME, VIEW_SCHEMA_VERSION
from scop_ledger.store.db import DB

T = TypeVar("T")


@cache
def code_key() -> str:
    """A digest of the read model's and the domain's source: rows kept by other code are
    never reused."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(str(VIEW_SCHEMA_VERSION).encode())
    for folder in ("domain", "readmodel"):
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def position(db: DB) -> int:
    """How far the view applied the log."""
    found = db.scalar("SELECT position FROM rm_tracking WHERE name = :n", {"n": TRACKING_NAME})
    return 0 if found is None else int(found)


def entries_since(db: DB, low: int) -> dict[int, int] | None:
    """The last entry of each cooperative the view applied after position ``low`` (the primary
    key's range: a few rows when few entries were recorded since), by cooperative id; None
    when an entry the view could not hold came after it (no kept row holds then)."""
    if db.scalar("SELECT count(*) FROM rm_unviewable WHERE seq > :low", {"low": low}):
        return None
    found = db.rows(
        "SELECT cid, max(seq) FROM rm_entries WHERE seq > :low GROUP BY cid", {"low": low}
    )
    return {int(cid): int(seq) for cid, seq in found}


def holds(db: DB, cid: int, at: int) -> bool:
    """Whether a row of cooperative ``cid`` kept when the view stood at ``at`` still holds."""
    if db.scalar("SELECT count(*) FROM rm_unviewable WHERE seq > :at", {"at": at}):
        return False
    later = db.scalar(
        "SELECT max(seq) FROM rm_entries WHERE cid = :cid AND seq > :at", {"cid": cid, "at": at}
    )
    return later is None


class Held(Generic[T]):
    """What a process made or read of one cooperative, by store address and cooperative id,
    at most ``size`` of them (the oldest let go), shared by a server's threads. Each is held
    with the recording time of the cooperative's last entry then (:func:`last_recorded`):
    another store made again at the same address is never taken for the one it came from."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[tuple[str, int], tuple[T, int]] = {}
        self._lock = Lock()

    def get(self, db: DB, key: tuple[str, int]) -> T | None:
        """The item held for ``key`` if the store ``db`` is still the one it came from."""
        found = self._items.get(key)
        if found is None or last_recorded(db, key[1]) != found[1]:
            return None
        return found[0]

    def put(self, db: DB, key: tuple[str, int], item: T) -> None:
        mark = last_recorded(db, key[1])
        with self._lock:
            self._items.pop(key, None)
            if len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (item, mark)


def last_recorded(db: DB, cid: int) -> int:
    """The recording time (micros) of cooperative ``cid``'s last entry in the log (0: none)."""
    found = db.scalar(
        "SELECT recorded_at FROM rm_entries WHERE cid = :cid ORDER BY seq DESC LIMIT 1",
        {"cid": cid},
    )
    return 0 if found is None else int(found)


def keep_apart(url: str, keep: Callable[[DB], None]) -> None:
    """``keep(db)`` on a writable connection of its own; a store that refuses (busy, a
    replica) keeps nothing, and the answer already given stands."""
    from scop_ledger.store.db import connect

    try:
        db = connect(url, read_only=False)
    except Exception:  # keeping is an optimisation: the answer is already right
        return
    try:
        keep(db)
    except Exception:  # idem
        return
    finally:
        db.close()
