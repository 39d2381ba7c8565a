"""Reading an import file as a stream of rows: the checks that keep a hostile file from
exhausting the machine (a regular file within ``SCOP_LEDGER_IMPORT_MAX_BYTES``; for ``.xlsx``, a
zip that is not a bomb), the file's hash, and the CSV and JSON Lines readers (:mod:`.xlsx`
reads workbooks)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from scop_ledger.app.cells import unescape
from scop_ledger.app.importing.forms import csv_encoding, separator, separator_name
from scop_ledger.app.importing.limits import (
    DEFAULT_MAX_BYTES,
    MAX_BYTES_ENV,
    MAX_JSONL_LINE,
    MAX_XLSX_PARTS,
    MAX_XLSX_RATIO,
)
from scop_ledger.app.importing.messages import InvalidRows, at_line, count, one_line
from scop_ledger.app.importing.rows import (
    KNOWN_COLUMNS,
    Bad,
    Row,
    check_columns,
    column_of,
    row_columns,
    to_command,
)
from scop_ledger.app.importing.xlsx import xlsx_rows
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.i18n import N_, _

if TYPE_CHECKING:
    from scop_ledger.app.commands import Command


def max_bytes() -> int:
    """The largest file an import reads (``SCOP_LEDGER_IMPORT_MAX_BYTES``)."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise InvalidValue(
            _("{name}={value!r} is not a positive number of bytes").format(
                name=MAX_BYTES_ENV, value=one_line(raw)
            )
        )
    return int(raw)


