"""A row's content, and what telling a file's recorded rows from its new ones needs of each
row (:class:`Identities`), held compactly (:mod:`.identity` compares them with the ledger's)."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing.planning import Plan, Planned
from scop_ledger.app.importing.rows import IMPORT_ACTIONS

_NOT_CONTENT = {"on", "ref", "note", "source", "person"}
# Each action's own fields, in a fixed order: with the action, the date, the person, the ref
# and the note, an entry's content.
CONTENT_FIELDS = {
    action: tuple(sorted(set(cmd.ACTIONS[action].model_fields) - _NOT_CONTENT))
    for action in IMPORT_ACTIONS
}


def canonical(value: Any) -> str | None:
    """One text per value, whatever its spelling: ``25``, ``25.0`` and ``25.00`` are one
    amount; an enumeration is its contract spelling."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        norm = value.normalize()
        text = str(norm)
        if "E" in text and abs(norm.adjusted()) < 30:
            text = format(norm, "f")  # 1E+2 as 100
        return text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


Content = tuple[Any, ...]


def row_content(command: cmd.Command, share_value: Decimal) -> Content:
    """A row's content, as :func:`.identity.entry_content` gives an entry's. A subscription without
    ``paid`` is paid in full: the entry stores what that is."""
    values = []
    for name in CONTENT_FIELDS[command.action]:
        value = getattr(command, name)
        if name == "paid" and value is None and isinstance(command, cmd.Subscribe):
            value = share_value * command.shares
        values.append(canonical(value))
    return (
        command.action,
        command.on.isoformat(),
        getattr(command, "person", None),
        command.ref,
        command.note,
        *values,
    )


def content_key(content: Content) -> bytes:
    """A short fixed-size key for a content (a million of them fit in little memory)."""
    text = repr(content).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


class Identities:
    """What telling a file's recorded rows from its new ones needs of each row, held
    compactly (:meth:`add` a row at a time): its line and its content's key; the content
    itself only for a row with an ``id`` (to say how it differs), and a subscription without
    ``paid`` only until the share value it is paid at is known (:meth:`price`). A million
    rows' worth fits in little memory; no other command is kept."""

    def __init__(self, digest: str) -> None:
        self.digest = digest
        self.lines = array("q")
        self.keys: list[bytes] = []
        self.ids: dict[int, str] = {}
        self.contents: dict[int, Content] = {}
        self.unpriced: dict[int, cmd.Subscribe] = {}
        self.prefixes: set[tuple[str, str]] = set()
        self.days: tuple[str, str] | None = None
        self.persons: set[str] = set()  # every person a row's command names

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, row: Planned) -> None:
        index, command = len(self.keys), row.command
        self.lines.append(row.line)
        on = command.on.isoformat()
        self.prefixes.add((command.action, on))
        if self.days is None:
            self.days = (on, on)
        elif not self.days[0] <= on <= self.days[1]:
            self.days = (min(on, self.days[0]), max(on, self.days[1]))
        if row.id is not None:
            self.ids[index] = row.id
        if isinstance(command, cmd.PersonCommand):
            self.persons.add(command.person)
        if isinstance(command, cmd.Subscribe) and command.paid is None:
            self.unpriced[index] = command
            self.keys.append(b"")
            return
        content = row_content(command, Decimal(0))  # the share value is not read
        self.keys.append(content_key(content))
        if row.id is not None:
            self.contents[index] = content

    def price(self, value_on: Callable[[cmd.Command], Decimal]) -> None:
        """The keys of the subscriptions without ``paid``, at the share value of their date."""
        for index, command in self.unpriced.items():
            content = row_content(command, value_on(command))
            self.keys[index] = content_key(content)
            if index in self.ids:
                self.contents[index] = content
        self.unpriced.clear()

    def source(self, index: int) -> str:
        """The ``source`` the row's command has (see :mod:`.planning`)."""
        given = self.ids.get(index)
        return f"id:{given}" if given is not None else f"{self.digest}:{self.lines[index]}"


def identities(planned: Plan) -> Identities:
    """The identities of a plan's rows."""
    found = Identities(planned.digest)
    for row in planned.rows:
        found.add(row)
    return found
