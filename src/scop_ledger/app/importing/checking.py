"""Every row the ledger's rules would refuse, in one pass: each row to be recorded is applied
in the order of the file to the aggregates as the ledger holds them (nothing is saved), and a
refused row is reported and left out, so the rows after it are checked as if it were not in
the file. Run when an import cannot be recorded (a row refused, or rows that cannot be read),
to name every row at fault rather than the first."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from scop_ledger.app import commands as cmd
from scop_ledger.app.handlers import UnitOfWork
from scop_ledger.app.importing.messages import Errors
from scop_ledger.domain.errors import LedgerError
from scop_ledger.domain.member import Member
from scop_ledger.i18n import _
from scop_ledger.store.gc import collector_paused

if TYPE_CHECKING:
    from scop_ledger.app.ledger import Ledger


class _Checking(UnitOfWork):
    """A unit of work that can leave out a refused command."""

    def leave_out(self) -> bool:
        """Undo what the command just refused began: a person it registered is unknown again.
        False when it changed an aggregate that was there before (the rules check a command
        whole before they record any of it, so this does not happen)."""
        for aggregate, mark in self._marks.values():
            if len(aggregate.pending_events) <= mark:
                continue
            if (
                mark == 0
                and isinstance(aggregate, Member)
                and aggregate.version == len(aggregate.pending_events)
            ):
                for key, member in self.members.items():
                    if member is aggregate:
                        self.members[key] = None
                continue
            return False
        return True


class Refusals:
    """The rows refused (``errors``) and the first refusal, whose exit code the import takes."""

    def __init__(self) -> None:
        self.errors = Errors()
        self.first: LedgerError | None = None


def refused_rows(
    ledger: Ledger,
    rows: Iterable[tuple[int, cmd.Command]],
    persons: Collection[str] | None = None,
) -> Refusals:
    """Each of ``rows`` (its line and its command, in the order of the file) that the rules
    refuse, with why (every row is checked; :class:`Errors` keeps the first ones). ``rows``
    is read once, a row at a time, when ``persons`` names every person of its commands."""
    found = Refusals()
    with collector_paused():
        work = _Checking(ledger)
        if persons is None:
            rows = list(rows)
            work.prefetch([c for _line, c in rows])
        else:
            work.prefetch_persons(persons)
        ahead = iter(rows)
        row = next(ahead, None)
        while row is not None:
            line, command = row
            row = next(ahead, None)
            try:
                work.apply(command)
            except LedgerError as error:
                if found.first is None:
                    found.first = error
                found.errors.add(line, error.message)
                if not work.leave_out():
                    if row is not None:
                        found.errors.add(
                            line, _("the rows after this one were not checked against the ledger")
                        )
                    break
    return found
