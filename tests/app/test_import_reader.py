"""The import's readers: XLSX values and sheets, limits, and one short line per problem."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scop_ledger.app.importing import InvalidRows, plan
from scop_ledger.app.importing.forms import separator
from scop_ledger.app.importing.reading import read_rows
from scop_ledger.app.importing.rows import COLUMNS
from scop_ledger.cli.main import main
from scop_ledger.domain.errors import InvalidValue


@pytest.fixture
def cli(tmp_path: Path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'ledger.db'}"

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(
            main,
            list(args),
            env={"SCOP_LEDGER_DB": db, "SCOP_LEDGER_USER": "t", **(env or {})},
        )

    init = invoke(
        "init", "acme", "--name", "A", "--legal-form", "sarl", "--share-value", "25",
        "--date", "2020-01-01",
    )  # fmt: skip
    assert init.exit_code == 0, init.stderr
    for step in (
        ["hire", "alice", "--date", "2020-01-01"],
        ["admit", "alice", "--date", "2020-01-01"],
    ):
        assert invoke(*step).exit_code == 0
    return invoke


def entries(cli) -> list[dict]:
    return json.loads(cli("history", "--format", "json").stdout)["entries"]


def errors(result) -> list[str]:
    return result.stderr.splitlines()


def workbook(path: Path, rows: list[list[object]], **sheets: list[list[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for title, more in sheets.items():
        sheet = book.create_sheet(title)
        for row in more:
            sheet.append(row)
    book.save(path)
    return path


def patch_zip(path: Path, part: str, old: str, new: str) -> None:
    """Edit one part of a zip (as a spreadsheet program would have saved it)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    text = parts[part].decode()
    assert old in text
    parts[part] = text.replace(old, new).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


SUBSCRIBE = ["action", "date", "person", "shares", "paid"]


# ---------------------------------------------------------------------------- XLSX


def test_a_formula_without_a_stored_value_is_refused_naming_its_row(cli, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "f.xlsx", [SUBSCRIBE, ["subscribe", "2020-01-02", "alice", 4, "=10*1"]]
    )
    before = entries(cli)
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result)[0].startswith(
        "error: line 2: paid: a formula with no stored value (=10*1)"
    )
    assert entries(cli) == before


