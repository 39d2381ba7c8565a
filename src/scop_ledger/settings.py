"""How to reach the store and who records: light on purpose (no SQLAlchemy), so that the query
path starts fast."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_URL = "sqlite:///scop-ledger.db"


@dataclass(frozen=True)
class Settings:
    """How to reach the store and who records."""

    url: str = DEFAULT_URL
    coop: str | None = None
    user: str = "unknown"
    read_only: bool = False


def default_user() -> str:
    """The OS login name, for ``recorded_by``."""
    for var in ("SCOP_LEDGER_USER", "USER", "LOGNAME", "USERNAME"):
        value = os.environ.get(var)
        if value:
            return value
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError):  # pragma: no cover - no passwd entry
        return "unknown"
