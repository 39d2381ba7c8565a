"""What French spreadsheets save, into what the ledger reads: the CSV's encoding (UTF-8 with
or without BOM, else cp1252; UTF-16 refused) and separator (``,`` ``;`` or tab), amounts with a
decimal comma and spaces between thousands, dates as ``DD/MM/YYYY``. Each value is only
rewritten into the form the domain parsers take; they keep the bounds."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Container
from datetime import date
from typing import IO, Any

from scop_ledger.app.importing.messages import InvalidRows
from scop_ledger.app.remembered import by_text
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import parse_money, show
from scop_ledger.i18n import N_, _

SEPARATORS = (",", ";", "\t")
MONEY_COLUMNS = (
    "paid",
    "amount",
    "surplus",
    "legal_reserve",
    "development_fund",
    "employees",
    "dividends",
    "price",
    "net_asset_value_per_share",
    "share_value",
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF16 = N_(
    "line 1: the file is UTF-16 text, which import does not read "
    "(save as CSV UTF-8 or CSV (point-virgule))"
)


def csv_encoding(f: IO[bytes]) -> str:
    """The encoding to read a CSV file with (read through once, then rewound): UTF-8 (a BOM
    dropped), else cp1252 (what French Excel saves). A file that is not UTF-8 throughout but
    holds UTF-8 accents somewhere is read as UTF-8 all the same, for the reader to name the line
    of the bytes that are not: read as cp1252, its accents would be recorded garbled."""
    if f.read(2) in _UTF16_BOMS:
        raise InvalidRows([_(_UTF16)])
    f.seek(0)
    encoding = "utf-8-sig" if _utf8(f) or _has_utf8_accents(f) else "cp1252"
    f.seek(0)
    return encoding


def _utf8(f: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        while chunk := f.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# A UTF-8 sequence of two to four bytes: what a cp1252 text almost never holds.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _has_utf8_accents(f: IO[bytes]) -> bool:
    f.seek(0)
    tail = b""
    while chunk := f.read(1 << 20):
        if _UTF8_SEQUENCE.search(tail + chunk):
            return True
        tail = chunk[-3:]
    return False


def separator(text: str, known: Container[str]) -> str:
    """The separator that splits the header (``text``'s first line) into the most ``known``
    column names; ``,`` when none does better."""
    first = text.split("\n", 1)[0].rstrip("\r")

    def score(sep: str) -> int:
        cells = next(csv.reader([first], delimiter=sep), [])
        return sum(c.strip() in known for c in cells)

    return max(SEPARATORS, key=score)  # max keeps the first of equals: ``,``


def separator_name(sep: str) -> str:
    return _("tab") if sep == "\t" else repr(sep)


_AMOUNT = re.compile(r"[+-]?[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?:[.,][0-9]*)?")
_NUMERIC = re.compile(r"[+-]?[0-9 \u00a0\u202f.,]+")


def amount_text(value: Any, what: str) -> Any:
    """``1 234,50`` as ``1234.50``: spaces between thousands (space, no-break space, narrow
    no-break space) dropped, a decimal comma made a dot. Any other value is left as it is for
    :func:`~scop_ledger.domain.values.parse_money` to take or refuse."""
    return _amount_text(value, what)


@by_text
def _amount_text(value: Any, what: str) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _NUMERIC.fullmatch(text) and "." in text and "," in text:
        raise InvalidValue(
            _("{what} {value}: use a dot or a comma, not both").format(what=what, value=show(value))
        )
    if _AMOUNT.fullmatch(text):
        text = re.sub(r"[ \u00a0\u202f]", "", text)
    if re.fullmatch(r"[+-]?[0-9]*,[0-9]+", text):
        text = text.replace(",", ".")
    if text == value.strip():
        return value
    try:  # the bounds, said with the value as the file has it
        parse_money(text, what=what)
    except InvalidValue as error:
        raise InvalidValue(error.message.replace(show(text), show(value))) from None
    return text


_DAY_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def date_text(value: Any, what: str = "date") -> Any:
    """``DD/MM/YYYY`` as ``YYYY-MM-DD``; any other value is left for
    :func:`~scop_ledger.domain.values.parse_date`."""
    return _date_text(value, what)


@by_text
def _date_text(value: Any, what: str) -> Any:
    if not isinstance(value, str):
        return value
    match = _DAY_FIRST.fullmatch(value.strip())
    if match is None:
        return value
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise InvalidValue(
            _("{what} {value} is not a date (DD/MM/YYYY)").format(what=what, value=show(value))
        ) from None
