"""The import format written back: a cooperative's history as the rows that would record it
(the ``export`` command writes them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scop_ledger.app.importing.rows import ALLOCATION_COLUMNS
from scop_ledger.readmodel.history import history_from_events

if TYPE_CHECKING:
    from scop_ledger.app.ledger import Ledger

_EXPORT_FIELDS = {
    "hire": ("name",),
    "terminate": ("reason",),
    "admit": ("name", "legal_person"),
    "subscribe": ("shares", "paid"),
    "pay-up": ("amount",),
    "withdraw": ("shares",),
    "transfer": ("shares", "price"),
    "leave": (),
    "pay-refund": ("amount",),
    "appoint": ("office", "term_years"),
    "end-mandate": ("office",),
    "review": ("reviewer", "reservations"),
    "allocate": ALLOCATION_COLUMNS,
    "change-form": ("legal_form",),
    "change-share-value": ("share_value",),
}


def export_rows(ledger: Ledger, slug: str, known_at: Any) -> list[dict[str, Any]]:
    """The cooperative's history as import rows: every entry that counts as known at
    ``known_at``, in the order recorded. Left out: the registration (``init`` comes first, by
    hand), entries reversed and the reversals themselves, and consequences (importing their
    cause derives them again). Each row's ``id`` is ``<slug>:<entry id>``, so importing the
    export twice records nothing the second time."""
    rows = []
    for e in history_from_events(ledger, slug, None, known_at):
        action, details = e["action"], e["details"]
        if action not in _EXPORT_FIELDS or e["reversed_by"] is not None:
            continue
        if details.get("consequence_of") is not None or details.get("direction") == "in":
            continue  # a consequence, or a transfer's receiving side: its cause is the row
        row: dict[str, Any] = {"id": f"{slug}:{e['id']}", "action": action, "date": e["date"]}
        if e["person"] is not None:
            row["person"] = e["person"]
        for key in _EXPORT_FIELDS[action]:
            value = details.get(key)
            if value is not None and value is not False:
                row[key] = value
        if action == "leave":
            row["reason"] = str(details["cause"]).split(":", 1)[1]
        if action == "transfer":
            row["to"] = details["counterparty"]
        for key, text in (("ref", e["ref"]), ("note", e["note"])):
            if text is not None:
                row[key] = text
        rows.append(row)
    return rows
