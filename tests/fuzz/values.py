"""Nasty values for the fuzz suite: numbers, dates, identifiers and texts that have broken a
ledger before (issue 13), mixed with plain ones so that examples also reach the rules."""

from __future__ import annotations

from hypothesis import strategies as st


class Long(str):
    """A long value that hypothesis and the failure messages show by its length."""

    def __repr__(self) -> str:
        return f"Long({len(self)} chars: {str.__repr__(self[:30])}...)"

    def _repr_pretty_(self, printer, cycle) -> None:  # type: ignore[no-untyped-def]
        printer.text(repr(self))


NUMBERS_OK = ["1", "2", "4", "10", "25", "100", "100.00", "12.5"]
NUMBERS_BAD = [
    "3689348814741911",
    str(10**21),
    "9" * 40,
    "9" * 30,
    str(2**63),
    str(2**64),
    "1e30",
    "1e20",
    "1E2",
    "Infinity",
    "-Infinity",
    "inf",
    "NaN",
    "-0",
    "0",
    "-1",
    "-0.01",
    "１２",  # full-width digits
    "١٢",  # Arabic-Indic digits
    "²",
    "",
    " ",
    "1.005",
    "0.001",
    "1_000",
    " 5",
    "5\n",
    "0x10",
    "1,5",
    "+3",
    "1e-7",
    "0.1e1",
    Long("1" * 400),
]
DATES_OK = ["2020-01-01", "2020-02-01", "2020-06-01", "2021-01-05", "2024-12-31"]
DATES_BAD = [
    "9999-12-31",
    "0001-01-01",
    "20210105",
    "2021-W01-1",
    "2021-02-30",
    "2020-02-29",
    "1900-01-01",
    "1899-12-31",
    "2199-12-31",
    "2200-01-01",
    "2021-1-5",
    "2021-01-05\n",
    " 2021-01-05 ",
    "",
    "2021-01-05T10:00",
    "２０２１-０１-０５",
    "2021-13-01",
    "+2021-01-01",
    "10000-01-01",
    "2019-12-31",  # before the cooperative's registration
]
MOMENTS_BAD = [
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31",
    "0001-01-01",
    "2021-01-01",
    "2021-01-01T00:00:00Z",
    "2021-01-01T25:00",
    "now",
    "",
    "1e30",
]
PERSONS_OK = ["alice", "bob", "carol", "dave", "erin"]
PERSONS_BAD = [
    "alice\n",
    "a" * 64,
    "a" * 64 + "\n",
    "a" * 65,
    "Alice",
    "ALICE",
    "ali ce",
    "alice ",
    "alice\t",
    "é",
    "x\u202e",
    "1",
    "",
    "-x",
    "a.b",
    "a..b",
]
TEXTS = [
    "",
    "Zoé Lévy",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\n",
    "a\nb",
    "a\rb",
    "\t",
    "\u2028",
    "😀",
    "\x7f",
    "\x01",
    "\x1b[31mred",
    "'",
    '"',
    "\\",
    "null",
    Long("x" * 5000),
    Long("x" * 100_000),
]
# Arguments that are not UTF-8 (a shell passes them as they are; Python reads them as
# surrogates): Latin-1, an encoded surrogate, a stray byte, a cut sequence.
RAW_ARGS = [b"L\xe9vy", b"\xed\xa0\x80", b"\xff", b"a\xc3"]
OFFICES = ["manager", "chair", "ceo", "director", "board-member", "supervisory-board-member"]
TERMINATIONS = ["resignation", "dismissal", "death", "retirement"]
LEAVINGS = ["resignation", "exclusion", "death"]
FORMS = ["sarl", "sas", "sa"]

_SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=12,
)
RANDOM = st.one_of(_SAFE_TEXT, st.sampled_from(RAW_ARGS))


class Slot:
    """One kind of argument: the plain values that let a command succeed, and the nasty ones."""

    def __init__(self, ok: list[str], bad: list[str]) -> None:
        self.ok = st.sampled_from(ok)
        listed = st.sampled_from(bad)
        self.bad = st.one_of(listed, listed, listed, listed, RANDOM)


NUMBER = Slot(NUMBERS_OK, NUMBERS_BAD)
DAY = Slot(DATES_OK, DATES_BAD)
MOMENT = Slot(["2030-01-01", "2030-01-01T00:00:00+00:00"], MOMENTS_BAD)
PERSON = Slot(PERSONS_OK, PERSONS_BAD)
TEXT = Slot(["Zoé", "contract 1"], TEXTS)


def among(values: list[str]) -> Slot:
    return Slot(values, ["", values[0].upper(), values[0] + "\n", "x"])


# Values for import cells: anything above, plus what no argument can carry (NUL, a lone
# surrogate).
CELL_EXTRA = ["a\x00b", "\x00", "\ud800", "alice\ud800", "alice\x00"]
