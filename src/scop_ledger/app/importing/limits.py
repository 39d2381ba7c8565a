"""The bounds an import keeps to, whatever the file: its size, an .xlsx's expansion, a JSON
Lines line, an ``id``, and how many errors are told and how long each is."""

MAX_BYTES_ENV = "SCOP_LEDGER_IMPORT_MAX_BYTES"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# A part of an .xlsx (over a MiB) that expands more than this many times is not a spreadsheet:
# a sheet's XML compresses some tens of times (15 for a sheet of identical rows), a zip bomb's
# parts as much as deflate can (a thousand times).
MAX_XLSX_RATIO = 200
MAX_XLSX_PARTS = 10_000
MAX_ERRORS = 100
# An error line, "error: " included, stays under 300 characters.
MAX_MESSAGE = 290
MAX_JSONL_LINE = 1024 * 1024
MAX_ID = 200
