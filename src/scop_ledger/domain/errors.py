"""Typed domain errors. Each carries the person, the date and the rule at fault.

The CLI maps them to exit codes in one place: :class:`Refused` and :class:`NotFound` exit 1
(a rule refused the entry, or it names something that does not exist), :class:`InvalidValue`
exits 2 (a malformed value).
"""

from __future__ import annotations

from datetime import date

from scop_ledger.i18n import _


class LedgerError(Exception):
    """Base of every error the ledger reports to a user as one line."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        person: str | None = None,
        on: date | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.person = person
        self.on = on
        self.rule = rule

    def __str__(self) -> str:
        return self.message


class Refused(LedgerError):
    """A rule of the ledger refused the entry; nothing was written."""


class NotFound(LedgerError):
    """The entry names a cooperative, person or entry the ledger does not hold."""


class InvalidValue(LedgerError, ValueError):
    """A malformed value (amount, count, reference); nothing was written."""

    exit_code = 2


def no_cooperative(slug: str) -> NotFound:
    """The store holds no cooperative ``slug``."""
    return NotFound(_("no cooperative {slug} in this store").format(slug=repr(slug)))


def no_person(person: str, slug: str) -> NotFound:
    """The cooperative ``slug`` knows no ``person``."""
    message = _("no person {person} in cooperative {slug}")
    return NotFound(message.format(person=repr(person), slug=repr(slug)), person=person)
