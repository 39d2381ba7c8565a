"""What an import says about rows: one printable line each, the first :data:`MAX_ERRORS` of
them, and the errors that carry them (rows unreadable, a row refused, ids in conflict)."""

from __future__ import annotations

import re

from scop_ledger.app.importing.limits import MAX_ERRORS, MAX_JSONL_LINE, MAX_MESSAGE
from scop_ledger.domain.errors import InvalidValue, LedgerError


class InvalidRows(InvalidValue):
    """Rows that cannot be read; ``lines`` holds one ``line N: …`` message each (exit 2)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class RefusedRow(LedgerError):
    """A row refused by a rule (exit 1); nothing was written."""

    def __init__(self, line: int, error: LedgerError) -> None:
        super().__init__(
            one_line(f"line {line}: {error.message}"), person=error.person, on=error.on
        )
        self.exit_code = error.exit_code


class ConflictingRows(LedgerError):
    """Rows whose ``id`` the ledger knows with other content (exit 1); nothing was written."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


_LONG_QUOTED = re.compile(r"'[^'\n]{80,}'|\"[^\"\n]{80,}\"")


def one_line(text: str) -> str:
    """``text`` as one printable line of at most :data:`MAX_MESSAGE` characters: a long
    quoted value is shortened, line breaks and lone surrogates escaped."""
    # No message holds more than a few lines of a file: the rest is never worth encoding.
    text = text[: 4 * MAX_JSONL_LINE].encode("utf-8", "backslashreplace").decode("utf-8")
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    text = _LONG_QUOTED.sub(lambda m: f"{m.group(0)[:50]}...{m.group(0)[-12:]}", text)
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3] + "..."
    return text


class Errors:
    """The first :data:`MAX_ERRORS` messages and a count of the rest."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.more = 0

    def add(self, line: int, message: str) -> None:
        if len(self.lines) < MAX_ERRORS:
            self.lines.append(one_line(f"line {line}: {message}"))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.lines)

    def report(self) -> list[str]:
        if self.more:
            return [*self.lines, f"... and {self.more:,} more errors"]
        return list(self.lines)