def test_a_formula_s_stored_value_is_read(cli, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "f.xlsx",
        [
            SUBSCRIBE,
            ["subscribe", "2020-01-02", "alice", 4, "=10*1"],
            ["subscribe", "2020-01-03", "alice", 1, '=""'],
        ],
    )
    patch_zip(path, "xl/worksheets/sheet1.xml", "<f>10*1</f><v />", "<f>10*1</f><v>10</v>")
    # A formula whose value is the empty text: an empty cell (paid in full).
    patch_zip(
        path,
        "xl/worksheets/sheet1.xml",
        '<c r="E3"><f>""</f><v />',
        '<c r="E3" t="str"><f>""</f><v></v>',
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    paid = [e["details"]["paid"] for e in entries(cli) if e["action"] == "subscribe"]
    assert paid == ["10.00", "25.00"]


def test_an_error_value_is_refused(cli, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "f.xlsx", [SUBSCRIBE, ["subscribe", "2020-01-02", "alice", 4, "=1/0"]]
    )
    patch_zip(
        path,
        "xl/worksheets/sheet1.xml",
        '<c r="E2"><f>1/0</f><v />',
        '<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v>',
    )
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == ["error: line 2: paid: the cell holds the error '#DIV/0!'"]


def test_several_sheets_a_note_names_the_one_read(cli, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        [SUBSCRIBE, ["subscribe", "2020-01-02", "alice", 4, None]],
        Notes=[["nothing to import here"]],
        Later=[SUBSCRIBE, ["subscribe", "2020-02-02", "alice", 2, None]],
    )
    first = cli("import", str(path))
    assert first.exit_code == 0, first.stderr
    assert errors(first) == [
        "note: book.xlsx has 3 sheets ('Sheet', 'Notes', 'Later'): reading the first, 'Sheet' "
        "(--sheet NAME reads another)"
    ]
    later = cli("import", str(path), "--sheet", "Later")
    assert later.exit_code == 0 and later.stderr == ""
    assert [e["date"] for e in entries(cli) if e["action"] == "subscribe"] == [
        "2020-01-02",
        "2020-02-02",
    ]
    unknown = cli("import", str(path), "--sheet", "Sheet2")
    assert unknown.exit_code == 2
    assert errors(unknown) == [
        "error: book.xlsx has no sheet 'Sheet2'; its sheets: 'Sheet', 'Notes', 'Later'"
    ]
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("action,date,person\n")
    assert cli("import", str(csv_file), "--sheet", "Later").exit_code == 2


def test_dates_stored_as_numbers_or_date_cells_are_dates(cli, tmp_path: Path) -> None:
    from datetime import date, datetime

    path = workbook(
        tmp_path / "d.xlsx",
        [
            SUBSCRIBE,
            ["subscribe", 43833, "alice", 1, None],  # 2020-01-03 as the spreadsheet's serial
            ["subscribe", datetime(2020, 1, 4, 9, 30), "alice", 1, None],
            ["subscribe", date(2020, 1, 5), "alice", 1, None],
        ],
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert [e["date"] for e in entries(cli) if e["action"] == "subscribe"] == [
        "2020-01-03",
        "2020-01-04",
        "2020-01-05",
    ]


def test_a_zip_bomb_is_refused_before_it_is_expanded(cli, tmp_path: Path) -> None:
    path = workbook(tmp_path / "bomb.xlsx", [SUBSCRIBE])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: bomb.xlsx: xl/media/padding.bin expands 1,0"
        + errors(result)[0].split("expands 1,0", 1)[1]
    ]
    assert errors(result)[0].endswith("times; a zip bomb, not a spreadsheet")
    small = cli("import", str(path), env={"SCOP_LEDGER_IMPORT_MAX_BYTES": "4000000"})
    assert small.exit_code == 2
    assert "more than the import limit of 4,000,000" in small.stderr


def test_many_bad_rows_of_a_workbook_give_a_hundred_lines(cli, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "bad.xlsx", [SUBSCRIBE, *[["dance", "2020-01-02", "alice", 1, None]] * 3000]
    )
    result = cli("import", str(path))
    assert result.exit_code == 2
    lines = errors(result)
    assert len(lines) == 101 and lines[-1] == "error: ... and 2,900 more errors"


# ---------------------------------------------------------------------------- limits


def test_a_file_over_the_limit_is_refused_before_it_is_read(cli, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("action,date,person\n" + "hire,2020-01-01,bob\n" * 100)
    result = cli("import", str(path), env={"SCOP_LEDGER_IMPORT_MAX_BYTES": "1000"})
    assert result.exit_code == 2
    assert errors(result) == [
        f"error: {path}: 2,019 bytes, more than the import limit of 1,000 "
        "(set SCOP_LEDGER_IMPORT_MAX_BYTES to raise it)"
    ]
    wrong = cli("import", str(path), env={"SCOP_LEDGER_IMPORT_MAX_BYTES": "lots"})
    assert wrong.exit_code == 2 and "SCOP_LEDGER_IMPORT_MAX_BYTES='lots'" in wrong.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_or_a_pipe_is_refused(cli, tmp_path: Path) -> None:
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)  # nothing ever writes to it: reading it would wait for ever
    for path in (zero, pipe):
        result = cli("import", str(path))
        assert result.exit_code == 2
        assert errors(result) == [
            f"error: {path}: not a regular file (a device, a pipe or a folder)"
        ]


def test_errors_stop_after_a_hundred_lines_each_short(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    long_name = "x" * 5000
    path.write_text("action,date,person\n" + f"hire,2020-01-01,{long_name}\n" * 250)
    result = cli("import", str(path))
    assert result.exit_code == 2
    lines = errors(result)
    assert len(lines) == 101
    assert lines[-1] == "error: ... and 150 more errors"
    assert all(len(line) <= 300 for line in lines)
    # The long value is shortened, the explanation kept.
    assert lines[0] == (
        "error: line 2: person '" + "x" * 24 + "..." + "x" * 11 + "' is not a valid "
        "reference (letters, digits, '.', '_' or '-', at most 64, starting with a letter or digit)"
    )


def test_a_csv_field_over_the_csv_limit_is_one_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "open-quote.csv"
    path.write_text('action,date,person,note\nhire,2020-01-01,bob,"' + "y" * 200_000 + "\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 2: a value longer than 131,072 characters (a quote left open?); "
        "the file is read no further"
    ]


def test_a_duplicate_csv_column_is_refused(cli, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("action,date,person,person\nhire,2020-01-01,bob,carol\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == ["error: line 1: the column 'person' appears twice in the header"]


def test_csv_bytes_neither_utf8_nor_cp1252_name_their_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"  # 0x81 has no character in cp1252
    path.write_bytes(
        b"action,date,person,name\nhire,2020-01-01,bob,Bob\nhire,2020-01-01,lea,L\x81a\n"
    )
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 3: not UTF-8 text (save the file as UTF-8, e.g. 'CSV UTF-8')"
    ]


def test_utf8_accents_with_one_stray_byte_are_not_read_as_cp1252(cli, tmp_path: Path) -> None:
    # Read as cp1252, "Léa" would be recorded as "LÃ©a": the stray byte's line is named instead.
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "action,date,person,name\nhire,2020-01-01,lea,Léa\n".encode()
        + b"hire,2020-01-01,bob,B\xe9b\n"
    )
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 3: not UTF-8 text (save the file as UTF-8, e.g. 'CSV UTF-8')"
    ]


def test_jsonl_problems_are_one_line_each(cli, tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    good = '{"action": "hire", "date": "2020-01-01", "person": "bob"}'
    path.write_text(
        "\n".join(
            [
                good,
                '{"action": "subscribe", "date": "2020-01-02", "person": "alice", "shares": Infinity}',
                '{"action": "pay-up", "date": "2020-01-02", "person": "alice", "amount": NaN}',
                "[" * 100_000 + "]" * 100_000,
                '{"action": "hire", "date": "2020-01-01", "person": "bob", "note": "\\ud800"}',
                "[1, 2]",
                '{"action": "hire", "date": "2020-01-01", "person": {"a": 1}}',
                '"just text"',
            ]
        )
        + "\n"
    )
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 2: not JSON a row can hold (Infinity is not a number)",
        "error: line 3: not JSON a row can hold (NaN is not a number)",
        "error: line 4: not JSON a row can hold (nested too deeply)",
        "error: line 5: note: text with a lone surrogate (\\ud800-\\udfff), which is not Unicode text",
        "error: line 6: a row must be a JSON object",
        "error: line 7: person: an object where a value is expected",
        "error: line 8: a row must be a JSON object",
    ]


def test_a_jsonl_line_over_a_mebibyte_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text('{"note": "' + "z" * (2 * 1024 * 1024) + '"}\n{"action": "dance"}\n')
    with pytest.raises(InvalidRows) as raised:
        plan(path)
    assert raised.value.lines[0] == "line 1: longer than 1,048,576 bytes"
    assert raised.value.lines[1].startswith("line 2: action 'dance' is not one of")


def test_an_unknown_file_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue, match="import reads .csv, .jsonl or .xlsx files"):
        plan(tmp_path / "rows.ods")