def open_file(path: Path) -> io.BufferedReader:
    """``path`` opened for reading, once it is known to be a regular file within the limit."""
    limit = max_bytes()
    name = one_line(str(path))
    try:
        found = path.stat()
    except OSError as error:
        raise InvalidValue(
            _("{file}: {reason}").format(file=name, reason=error.strerror or error)
        ) from None
    if not stat.S_ISREG(found.st_mode):
        raise InvalidValue(
            _("{file}: not a regular file (a device, a pipe or a folder)").format(file=name)
        )
    if found.st_size > limit:
        raise InvalidValue(
            _(
                "{file}: {size} bytes, more than the import limit of {limit} "
                "(set {variable} to raise it)"
            ).format(
                file=name, size=count(found.st_size), limit=count(limit), variable=MAX_BYTES_ENV
            )
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise InvalidValue(
            _("{file}: {reason}").format(file=name, reason=error.strerror or error)
        ) from None
    opened = os.fstat(fd)  # the file opened, should it have been swapped since
    if not stat.S_ISREG(opened.st_mode) or opened.st_size > limit:
        os.close(fd)
        raise InvalidValue(
            _("{file}: not a regular file within the import limit").format(file=name)
        )
    return os.fdopen(fd, "rb")


def read_rows(
    path: Path, sheet: str | None = None, notes: list[str] | None = None
) -> tuple[str, Iterator[Row | Bad]]:
    """The file's content hash and its rows as they are read, each with the line a person
    would look at (a row that cannot be read is a :class:`Bad`). Problems with the file as a
    whole (its kind, size, header) raise :class:`InvalidValue`."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".xlsx"):
        raise InvalidValue(
            _("{file}: import reads .csv, .jsonl or .xlsx files").format(file=one_line(path.name))
        )
    if sheet is not None and suffix != ".xlsx":
        raise InvalidValue(_("--sheet applies to .xlsx files"))
    f = open_file(path)
    try:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
        f.seek(0)
    except OSError as error:
        f.close()
        raise InvalidValue(
            _("{file}: {reason}").format(file=one_line(str(path)), reason=error.strerror or error)
        ) from None
    if suffix == ".csv":
        return digest, _closing(f, _csv_rows(f))
    if suffix == ".jsonl":
        return digest, _closing(f, _jsonl_rows(f))
    try:
        name = one_line(path.name)
        _check_zip(f, name)
        rows = xlsx_rows(f, name, sheet, notes if notes is not None else [])
    except BaseException:
        f.close()
        raise
    return digest, _closing(f, rows)


def _closing(f: IO[bytes], rows: Iterator[Row | Bad]) -> Iterator[Row | Bad]:
    try:
        yield from rows
    finally:
        f.close()


def _not_utf8(text: str) -> bool:
    """Whether ``text`` holds bytes that were not UTF-8 (decoded as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_NOT_UTF8 = N_("not UTF-8 text (save the file as UTF-8, e.g. 'CSV UTF-8')")


def _csv_rows(f: IO[bytes]) -> Iterator[Row | Bad]:
    encoding = csv_encoding(f)
    first = f.readline(MAX_JSONL_LINE).decode(encoding, errors="replace")
    f.seek(0)
    sep = separator(first, KNOWN_COLUMNS)
    text = io.TextIOWrapper(f, encoding=encoding, errors="surrogateescape", newline="")
    reader = csv.reader(text, delimiter=sep)
    start = 1
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise InvalidRows([at_line(1, _csv_problem(error))]) from None
    if header is None:
        return
    if _not_utf8("".join(header)):
        raise InvalidRows([at_line(1, _(_NOT_UTF8))])
    names = [h.strip() for h in header]
    if len(names) == 1 and column_of(names[0]) is None:
        message = _(
            "unknown column(s) {names} (the header is one column when split at {separator}; "
            "separate columns with ',' ';' or a tab)"
        ).format(names=names[0], separator=separator_name(sep))
        raise InvalidRows([at_line(1, message)])
    names = check_columns(names, 1)
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader cannot find the next row reliably after this: the file stops here.
            yield Bad(start, _csv_problem(error))
            return
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if _not_utf8("".join(values)):
            yield Bad(line, _(_NOT_UTF8))
        elif len(values) > len(names):
            yield Bad(
                line,
                _("{values} values for {columns} columns").format(
                    values=len(values), columns=len(names)
                ),
            )
        else:
            yield Row(line, dict(zip(names, map(unescape, values), strict=False)))


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return _(
            "a value longer than {limit} characters (a quote left open?); "
            "the file is read no further"
        ).format(limit=count(csv.field_size_limit()))
    return _("not readable as CSV ({error}); the file is read no further").format(error=error)


def _no_constant(name: str) -> Any:
    raise ValueError(_("{name} is not a number").format(name=name))


# One decoder for every line, not one each. NaN and Infinity are not numbers a ledger holds.
_JSON = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)
_SCALARS = (str, int, Decimal, bool)


def _jsonl_rows(f: IO[bytes]) -> Iterator[Row | Bad]:
    number = 0
    while True:
        raw = f.readline(MAX_JSONL_LINE + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_JSONL_LINE and not raw.endswith(b"\n"):
            while True:  # the rest of the line, without holding it
                rest = f.readline(MAX_JSONL_LINE)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Bad(number, _("longer than {limit} bytes").format(limit=count(MAX_JSONL_LINE)))
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield Bad(number, _("not UTF-8 text"))
            continue
        if not line.strip():
            continue
        value = _plain_object(line)
        if value is not None:
            try:
                yield Row(number, _jsonl_row(value, checked=True))
            except InvalidValue as problem:
                yield Bad(number, problem.message)
            continue
        try:
            value = _JSON.decode(line)
        except json.JSONDecodeError as error:
            yield Bad(number, _("not JSON ({error})").format(error=error.msg))
            continue
        except RecursionError:
            yield Bad(number, _("not JSON a row can hold (nested too deeply)"))
            continue
        except ValueError as error:  # NaN, Infinity, an integer of thousands of digits
            yield Bad(number, _("not JSON a row can hold ({error})").format(error=error))
            continue
        if not isinstance(value, dict):
            yield Bad(number, _("a row must be a JSON object"))
            continue
        try:
            yield Row(number, _jsonl_row(value))
        except InvalidValue as problem:
            yield Bad(number, problem.message)


_PLAIN_VALUES = frozenset({str, int, bool, type(None)})


def _plain_object(line: str) -> dict[str, Any] | None:
    """The line's object as :data:`_JSON` reads it, read by orjson, when orjson reads it and
    its values are all text, whole numbers, booleans or null (orjson reads a number with a
    fraction or beyond 64 bits as a float; :data:`_JSON` as a ``Decimal`` or an exact ``int``);
    None for any other line, left for :data:`_JSON` to read or refuse with its messages."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(value) is not dict or not _PLAIN_VALUES.issuperset(map(type, value.values())):
        return None
    return value


# The columns a row's keys name, by its keys (row_columns raises for keys it refuses).
_COLUMNS_OF: dict[tuple[str, ...], list[str]] = {}


def _jsonl_row(value: dict[str, Any], checked: bool = False) -> dict[str, Any]:
    """A JSON Lines row by column (its keys named as a header names its columns); raise
    :class:`InvalidValue` for what a row cannot hold. ``checked``: its values are already
    known to be text, whole numbers, booleans or null, the text valid Unicode (orjson read
    them: it refuses a lone surrogate)."""
    keys = tuple(value)
    names = _COLUMNS_OF.get(keys)
    if names is None:
        names = row_columns(list(keys))
        if len(_COLUMNS_OF) < 1000:  # the rows of a file mostly share a few sets of keys
            _COLUMNS_OF[keys] = names
    if checked:
        return dict(zip(names, value.values(), strict=True))
    for key, item in value.items():
        if item is None:
            continue
        if not isinstance(item, _SCALARS):
            if isinstance(item, dict):
                raise InvalidValue(_("{key}: an object where a value is expected").format(key=key))
            raise InvalidValue(_("{key}: a list where a value is expected").format(key=key))
        if isinstance(item, str) and _not_utf8(item):
            raise InvalidValue(
                _(
                    "{key}: text with a lone surrogate (\\ud800-\\udfff), which is not Unicode text"
                ).format(key=key)
            )
    return dict(zip(names, value.values(), strict=True))


def json_command(body: bytes) -> Command:
    """One row of the import format sent as a JSON object (``POST /api/entries``) into its
    command: what a line of a JSON Lines file holds, checked as one (raises
    :class:`InvalidValue` with the line's problem, without ``line N``)."""
    if len(body) > MAX_JSONL_LINE:
        raise InvalidValue(_("longer than {limit} bytes").format(limit=count(MAX_JSONL_LINE)))
    try:
        value = _JSON.decode(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidValue(_("not UTF-8 text")) from None
    except json.JSONDecodeError as error:
        raise InvalidValue(_("not JSON ({error})").format(error=error.msg)) from None
    except RecursionError:
        raise InvalidValue(_("not JSON a row can hold (nested too deeply)")) from None
    except ValueError as error:
        raise InvalidValue(_("not JSON a row can hold ({error})").format(error=error)) from None
    if not isinstance(value, dict):
        raise InvalidValue(_("a row must be a JSON object"))
    return to_command(Row(1, _jsonl_row(value)), None)


def _check_zip(f: IO[bytes], name: str) -> None:
    """Refuse a zip whose parts would expand beyond the import limit, or by so much that it
    can only be a zip bomb, before anything is decompressed. (The sizes a zip declares bound
    what Python's zipfile yields: it stops at the declared size.)"""
    import zipfile

    limit = max_bytes()
    try:
        with zipfile.ZipFile(f) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InvalidValue(
            _("{file}: not a readable .xlsx file (not a zip archive)").format(file=name)
        ) from None
    finally:
        f.seek(0)
    if len(parts) > MAX_XLSX_PARTS:
        raise InvalidValue(
            _("{file}: {parts} parts in the zip; not a spreadsheet").format(
                file=name, parts=count(len(parts))
            )
        )
    total = sum(p.file_size for p in parts)
    if total > limit:
        raise InvalidValue(
            _(
                "{file}: expands to {size} bytes, more than the import limit of {limit} "
                "(set {variable} to raise it)"
            ).format(file=name, size=count(total), limit=count(limit), variable=MAX_BYTES_ENV)
        )
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > MAX_XLSX_RATIO * max(
            part.compress_size, 1
        ):
            ratio = part.file_size // max(part.compress_size, 1)
            raise InvalidValue(
                _("{file}: {part} expands {ratio} times; a zip bomb, not a spreadsheet").format(
                    file=name, part=one_line(part.filename), ratio=count(ratio)
                )
            )
