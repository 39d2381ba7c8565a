"""Re-seeding the kept chain (``verify --reseed-chain``): after a finding has been explained,
the chain kept in the store (:mod:`scop_ledger.store.chain`) is replaced with the chain of the
entries as they are now, and sealed with when and by whom. An explicit act, never a side effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scop_ledger.store.chain import (
    CHAIN,
    EVENTS,
    GENESIS,
    PAGE,
    SEAL,
    content,
    create_tables,
    head_text,
    link,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True)
class Reseeded:
    """What :func:`reseed` replaced: the chain now kept, and the one kept before."""

    entries: int
    head: str
    was: int
    was_head: str | None
    first_difference: int | None


def _relinked(
    conn: Connection, old: dict[int, str]
) -> tuple[list[tuple[int, str, str]], int | None]:
    """The chain of the entries as they are now (``seq, content, link`` rows), and the first
    entry whose link differs from ``old``'s."""
    previous = GENESIS
    rows = []
    first_difference = None
    last = 0
    while True:
        page = conn.exec_driver_sql(
            f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS} "
            f"WHERE id > {last} ORDER BY id LIMIT {PAGE}"
        ).all()
        if not page:
            break
        for seq, oid, version, topic, stored in page:
            state = stored if isinstance(stored, bytes) else str(stored).encode()
            digest = content(oid, version, topic, bytes(state))
            previous = link(previous, seq, digest)
            rows.append((int(seq), digest.hex(), previous.hex()))
            if first_difference is None and old.get(int(seq)) != previous.hex():
                first_difference = int(seq)
        last = int(page[-1][0])
    if first_difference is None and len(old) > len(rows):
        first_difference = min(set(old) - {r[0] for r in rows})
    return rows, first_difference


def reseed(conn: Connection, user: str) -> Reseeded:
    """Replace the kept chain with the chain of the entries as they are now, and seal it, noting
    when and by whom (``verify --reseed-chain``: an explicit act, never a side effect). The
    caller's transaction."""
    create_tables(conn)
    old = {
        int(seq): str(value)
        for seq, value in conn.exec_driver_sql(f"SELECT seq, link FROM {CHAIN}").all()
    }
    was_head = None if not old else head_text(max(old), bytes.fromhex(old[max(old)]))
    rows, first_difference = _relinked(conn, old)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    conn.exec_driver_sql(f"DELETE FROM {CHAIN}")
    if rows:
        conn.exec_driver_sql(
            f"INSERT INTO {CHAIN} (seq, content, link) VALUES ({mark}, {mark}, {mark})", rows
        )
    seq, value = (rows[-1][0], rows[-1][2]) if rows else (0, GENESIS.hex())
    conn.exec_driver_sql(f"DELETE FROM {SEAL}")
    conn.exec_driver_sql(
        f"INSERT INTO {SEAL} (name, seq, link, reseeded_at, reseeded_by) "
        f"VALUES ('chain', {mark}, {mark}, {mark}, {mark})",
        (seq, value, datetime.now(UTC).isoformat(), user),
    )
    return Reseeded(
        entries=len(rows),
        head=head_text(seq, bytes.fromhex(value)),
        was=len(old),
        was_head=was_head,
        first_difference=first_difference,
    )