def fields(path: Path) -> list[dict]:
    return [row.fields for row in read_rows(path)[1]]


def test_a_cp1252_file_is_read_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("action;person;name\r\nhire;lea;Léa Œuvré\r\n".encode("cp1252"))
    assert fields(path) == [{"action": "hire", "person": "lea", "name": "Léa Œuvré"}]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_bom_is_read_as_utf8(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "utf8.csv"
    path.write_bytes(bom + "action,person,name\nhire,lea,Léa\n".encode())
    assert fields(path) == [{"action": "hire", "person": "lea", "name": "Léa"}]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_refused_as_utf16(cli, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "unicode.csv"
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(encoding, "")
    path.write_bytes((bom + "action,date,person\nhire,2020-01-01,bob\n").encode(encoding))
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 1: the file is UTF-16 text, which import does not read "
        "(save as CSV UTF-8 or CSV (point-virgule))"
    ]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_the_separator_is_found_in_the_header(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "moves.csv"
    header = sep.join(["action", "date", "person", "note"])
    row = sep.join(["hire", "2020-01-01", "bob", '"a, b; c"'])
    path.write_bytes(f"{header}\r\n{row}\r\n".encode())
    assert fields(path) == [
        {"action": "hire", "date": "2020-01-01", "person": "bob", "note": "a, b; c"}
    ]


def test_the_separator_giving_the_most_known_columns_wins() -> None:
    assert separator("action;date;person,name", COLUMNS) == ";"
    assert separator("action,date,person;name", COLUMNS) == ","
    assert separator("x;y\tz", COLUMNS) == ","  # none splits it: the comma, said in the error


def test_a_header_read_as_one_column_names_the_separator(cli, tmp_path: Path) -> None:
    path = tmp_path / "pipes.csv"
    path.write_text("action|date|person\nhire|2020-01-01|bob\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert errors(result) == [
        "error: line 1: unknown column(s) action|date|person (the header is one column when "
        "split at ','; separate columns with ',' ';' or a tab)"
    ]
