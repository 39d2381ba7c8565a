"""View tables (SQLAlchemy Core: their DDL and the columns the projector writes; the queries read
them with plain SQL on DB-API, see store/db.py).

Money is stored in integer cents, times in integer microseconds since the epoch (UTC), dates as
ISO dates. The schema may change freely: ``scop-ledger rebuild`` recreates it from the events.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy.engine import Connection, Engine

from scop_ledger.store import chain

metadata = MetaData()

# Their schema version is version.py's VIEW_SCHEMA_VERSION: raise it with any change here.
ROW_ID = "id"


def cents(amount: Decimal) -> int:
    """An amount of money as the view stores it: whole cents."""
    return int(amount.scaleb(2))


def _row_id() -> Column[int]:
    """A row id no answer depends on (one query may join by it): SQLite's rowid itself
    (INTEGER PRIMARY KEY), a BIGINT elsewhere."""
    return Column(
        ROW_ID, BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )


def _person() -> Column[str]:
    """A person's reference. Lists of people are ordered by it in SQL: on PostgreSQL in the
    C collation (code points, as Python sorts and as SQLite's default), not the database's,
    which on most servers is a language's (English puts "ab" before "Ab")."""
    return Column(
        "person", String(64).with_variant(String(64, collation="C"), "postgresql"), nullable=False
    )


tracking = Table(
    "rm_tracking",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("schema_version", Integer, nullable=False),
)

coops = Table(
    "rm_coops",
    metadata,
    Column("cid", Integer, primary_key=True, autoincrement=False),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("legal_form", String(8), nullable=False),
    Column("share_value_cents", BigInteger, nullable=False),
    Column("profile", String(16), nullable=False),
    Column("refund_delay_years", Integer, nullable=False),
    Column("boot_until", Date),
    Column("review_every_years", Integer, nullable=False),
    Column("fiscal_year_end", String(5), nullable=False),
    Column("registered_on", Date, nullable=False),
    # The external partners' vote ceiling ("0.35"), null when votes are not weighted.
    Column("vote_cap", String(8)),
    Column("registered_at", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
)

members = Table(
    "rm_members",
    metadata,
    Column("mid", Integer, primary_key=True, autoincrement=False),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("cid", Integer, nullable=False),
    _person(),
    Column("first_at", BigInteger, nullable=False),
    # From gone_on on, the person is neither employed nor a partner, as known since gone_at
    # (both null while active): capital and votes skip such people without seeking their rows.
    Column("gone_on", Date),
    Column("gone_at", BigInteger),
    Index("rm_members_coop", "cid", "person", unique=True),
)

entries = Table(
    "rm_entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("cid", Integer, nullable=False),
    Column("mid", Integer),
    Column("version", Integer, nullable=False),
    Column("action", String(32), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("recorded_at", BigInteger, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("ref", Text),
    Column("note", Text),
    Column("source", Text),
    Column("reversed_by", BigInteger),
    Column("reversed_at", BigInteger),
    # Covering for what was known at a moment (the history's count and pages, entry numbers).
    Index("rm_entries_coop", "cid", "seq", "recorded_at"),
    Index("rm_entries_member", "mid", "version"),
    Index("rm_entries_source", "cid", "source"),
)

# One row per member entry: the member's state just after it, valid for the knowledge interval
# [known_from, known_to). A back-dated entry or a reversal closes the rows it changes and adds
# their recomputed successors, so any (as_of, known_at) pair reads one row per member.
states = Table(
    "rm_states",
    metadata,
    _row_id(),
    Column("mid", Integer, nullable=False),
    Column("cid", Integer, nullable=False),
    Column("on_date", Date, nullable=False),
    Column("version", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("action", String(32), nullable=False),
    Column("cause", String(48)),
    Column("known_from", BigInteger, nullable=False),
    Column("known_to", BigInteger),
    Column("name", Text),
    Column("employed", Boolean, nullable=False),
    Column("employed_since", Date),
    Column("partner", Boolean, nullable=False),
    Column("legal_person", Boolean, nullable=False),
    Column("shares", Integer, nullable=False),
    Column("paid_cents", BigInteger, nullable=False),
    Column("refunds", Text),
    # What the row changes in the cooperative's totals, against the member's row before it in
    # the same knowledge (its predecessor by (on_date, version) among the rows valid whenever
    # this one is): employee and external partners, their shares, the paid-up cents. Summed by
    # date over the rows valid at a moment, they give each date's change of the totals (the
    # rules' sweep, readmodel/tallies.py). ``marks``: 1 when the person's refunds differ from
    # the predecessor's, 2 when the person starts or stops being a partner with no share.
    Column("d_employees", Integer, nullable=False),
    Column("d_externals", Integer, nullable=False),
    Column("d_employee_shares", BigInteger, nullable=False),
    Column("d_external_shares", BigInteger, nullable=False),
    Column("d_paid_cents", BigInteger, nullable=False),
    Column("marks", Integer, nullable=False),
    # The register's movements the row makes against that same predecessor (0, 1 or 2, before
    # any merge: register.planned), and, when a loss of status may merge with the member's
    # category change on its date, that change's seq (readmodel/deltas.py ``merging``: on the
    # change, on the member's rows without movement after it that day, on the loss of status).
    # Summed by date, ``moves`` places a page of the register (readmodel/paging.py).
    Column("moves", Integer, nullable=False),
    Column("merge_seq", BigInteger),
    Index("rm_states_member", "mid", "on_date", "version", "known_from", "known_to"),
    # Covering for the sums by date (tallies.DAYS_SQL, paging.DAYS_SQL), in date order
    # without a sort.
    Index(
        "rm_states_coop",
        "cid",
        "on_date",
        "seq",
        "known_from",
        "known_to",
        "d_employees",
        "d_externals",
        "d_employee_shares",
        "d_external_shares",
        "d_paid_cents",
        "moves",
    ),
    # Covering for the rare rows a merge may concern (paging.MERGES_SQL).
    Index(
        "rm_states_merging",
        "cid",
        "on_date",
        "seq",
        "merge_seq",
        "moves",
        "known_from",
        "known_to",
        sqlite_where=text("merge_seq IS NOT NULL"),
        postgresql_where=text("merge_seq IS NOT NULL"),
    ),
    # The few rows whose person the sweep follows (refunds, partners with no share).
    Index(
        "rm_states_marked",
        "cid",
        "on_date",
        "seq",
        sqlite_where=text("marks <> 0"),
        postgresql_where=text("marks <> 0"),
    ),
    # The admissions (register.ADMISSIONS_SQL: the partners' register numbers), without
    # reading every state row of the cooperative.
    Index(
        "rm_states_admitted",
        "cid",
        "on_date",
        "seq",
        "known_from",
        "known_to",
        "mid",
        sqlite_where=text("action = 'admit'"),
        postgresql_where=text("action = 'admit'"),
    ),
)

# One row per refund owed, with what was paid back, valid on the dates [valid_from, valid_to)
# and for the knowledge interval [known_from, known_to): the refunds query reads the rows valid
# at (as_of, known_at) with one range scan, rather than seeking each person's state and parsing
# its refunds. A refund payment ends the open interval and starts the next; a back-dated entry
# or a reversal closes the person's rows and writes them anew.
refunds = Table(
    "rm_refunds",
    metadata,
    _row_id(),
    Column("cid", Integer, nullable=False),
    Column("mid", Integer, nullable=False),
    _person(),
    # The version of the member entry that made the refund owed (its order within the person).
    Column("refund", Integer, nullable=False),
    Column("since", Date, nullable=False),
    Column("cause", String(48), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("partial", Boolean, nullable=False),
    Column("paid_cents", BigInteger, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("known_from", BigInteger, nullable=False),
    Column("known_to", BigInteger),
    # Covering: the refunds query reads this index alone, in four ranges (still known or
    # not, still open-ended or not: see snapshot.REFUNDS_SQL).
    Index(
        "rm_refunds_coop",
        "cid",
        "known_to",
        "valid_to",
        "valid_from",
        "known_from",
        "since",
        "person",
        "refund",
        "cause",
        "amount_cents",
        "partial",
        "paid_cents",
    ),
    Index("rm_refunds_member", "mid", "known_to"),
)

# The entries the view cannot hold (a number out of its columns' range, a NUL character on
# PostgreSQL...: stored by an older release or by hand): the projector sets each aside here,
# with the reason, rather than stop at it for good; queries name them until they are reversed.
unviewable = Table(
    "rm_unviewable",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("uuid", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("label", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

VIEW_TABLES = [tracking, coops, members, entries, states, refunds, unviewable]
_BY_MEMBER = ("rm_entries_member", "rm_states_member", "rm_refunds_member")
# The indexes the projector's own lookups go by (a member's rows, for a back-dated entry or a
# reversal), and those only queries read: a rebuild builds the latter once at the end rather
# than row by row, and a rebuild on several processes both (see readmodel/rebuild.py).
MEMBER_INDEXES = [
    i for i in (*entries.indexes, *states.indexes, *refunds.indexes) if i.name in _BY_MEMBER
]
SECONDARY_INDEXES = [
    i for i in (*entries.indexes, *states.indexes, *refunds.indexes) if i.name not in _BY_MEMBER
]


def written_columns(table: Table) -> tuple[str, ...]:
    """The columns the projector writes, in the table's order: all but a row id nothing reads."""
    return tuple(c.name for c in table.columns if c.name != ROW_ID)


MEMBER_COLUMNS = written_columns(members)
ENTRY_COLUMNS = written_columns(entries)
STATE_COLUMNS = written_columns(states)
REFUND_COLUMNS = written_columns(refunds)
# The columns a new row's insert binds: a state row is written open (``known_to`` null) and an
# entry not reversed (both are updates, later). The SQLite driver binds a None at a cost
# several times an integer's; a column left out is null all the same.
STATE_INSERTED = tuple(c for c in STATE_COLUMNS if c != "known_to")
ENTRY_INSERTED = tuple(c for c in ENTRY_COLUMNS if c not in ("reversed_by", "reversed_at"))


def insert_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    """An insert of ``columns`` with the driver's parameter ``mark``, for a list of rows."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


def missing_tables(conn: Connection) -> set[str]:
    """The view and chain tables this store does not have (one catalogue query)."""
    wanted = {*metadata.tables, *chain.TABLES}
    return wanted - set(inspect(conn).get_table_names())


def create_view_tables(bind: Engine | Connection) -> None:
    metadata.create_all(bind, checkfirst=True)
    chain.create_tables(bind)


def drop_view_tables(bind: Engine | Connection) -> None:
    metadata.drop_all(bind, checkfirst=True)
