"""The rules' checks as plain JSON, for the kept sweep (:mod:`~scop_ledger.readmodel.sweeps`):
never pickle, so that a store handed to an auditor holds data only, and loading it runs no
code. A check's detail (:mod:`scop_ledger.domain.rules.text`) is written with a tag for each
type JSON does not have: ``{"T": template, "v": [[name, value], ...]}`` a text,
``{"J": [items], "c": comma}`` a list, ``{"N": "0.8974"}`` a number, ``{"W": label}`` a word,
``{"D": "12.50"}`` a Decimal, ``{"F": [numerator, denominator]}`` a Fraction, ``{"d": iso}``
a date; booleans, integers, strings and None are JSON's own. Any other value is refused
(:class:`TypeError`): the sweep is then not kept."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scop_ledger.domain.rules.facts import Check, Status
from scop_ledger.domain.rules.text import Joined, Num, Text, Word

STATUSES = {s.value: s for s in Status}


def encoded(value: object) -> Any:
    """``value`` (a detail or one of its values) as JSON data."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Text):
        return {"T": value.template, "v": [[k, encoded(v)] for k, v in value.values]}
    if isinstance(value, Joined):
        return {"J": [encoded(x) for x in value.items], "c": value.comma}
    if isinstance(value, Num):
        return {"N": str(value.value)}
    if isinstance(value, Word):
        return {"W": value.label}
    if isinstance(value, Decimal):
        return {"D": str(value)}
    if isinstance(value, Fraction):
        return {"F": [value.numerator, value.denominator]}
    if isinstance(value, date) and not isinstance(value, datetime):
        return {"d": value.isoformat()}
    raise TypeError(f"no JSON form for {type(value).__name__}")


def decoded(data: Any) -> Any:
    """The value :func:`encoded` wrote as ``data``."""
    if not isinstance(data, dict):
        return data
    if "T" in data:
        return Text(data["T"], tuple((k, decoded(v)) for k, v in data["v"]))
    if "J" in data:
        return Joined(tuple(decoded(x) for x in data["J"]), data["c"])
    if "N" in data:
        return Num(Decimal(data["N"]))
    if "W" in data:
        return Word(data["W"])
    if "D" in data:
        return Decimal(data["D"])
    if "F" in data:
        return Fraction(*data["F"])
    if "d" in data:
        return date.fromisoformat(data["d"])
    raise ValueError(f"unknown tag in {sorted(data)}")


def check_data(check: Check) -> list[Any]:
    """A check as JSON data."""
    return [check.rule, check.status.value, check.value, check.threshold, encoded(check.text)]


def check_of(data: list[Any]) -> Check:
    """The check :func:`check_data` wrote as ``data``."""
    rule, status, value, threshold, text = data
    return Check(rule, STATUSES[status], value, threshold, decoded(text))
