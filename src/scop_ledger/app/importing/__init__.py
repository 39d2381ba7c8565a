"""Import files: ``.csv``, ``.jsonl`` or ``.xlsx``, one row per action (CONTRACT.md).

Columns, actions and the values of enumerated columns may be written in English or French, in
any case, with or without accents (:mod:`.names`). Every row is validated first (pydantic,
through the same command models as the CLI); then the rows not recorded yet run as one batch,
all or none. Every invalid row is reported as ``line N: …`` (the first 100, then a count), in
one run: the rows that cannot be read and, among the others, those the rules refuse, each
checked without the refused rows before it (:mod:`.checking`).

A row's identity is its content: the action, the date, the person and every field, its ``ref``
and ``note`` included (who recorded it and when are not). A row is already recorded when the
ledger holds as many entries with that content as the file has rows with it up to and including
this one; so a file that grew records only its new rows, two identical rows are two entries, and
a row first typed with the CLI is not recorded again. Entries since reversed still count: a
reversal is a decision the ledger keeps, and importing the file again does not undo it. A row
with an ``id`` whose id the ledger knows is that entry (other content: refused, exit 1); a row
recorded by an earlier release from a file with the same bytes (its ``source``, the file's hash
and the row's line) is that entry too.

Files are read as streams, after checks that keep a hostile file from exhausting the machine:
a regular file no larger than ``SCOP_LEDGER_IMPORT_MAX_BYTES`` (512 MiB by default); for
``.xlsx``, a zip whose parts do not expand beyond that limit nor by more than 200 times.

One module per reason to change: :mod:`.limits` (the bounds), :mod:`.messages` (``line N: …``
and the errors), :mod:`.names` (the English and French names of columns, actions and values;
the yes/no words), :mod:`.rows` (columns and actions; a row into its command), :mod:`.forms`
(what French spreadsheets save: the CSV's encoding and separator, decimal commas,
``DD/MM/YYYY``), :mod:`.reading` (file checks, CSV, JSON Lines) and :mod:`.xlsx`,
:mod:`.planning` (a file into commands),
:mod:`.content` (a row's content, compactly) and :mod:`.identity` (which rows are
recorded), :mod:`.checking` (every row the rules refuse), :mod:`.running` (the import and its
dry run) and :mod:`.paging` (its rows recorded a page at a time),
:mod:`.exporting` (the history written back in this format).
"""

from scop_ledger.app.importing.exporting import export_rows
from scop_ledger.app.importing.identity import recorded_entries
from scop_ledger.app.importing.messages import ConflictingRows, InvalidRows, RefusedRow
from scop_ledger.app.importing.paging import ImportResult
from scop_ledger.app.importing.planning import Plan, Planned, plan
from scop_ledger.app.importing.reading import json_command, read_rows
from scop_ledger.app.importing.rows import COLUMNS, IMPORT_ACTIONS, row_command
from scop_ledger.app.importing.running import (
    DryRun,
    Imported,
    RowStatus,
    dry_run_file,
    import_file,
    run_import,
)

__all__ = [
    "COLUMNS",
    "IMPORT_ACTIONS",
    "ConflictingRows",
    "DryRun",
    "ImportResult",
    "Imported",
    "InvalidRows",
    "Plan",
    "Planned",
    "RefusedRow",
    "RowStatus",
    "dry_run_file",
    "export_rows",
    "import_file",
    "json_command",
    "plan",
    "read_rows",
    "recorded_entries",
    "row_command",
    "run_import",
]
