"""Page writes: the view rows a page of notifications writes, buffered as its entries are
applied and flushed with one statement per table (at the page's end, and before a lookup that
must see them), in the columns schema.py defines. Also the few writes a page makes at once:
a cooperative's row, an entry marked reversed, a member's state rows closed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, update

from scop_ledger.domain.statutes import vote_cap
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel.bulk import insert_rows
from scop_ledger.readmodel.refunds import RefundRows
from scop_ledger.readmodel.times import micros


class PageWriter:
    """The rows a page writes (see the module's docstring); :meth:`begin` starts a page."""

    def __init__(self) -> None:
        self.sqlite = True
        self.flag: Any = int
        self.refunds = RefundRows(self.day)
        self.members: list[tuple[Any, ...]] = []
        self.gone: dict[int, tuple[Any, Any]] = {}  # mid: (gone_on, gone_at)
        self.entries: list[tuple[Any, ...]] = []
        self.states: list[tuple[Any, ...]] = []

    def begin(self, conn: Connection) -> None:
        """Nothing waiting; dates as ``conn``'s store takes them."""
        self.sqlite = conn.dialect.name == "sqlite"
        # A boolean as the store takes it: SQLite stores 1 or 0 for True or False, and its
        # driver binds an integer for less than a boolean; PostgreSQL takes booleans.
        self.flag = int if self.sqlite else bool
        self.members = []
        self.gone = {}
        self.entries = []
        self.states = []
        self.refunds.begin()

    def day(self, value: date | None) -> Any:
        """Dates as SQLite stores them through SQLAlchemy (ISO text); PostgreSQL takes dates."""
        if value is None or not self.sqlite:
            return value
        return value.isoformat()

    def entry(self, seq: int, cid: int, mid: int | None, event: Any, known: int, on: Any) -> None:
        """A row of ``rm_entries`` (its details are the event's stored JSON, beside it);
        ``known`` is when it was recorded, ``on`` its date as stored."""
        self.entries.append(
            (
                seq,
                cid,
                mid,
                event.originator_version,
                event.ACTION,
                on,
                known,
                event.recorded_by,
                event.ref,
                event.note,
                event.source,
            )
        )

    def flush(self, conn: Connection) -> None:
        """Write every row waiting."""
        mark = "?" if self.sqlite else "%s"
        if self.members:
            insert_rows(conn, "rm_members", t.MEMBER_COLUMNS, self.members)
            self.members = []
        if self.gone:
            conn.exec_driver_sql(
                f"UPDATE rm_members SET gone_on = {mark}, gone_at = {mark} WHERE mid = {mark}",
                [(on, at, mid) for mid, (on, at) in self.gone.items()],
            )
            self.gone = {}
        if self.entries:
            insert_rows(conn, "rm_entries", t.ENTRY_INSERTED, self.entries)
            self.entries = []
        if self.states:
            insert_rows(conn, "rm_states", t.STATE_INSERTED, self.states)
            self.states = []
        self.refunds.flush(conn, mark)

    def coop(self, conn: Connection, cid: int, seq: int, event: Any) -> None:
        """The row of a cooperative registered (``event``), written at once."""
        cap = vote_cap(event.profile, event.scop_thresholds, event.external_vote_cap)
        conn.execute(
            insert(t.coops).values(
                cid=cid,
                uuid=str(event.originator_id),
                slug=event.slug,
                name=event.name,
                legal_form=event.legal_form,
                share_value_cents=t.cents(event.share_value),
                profile=event.profile,
                refund_delay_years=event.refund_delay_years,
                boot_until=event.boot_until,
                review_every_years=event.review_every_years,
                fiscal_year_end=event.fiscal_year_end,
                registered_on=event.on,
                vote_cap=None if cap is None else str(cap),
                registered_at=micros(event.timestamp),
                seq=seq,
            )
        )

    def mark_reversed(
        self,
        conn: Connection,
        cid: int,
        mid: int | None,
        versions: list[int],
        seq: int,
        moment: datetime,
    ) -> None:
        """The entries ``versions`` of a member (or of the cooperative: ``mid`` None) marked
        reversed by entry ``seq``, recorded at ``moment``."""
        owner = t.entries.c.mid == mid if mid is not None else t.entries.c.mid.is_(None)
        conn.execute(
            update(t.entries)
            .where(t.entries.c.cid == cid, owner, t.entries.c.version.in_(versions))
            .values(reversed_by=seq, reversed_at=micros(moment))
        )

    def close_states(self, conn: Connection, mid: int, first: tuple[date, int], known: int) -> None:
        """Close (``known_to``) the member's state rows from entry ``first`` (date, version) on."""
        on, ver = first
        conn.execute(
            update(t.states)
            .where(
                t.states.c.mid == mid,
                t.states.c.known_to.is_(None),
                (t.states.c.on_date > on)
                | ((t.states.c.on_date == on) & (t.states.c.version >= ver)),
            )
            .values(known_to=known)
        )
