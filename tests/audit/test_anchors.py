"""Anchors: parsed from the command line, written to and read from an anchors file."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from scop_ledger.audit.anchors import (
    FINGERPRINT,
    Anchor,
    AnchorCheck,
    anchor_line,
    parse_anchor,
    read_anchors,
    split_anchor,
)
from scop_ledger.audit.verdict import Finding, Verdict

HASH = "ab" * 32


def test_an_anchor_is_seq_hash_with_an_optional_signature() -> None:
    assert parse_anchor(f"12:{HASH.upper()}") == (12, HASH)
    assert split_anchor(f"12:{HASH}:c2ln") == (12, HASH, "c2ln")
    assert split_anchor(f" 12:{HASH} ") == (12, HASH, None)
    for bad, why in (
        ("12-abc", "SEQ a positive"),
        (f"0:{HASH}", "SEQ a positive"),
        ("1:xyz", "64 hex"),
    ):
        with pytest.raises(ValueError, match=why):
            split_anchor(bad)


def test_a_line_written_reads_back_as_the_same_anchor() -> None:
    recorded = datetime(2024, 1, 1, tzinfo=UTC)
    verified = datetime(2024, 6, 1, tzinfo=UTC)
    fingerprints = bytes(range(3 * FINGERPRINT))
    verdict = Verdict(
        head=f"3:{HASH}",
        entries=3,
        kept=3,
        problem=None,
        recorded_at=recorded,
        ranges=((1, 3),),
        fingerprints=fingerprints,
    )
    line = anchor_line(verdict, verified, "c2ln")
    assert json.loads(line)["links"] == base64.b64encode(fingerprints).decode()
    (anchor,) = read_anchors(f"\n{line}\n")
    assert anchor == Anchor(
        3,
        HASH,
        verified_at=verified,
        recorded_at=recorded,
        seqs=((1, 3),),
        links=fingerprints,
        signature="c2ln",
        line=2,
    )
    assert list(anchor.positions()) == [1, 2, 3]
    assert anchor.label == f"the anchor of line 2 (3:{HASH}, verified at {verified.isoformat()})"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "no anchor in it"),
        ("garbage", "line 1: not an anchor"),
        ('{"seq": 2, "hash": "' + HASH + '", "seqs": [[1, 2]], "links": ""}', "do not match"),
        ('{"seq": 2, "hash": "' + HASH + '", "seqs": [[1, 1]], "links": "AAAAAA=="}', "end at"),
        ('{"seq": 2, "hash": "' + HASH + '", "verified_at": "2024-01-01T00:00:00"}', "UTC offset"),
    ],
)
def test_a_bad_anchors_file_is_refused_naming_the_line(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        read_anchors(text)


def test_an_anchor_check_names_the_entry_it_does_not_find() -> None:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    value = bytes.fromhex(HASH)
    check = AnchorCheck(Anchor(2, HASH))
    check.step(1, b"\0" * 32, moment)
    check.step(2, value, moment)
    check.finish(2)
    with pytest.raises(Finding, match="not after the anchor"):
        check.step(3, b"\0" * 32, moment)
    short = AnchorCheck(Anchor(5, HASH))
    short.step(1, value, moment)
    with pytest.raises(Finding, match="there is no entry 5 \\(the chain ends at 1\\)"):
        short.finish(1)
