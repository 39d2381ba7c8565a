"""Queries with random, often nasty, arguments: every case exits 0 to 3 with one clear line, and
the ledger is unchanged after all of them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import values as v
from tests.fuzz.harness import FUZZ, Store

pytestmark = pytest.mark.fuzz

Args = list[str | bytes]

POINT_IN_TIME = ["capital", "votes", "refunds", "members", "compliance", "register", "coops"]


def _any(slot: v.Slot) -> st.SearchStrategy:
    return st.one_of(slot.ok, slot.bad)


OUT_NAMES = ["x.csv", "x.xlsx", "x.txt", "", "missing/x.csv", "x.CSV", ".xlsx", "x.csv\n"]


@st.composite
def query(draw: st.DrawFn) -> Args:
    name = draw(
        st.sampled_from(
            [*POINT_IN_TIME, "history", "timeline", "factsheet", "verify", "diff", "export"]
        )
    )
    args: Args = []
    if draw(st.integers(0, 5)) == 0:
        args += ["--coop", draw(st.one_of(st.just("acme"), v.TEXT.bad))]
    args.append(name)
    if name in (*POINT_IN_TIME, "timeline", "diff") and draw(st.booleans()):
        args += ["--as-of", draw(_any(v.DAY))]
    if name not in ("verify", "diff", "export") and draw(st.booleans()):
        args += ["--known-at", draw(_any(v.MOMENT))]
    if name == "history" and draw(st.booleans()):
        args.append(draw(_any(v.PERSON)))
    if name == "members" and draw(st.booleans()):
        args.append("--eligible")
    if name == "timeline" and draw(st.booleans()):
        args += ["--from", draw(_any(v.DAY))]
    if name == "factsheet":
        args += ["--year", draw(st.one_of(st.sampled_from(["2020", "2021"]), v.NUMBER.bad))]
    if name == "verify" and draw(st.booleans()):
        anchors = ["1:00", "3:" + "0" * 64, "x", "", "9" * 30 + ":ab", "-1:ab", "1:ab:cd"]
        args += ["--anchor", draw(st.one_of(st.sampled_from(anchors), v.TEXT.bad))]
    if name == "diff":
        args += ["--from-known-at", draw(_any(v.MOMENT))]
        if draw(st.booleans()):
            args += ["--to-known-at", draw(_any(v.MOMENT))]
    if name == "export":
        args.append(draw(st.sampled_from(["x.jsonl", "x.csv", "missing/x.jsonl", ""])))
    if name in ("capital", "refunds", "members", "register", "history") and draw(st.booleans()):
        args += ["--out", draw(st.sampled_from(OUT_NAMES))]
    if draw(st.booleans()):
        formats = ["json", "csv", "table", "xml", ""]
        args += ["--format", draw(st.sampled_from(formats))]
    return args


def test_queries_with_nasty_arguments(fuzz_store: Store) -> None:
    with fuzz_store.copy() as example:

        @FUZZ
        @given(args=query())
        def case(args: Args) -> None:
            example.query(args)

        case()
        # No query wrote anything: the answers are those of the prepared ledger.
        example.finish()
