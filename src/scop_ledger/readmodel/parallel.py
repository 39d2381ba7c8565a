"""A rebuild on every core, for a large ledger (SQLite or PostgreSQL).

Each member's entries fold on their own: only the cooperative's few entries (its statutes, its
reversals) concern everyone. A rebuild therefore shares the members among worker processes.
Each worker reads, up to the head, the first entry of every record, then the entries of its
own members (those whose ids fall in its range of ids) and of every other record (the
cooperatives'), and applies them, with a projector plugged in through its hooks
(readmodel/hooks.py), to view tables in a scratch SQLite file or PostgreSQL schema
(readmodel/scratch.py). Until they are all done, the old
view stays as it was: other processes read it and catch it up as usual. Then one transaction
replaces it with the workers' rows (readmodel/merge.py) at the tracking position of the
head the workers read to: a crash or a failing worker leaves the old view. The rebuilding
process then builds the indexes and applies whatever was recorded meanwhile, as a catch-up
does (pages another process applied to the old view after that head are applied again).

The rows are those a sequential rebuild writes (the tests compare them): a member's id is its
rank among the members' registrations (their records' first entries) in the log, so every
worker numbers all members alike; the ranges of ids share the members out in equal numbers.
Only the row ids of ``rm_states`` and ``rm_refunds``, which nothing reads, may differ.

While the workers run, the rebuilding process extends the kept hash chain (``rm_chain``) with
the events it does not hold yet (none, usually: the chain follows every catch-up).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.utils import TopicError, resolve_topic
from sqlalchemy import Connection

from scop_ledger.domain.cooperative import Cooperative
from scop_ledger.domain.member import Member
from scop_ledger.readmodel import schema as t
from scop_ledger.readmodel import scratch
from scop_ledger.readmodel.hooks import Hooks
from scop_ledger.readmodel.log import first_entries, read_page
from scop_ledger.readmodel.merge import merge
from scop_ledger.readmodel.projector import Projector, big_cache
from scop_ledger.settings import Settings
from scop_ledger.store.engine import sqlite_path
from scop_ledger.store.eventstore import as_uuid as _uuid
from scop_ledger.store.gc import collector_paused
from scop_ledger.store.unreadable import UnreadableEntry

if TYPE_CHECKING:
    from scop_ledger.store.eventstore import EventStore

# Below this many events, starting the workers costs more than they save.
SPLIT_FROM = 50_000
PAGE = 50_000  # notifications a worker reads and applies per transaction
# A member's entries and states by member: not in a worker's scratch file until a back-dated
# entry or a reversal needs them (the rebuild builds them in the ledger after the merge).
ON_DEMAND = [i for i in t.MEMBER_INDEXES if i.table is not t.refunds]


def can_split(ledger: EventStore) -> bool:
    """Whether this store can be rebuilt by several processes: a SQLite file (workers write
    scratch files beside it) or a PostgreSQL database where the role may create the workers'
    scratch schemas; not an in-memory SQLite database."""
    dialect = ledger.engine.dialect.name
    if dialect == "postgresql":
        return scratch.may_create_schemas(ledger.engine)
    return dialect == "sqlite" and sqlite_path(ledger.settings.url) is not None


def workers_for(ledger: EventStore, events: int) -> int:
    """How many processes to rebuild ``events`` events with, by default: one per core the
    process may run on, when the ledger is large enough and the store allows it."""
    if events < SPLIT_FROM or not can_split(ledger):
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


@dataclass(frozen=True)
class _Task:
    url: str  # the store
    view: str  # the worker's scratch file or schema (readmodel/scratch.py)
    index: int
    workers: int
    head: int


class _Partition:
    """A worker's share of the log (see the module's docstring): the records of the members
    whose ids fall in its range of ids, and every other record (the cooperatives'), applied
    to the scratch view tables by :attr:`projector` (``on_page``: the rebuilding projector's
    hook). ``firsts``: the first entry of each record in the log, as
    :func:`~scop_ledger.readmodel.log.first_entries` gives them. :attr:`among` is the share
    as a condition on the rows read."""

    def __init__(
        self,
        ledger: EventStore,
        index: int,
        workers: int,
        on_page: Callable[[Sequence[tuple[Any, ...]]], None] | None,
        firsts: Sequence[tuple[Any, str]],
    ) -> None:
        self.index = index
        self.workers = workers
        self._kinds: dict[str, str] = {}
        self._ranks: dict[Any, int] = {}  # every member's id (its rank), by _key
        self._mids: dict[UUID, int] = {}
        self._mine: set[Any] = set()  # the keys of this worker's members met so far
        self._indexed = False  # whether the ON_DEMAND indexes exist yet
        members: list[Any] = []
        shared: list[Any] = []
        for oid, topic in firsts:
            if self._kind(topic) == "registered":
                members.append(oid)
                self._ranks[_key(oid)] = len(members)
            else:
                shared.append(oid)
        mark = "?" if ledger.engine.dialect.name == "sqlite" else "%s"
        self.among = self._share(members, shared, mark)
        hooks = Hooks(
            member_id=self._mids.__getitem__,
            before_lookup=self._index,
            # The rebuilding process keeps the chain, not the workers.
            chain=False,
            # A worker reads each of its records from the start (its scratch file holds no
            # events to look a version up in).
            from_start=True,
            on_page=on_page,
        )
        self.projector = Projector(ledger, hooks)

    def _share(self, members: list[Any], shared: list[Any], mark: str) -> tuple[str, list[Any]]:
        """This worker's rows as a condition (SQL, parameters): the ids from the cut before
        it (inclusive) to the cut after it, where the cuts share the members out in equal
        numbers; and the records of ``shared``, whatever their ids."""
        ordered = sorted(members, key=_key)
        cuts = [ordered[len(ordered) * i // self.workers] for i in range(1, self.workers)]
        bounds: list[str] = []
        parameters: list[Any] = []
        if ordered and self.index > 0:
            bounds.append(f"originator_id >= {mark}")
            parameters.append(cuts[self.index - 1])
        if ordered and self.index < self.workers - 1:
            bounds.append(f"originator_id < {mark}")
            parameters.append(cuts[self.index])
        if not bounds:
            return "", []
        condition = " AND ".join(bounds)
        if shared:
            marks = ", ".join([mark] * len(shared))
            condition = f"({condition} OR originator_id IN ({marks}))"
            parameters += shared
        return condition, parameters

    def _kind(self, topic: str) -> str:
        kind = self._kinds.get(topic)
        if kind is None:
            try:
                cls = resolve_topic(topic)
            except TopicError:
                # A worker that reads an entry of an unknown kind takes it, and fails on it
                # (every worker, when it is a record's first): the rebuild then sets it
                # aside in one process (see readmodel/rebuild.py).
                cls = Cooperative.Event
            if isinstance(cls, type) and issubclass(cls, Member.Registered):
                kind = "registered"
            elif isinstance(cls, type) and issubclass(cls, Cooperative.Event):
                kind = "coop"
            else:
                kind = "member"
            self._kinds[topic] = kind
        return kind

    def select(self, page: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The notifications of the page this worker applies (the page was read with
        :attr:`among`)."""
        chosen = []
        mine = self._mine
        for row in page:
            oid = row[1]
            key = _key(oid)
            if key in mine:
                chosen.append(row)
                continue
            kind = self._kind(row[3])
            if kind == "coop":
                chosen.append(row)
            elif kind == "registered":
                rank = self._ranks.get(key) if row[2] == 1 else None
                if rank is None:
                    # A registration that is not its record's first entry: the workers
                    # number members by their first entries; one process applies it.
                    raise UnreadableEntry("a registration after its record's first entry")
                self._mids[_uuid(oid)] = rank
                mine.add(key)
                chosen.append(row)
        return chosen

    def _index(self, conn: Connection) -> None:
        """The indexes a back-dated entry or a reversal looks a member's rows up by, built
        the first time one needs them: kept up row by row from the start, they were a tenth
        of a worker's time, for entries most histories never have."""
        if not self._indexed:
            for index in ON_DEMAND:
                index.create(conn)
            self._indexed = True


def _key(oid: Any) -> Any:
    """A record's id as a worker looks it up and orders it: SQLite gives the id's bytes;
    PostgreSQL a UUID, which hashes and compares in Python: by its integer, in C (its order
    is the bytes' order)."""
    return oid if type(oid) is bytes else _uuid(oid).int


_progress: Synchronized[int] | None = None
_on_page: Callable[[Sequence[tuple[Any, ...]]], None] | None = None


def _start_worker(
    progress: Synchronized[int],
    parent: int,
    on_page: Callable[[Sequence[tuple[Any, ...]]], None] | None,
) -> None:
    """A worker's start: what its parent passes it by inheritance (a forked worker takes
    ``on_page`` as it is; a spawned one, where there is no fork, only what pickles)."""
    global _progress, _on_page
    _progress = progress
    _on_page = on_page
    _die_with(parent)


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when the process that started it dies, however it
    dies (``kill -9`` included): Linux's ``PR_SET_PDEATHSIG``. Elsewhere, the parent's
    ``finally`` ends its workers."""
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl: the parent's finally
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def clean_scratch(ledger: EventStore) -> None:
    """Remove what rebuilds killed before their ``finally`` left beside this SQLite ledger
    (a PostgreSQL ledger's stale scratch schemas go when the next rebuild on several
    processes starts)."""
    path = sqlite_path(ledger.settings.url)
    if path is not None:
        scratch.clean_files(path.resolve().parent)


@contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """SIGTERM raises in the main thread while the workers run, so that the ``finally``
    clauses stop them and remove the scratch folder (by default SIGTERM ends Python at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    received: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        received.append(signum)
        raise KeyboardInterrupt(f"signal {signum}")

    hook = sys.unraisablehook

    def unraisable(found: Any) -> None:
        # The signal's exception raised where Python cannot raise it (a finaliser, logging's
        # lock released around a fork): not a traceback on the screen, the stop below.
        if not (received and isinstance(found.exc_value, KeyboardInterrupt)):
            hook(found)

    before = signal.signal(signal.SIGTERM, stop)
    sys.unraisablehook = unraisable
    try:
        yield
        if received:
            # The signal's exception was raised where Python ignores exceptions: the rebuild
            # went on, but it was asked to stop all the same.
            raise KeyboardInterrupt(f"signal {received[0]}")
    finally:
        signal.signal(signal.SIGTERM, before)
        sys.unraisablehook = hook


def _work(task: _Task) -> int:
    """A worker: apply its share of the log to its scratch file; the last notification read."""
    from scop_ledger.store.eventstore import EventStore

    ledger = EventStore(Settings(url=task.url, user="rebuild", read_only=True))
    view = scratch.scratch_engine(task.url, task.view)
    try:
        with view.begin() as conn:
            for index in (*t.SECONDARY_INDEXES, *ON_DEMAND):
                index.drop(conn)
        position = 0
        with (
            collector_paused(),
            ledger.engine.connect() as source,
            view.connect() as conn,
            big_cache(conn),
        ):
            conn.commit()
            with source.begin():
                firsts = first_entries(source, task.head)
            partition = _Partition(ledger, task.index, task.workers, _on_page, firsts)
            projector = partition.projector
            while True:
                with source.begin():
                    page = read_page(source, position, PAGE, task.head, partition.among)
                if not page:
                    return position
                with conn.begin():
                    projector.apply_page(conn, partition.select(page))
                if task.index == 0 and _progress is not None:
                    with _progress.get_lock():
                        _progress.value += page[-1][0] - position  # read through
                position = page[-1][0]
    finally:
        view.dispose()
        ledger.close()


def _context() -> Any:
    """Fork where there is fork: a worker starts at once, with the modules already imported.
    (A worker opens its own connections; it never uses the parent's.)"""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def rebuild(
    projector: Projector,
    conn: Connection,
    head: int,
    workers: int,
    progress: Callable[[int], None] | None,
) -> int:
    """Apply notifications 1 to ``head`` with ``workers`` processes, and replace the view with
    their rows at position ``head``, in one transaction, without the indexes of
    ``t.MEMBER_INDEXES`` and ``t.SECONDARY_INDEXES`` (the caller builds them); the number
    applied. While the workers run, this process extends the chain."""
    url = projector.ledger.settings.url
    with scratch.scratch_space(url, conn, workers) as targets:
        tasks = [_Task(url, target, i, workers, head) for i, target in enumerate(targets)]
        context = _context()
        counter: Synchronized[int] = context.Value("q", 0)
        with _terminated_as_interrupted():
            pool = ProcessPoolExecutor(
                workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(counter, os.getpid(), projector.hooks.on_page),
            )
            try:
                futures = [pool.submit(_work, task) for task in tasks]
                projector.extend_chain_to(conn, head, PAGE)
                reported = 0
                pending: set[Future[int]] = set(futures)
                while pending:
                    done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                    for future in done:
                        future.result()  # a worker's error, raised here
                    if progress is not None:
                        read = counter.value
                        if read > reported:
                            progress(read - reported)
                            reported = read
            except BaseException:
                # A failing worker or an interruption: the others stop now, not when done.
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    process.kill()
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
        if progress is not None and head > reported:
            progress(head - reported)
        merge(conn, targets, head)
        return head
