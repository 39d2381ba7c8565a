"""A check that remembers its answers answers as the check does: the same value for a text it
accepted, the same refusal (naming the field) for a text it refused, each time."""

from __future__ import annotations

import pytest

from scop_ledger.app.remembered import by_text


def test_an_accepted_text_is_answered_again_and_a_refused_one_checked_anew() -> None:
    calls: list[object] = []

    def check(value: object, about: str) -> int:
        calls.append(value)
        if value == "bad":
            raise ValueError(f"{about}: {value} refused")
        return int(str(value))

    checked = by_text(check)
    assert [checked("12", "a"), checked("12", "b"), checked(12, "a"), checked(12, "a")] == [12] * 4
    for about in ("shares", "amount"):
        with pytest.raises(ValueError, match=f"^{about}: bad refused$"):
            checked("bad", about)
    assert calls == ["12", 12, 12, "bad", "bad"]
