"""Export: the whole history of a cooperative in the import format: JSON Lines written here,
or the same rows as a table (:func:`export_table`) that a front end writes as CSV or XLSX."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scop_ledger.i18n import _

if TYPE_CHECKING:
    from scop_ledger.app.session import Session


def _rows(session: Session, known_at: datetime | None) -> list[dict[str, Any]]:
    from scop_ledger.app.importing import export_rows

    return export_rows(session.ledger(), session.coop(), known_at or datetime.now(UTC))


def export(session: Session, file: Path, known_at: datetime | None) -> int:
    """Write every entry that counts as known at ``known_at`` (default: now) to ``file`` as
    import rows (see :func:`scop_ledger.app.importing.export_rows`): into an empty store,
    ``init`` with the same statutes then ``import FILE`` reproduces every answer. Returns the
    number of rows written."""
    from scop_ledger.domain.errors import InvalidValue

    if file.suffix.lower() != ".jsonl":
        raise InvalidValue(_("{file}: export writes JSON Lines (.jsonl)").format(file=file))
    rows = _rows(session, known_at)
    try:
        with file.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    except OSError as error:
        raise InvalidValue(
            _("{file}: cannot write ({reason})").format(file=file, reason=error.strerror)
        ) from None
    return len(rows)


def export_table(session: Session, known_at: datetime | None) -> tuple[list[str], list[list[Any]]]:
    """The rows of :func:`export` as a table for a CSV or XLSX file: the import columns that
    some row uses, in the import format's order, and one list of values per row (None where
    a row has no such field). Values keep their types (dates, Decimal amounts, integers)."""
    from scop_ledger.app.importing.rows import COLUMNS

    rows = _rows(session, known_at)
    used = {key for row in rows for key in row}
    columns = [c for c in dict.fromkeys(("id", *COLUMNS)) if c in used]
    return columns, [[row.get(c) for c in columns] for row in rows]
