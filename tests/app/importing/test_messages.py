"""The errors of an import: the first hundred by line, from both passes, then a count."""

from __future__ import annotations

from scop_ledger.app.importing.messages import Errors


def test_two_passes_merge_by_line_and_keep_the_first_hundred() -> None:
    read, refused = Errors(), Errors()
    for line in range(2, 300, 2):  # 149 rows that cannot be read: 100 kept, 49 counted
        read.add(line, "unreadable")
    for line in range(3, 60, 2):  # 29 rows the rules refuse
        refused.add(line, "refused")
    both = read.merge(refused)
    report = both.report()
    assert len(report) == 101 and len(both) == 149 + 29
    numbers = [int(text.split(":")[0].removeprefix("line ")) for text in report[:100]]
    assert numbers == sorted([*range(2, 300, 2), *range(3, 60, 2)])[:100]
    assert report[100] == "... and 78 more errors"


def test_without_errors_there_is_nothing_to_report() -> None:
    assert not Errors().merge(Errors()) and Errors().report() == []
