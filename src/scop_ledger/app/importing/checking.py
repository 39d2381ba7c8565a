"""Every row the ledger's rules would refuse, in one pass: each row to be recorded is applied
in the order of the file to the aggregates as the ledger holds them (nothing is saved), and a
refused row is reported and left out, so the rows after it are checked as if it were not in
the file. Run when an import cannot be recorded (a row refused, or rows that cannot be read),
to name every row at fault rather than the first."""

from __future__ import annotations

from collections.abc import Sequence
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


def refused_rows(ledger: Ledger, rows: Sequence[tuple[int, cmd.Command]]) -> Refusals:
    """Each of ``rows`` (its line and its command, in the order of the file) that the rules
    refuse, with why (every row is checked; :class:`Errors` keeps the first ones)."""
    found = Refusals()
    with collector_paused():
        work = _Checking(ledger)
        work.prefetch([c for _line, c in rows])
        for index, (line, command) in enumerate(rows):
            try:
                work.apply(command)
            except LedgerError as error:
                if found.first is None:
                    found.first = error
                found.errors.add(line, error.message)
                if not work.leave_out():
                    if index + 1 < len(rows):
                        found.errors.add(
                            line, _("the rows after this one were not checked against the ledger")
                        )
                    break
    return found
