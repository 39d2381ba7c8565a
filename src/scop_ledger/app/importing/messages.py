"""What an import says about rows: one printable line each, the first :data:`MAX_ERRORS` of
them, and the errors that carry them (rows unreadable, a row refused, ids in conflict)."""

from __future__ import annotations

import re

from scop_ledger.app.importing.limits import MAX_ERRORS, MAX_JSONL_LINE, MAX_MESSAGE
from scop_ledger.domain.errors import InvalidValue, LedgerError
from scop_ledger.i18n import _, language, number


class InvalidRows(InvalidValue):
    """Rows that cannot be read; ``lines`` holds one ``line N: …`` message each (exit 2)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class RefusedRow(LedgerError):
    """Rows refused by a rule (exit 1, or the first refusal's own code); ``lines`` holds one
    ``line N: …`` message each; nothing was written."""

    def __init__(self, lines: list[str], first: LedgerError) -> None:
        super().__init__("\n".join(lines), person=first.person, on=first.on)
        self.lines = lines
        self.exit_code = first.exit_code


class ConflictingRows(LedgerError):
    """Rows whose ``id`` the ledger knows with other content (exit 1); nothing was written."""

    def __init__(self, errors: Errors) -> None:
        self.lines = errors.report()
        super().__init__("\n".join(self.lines))
        self.errors = errors


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


def count(n: int) -> str:
    """A count as a message shows it: ``1,234`` in English (as before), ``1 234`` in French."""
    return f"{n:,}" if language() == "en" else number(n)


def at_line(line: int, message: str) -> str:
    """``line N: message``, as one printable line."""
    return one_line(_("line {line}: {message}").format(line=line, message=message))


class Errors:
    """The first :data:`MAX_ERRORS` messages, each with its line, and a count of the rest.

    Messages come in the order of the file; :meth:`merge` joins the errors of two passes over
    it (the rows as read, the rows against the ledger) in the order of the lines."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.more = 0

    def add(self, line: int, message: str) -> None:
        if len(self.found) < MAX_ERRORS:
            self.found.append((line, at_line(line, message)))
        else:
            self.more += 1

    def merge(self, other: Errors) -> Errors:
        """Both lists of errors, by line; the first :data:`MAX_ERRORS` of both kept (each
        holds its own first ones, so the first of both are among them)."""
        joined = Errors()
        both = sorted([*self.found, *other.found], key=lambda found: found[0])
        joined.found = both[:MAX_ERRORS]
        joined.more = self.more + other.more + len(both) - len(joined.found)
        return joined

    def __bool__(self) -> bool:
        return bool(self.found)

    def __len__(self) -> int:
        return len(self.found) + self.more

    def report(self) -> list[str]:
        lines = [text for _line, text in self.found]
        if self.more:
            return [*lines, _("... and {count} more errors").format(count=count(self.more))]
        return lines
