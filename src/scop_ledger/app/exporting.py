"""Export: the whole history of a cooperative in the import format (JSON Lines)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scop_ledger.app.session import Session


def export(session: Session, file: Path, known_at: datetime | None) -> int:
    """Write every entry that counts as known at ``known_at`` (default: now) to ``file`` as
    import rows (see :func:`scop_ledger.app.importing.export_rows`): into an empty store,
    ``init`` with the same statutes then ``import FILE`` reproduces every answer. Returns the
    number of rows written."""
    from scop_ledger.app.importing import export_rows
    from scop_ledger.domain.errors import InvalidValue

    if file.suffix.lower() != ".jsonl":
        raise InvalidValue(f"{file}: export writes JSON Lines (.jsonl)")
    ledger = session.ledger()
    rows = export_rows(ledger, session.coop(), known_at or datetime.now(UTC))
    try:
        with file.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    except OSError as error:
        raise InvalidValue(f"{file}: cannot write ({error.strerror})") from None
    return len(rows)
