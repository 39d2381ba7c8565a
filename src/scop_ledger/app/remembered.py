"""Checks that remember their answers for the texts they accepted: a file's dates, amounts and
people repeat from row to row, and checking each again costs more than looking it up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# How many accepted texts a check remembers, after which it forgets them all and starts again.
REMEMBERED = 8192


def by_text(check: Callable[[Any, Any], T]) -> Callable[[Any, Any], T]:
    """``check(value, about)``, giving again the answer it gave for a text it accepted before; a
    refused text is checked anew (its message names ``about``), any other value each time. For
    checks whose answer to a text depends on the text alone."""
    answers: dict[str, T] = {}

    def checked(value: Any, about: Any) -> T:
        if type(value) is not str:
            return check(value, about)
        found = answers.get(value)
        if found is None:
            found = check(value, about)
            if len(answers) >= REMEMBERED:
                answers.clear()
            answers[value] = found
        return found

    return checked
