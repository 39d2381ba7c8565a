"""What answers kept between questions are checked against (``rm_headlines``,
``rm_register_days``): the code that made them, and how far the view had applied the log."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from scop_ledger.readmodel.version import TRACKING_NAME, VIEW_SCHEMA_VERSION
from scop_ledger.store.db import DB


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
