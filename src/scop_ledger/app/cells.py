"""Spreadsheet cells that carry no formula (OWASP's CSV-injection guidance).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by spreadsheet programs when a CSV file is opened. :func:`neutralise` prefixes such a
text with a single quote, which makes it plain text; :func:`unescape` removes exactly that
quote again when a file is imported, so our own exports round-trip the original text.

Only text goes through here: numbers, dates and booleans are written as themselves by the
callers (``-3.00`` in an amount column is data). A text that is a plain decimal number, such
as ``-3`` or ``-12.50%``, is data too and left as it is: no spreadsheet reads a formula in it.
A text that begins with a quote followed by what :func:`unescape` would strip gets a quote of
its own, so ``unescape(neutralise(text)) == text`` for every text.
"""

from __future__ import annotations

import re
from typing import TypeVar

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)%?")

T = TypeVar("T")


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (or ``text`` begins with a quote
    that :func:`unescape` would otherwise take for ours)."""
    rest = text.lstrip(QUOTE)
    return rest.startswith(TRIGGERS) and _PLAIN_NUMBER.fullmatch(rest) is None


def neutralise(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet reads as a formula."""
    return QUOTE + text if needs_quote(text) else text


def unescape(value: T) -> T:
    """A cell read from an import file without the quote :func:`neutralise` added; any value
    that is not such a text is returned as it is."""
    if isinstance(value, str) and value.startswith(QUOTE) and needs_quote(value[1:]):
        return value[1:]  # type: ignore[return-value]
    return value
