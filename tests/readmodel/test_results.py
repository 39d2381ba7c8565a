"""The answers' JSON (readmodel/results.py, plain Python) is what pydantic wrote for the same
fields, byte for byte: checked against pydantic-core's own encoder, which infers a value's JSON
from its type as pydantic's models did (money as a string, dates in ISO 8601, a UTC date-time
with ``Z``, non-ASCII characters as they are)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic_core
import pytest

from scop_ledger import i18n
from scop_ledger.app import queries
from scop_ledger.app.certificates import certificate
from scop_ledger.app.session import Session
from scop_ledger.readmodel.results import Result, serializer
from scop_ledger.settings import Settings
from tests.helpers import acme, do, open_ledger

AS_OF = date(2020, 12, 31)


def as_pydantic_wrote(value: Any) -> bytes:
    """``value``'s JSON by pydantic-core, a field's serializer applied as pydantic did."""

    def python(v: Any) -> Any:
        if isinstance(v, Result):
            out = {}
            for name in v.model_fields:
                field = v.__dict__[name]
                writer = v._json_writers.get(name)
                out[name] = python(getattr(v, writer)(field) if writer else field)
            return out
        if isinstance(v, list):
            return [python(x) for x in v]
        if isinstance(v, dict):
            return {k: python(x) for k, x in v.items()}
        return v

    return pydantic_core.to_json(python(value))


class Sample(Result):
    text: str
    amount: Decimal
    on: date
    at: datetime
    other: datetime | None = None
    flag: bool = False
    rows: list[dict[str, Any]] | None = None

    @serializer("other")
    def _offset(self, value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()


def test_values_are_written_as_pydantic_wrote_them() -> None:
    paris = timezone(timedelta(hours=1))
    for at in (
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, 1, 2, 3, 120000, tzinfo=UTC),
        datetime(2024, 1, 1, 1, 2, 3, 5, tzinfo=paris),
        datetime(2024, 1, 1),
    ):
        sample = Sample(
            text='é "quoted" \\ \x01\x7f\u2028 \U0001f600 / <tag>',
            amount=Decimal("-0.00"),
            on=date(2024, 2, 29),
            at=at,
            other=at if at.tzinfo else None,
            rows=[{"x": Decimal("1E+2"), "d": date(2024, 1, 1), "t": at, "n": None}],
        )
        assert sample.model_dump_json().encode() == as_pydantic_wrote(sample)
    assert Sample(text="a", amount=Decimal(1), on=AS_OF, at=at).rows is None


def test_a_result_is_frozen_but_its_private_attributes_are_not() -> None:
    sample = Sample(text="a", amount=Decimal(1), on=AS_OF, at=datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(AttributeError):
        sample.text = "b"  # type: ignore[misc]
    sample._note = "kept"
    assert sample.model_dump()["text"] == "a" and "_note" not in sample.model_dump()
    with pytest.raises(TypeError):
        Sample(text="a")


def test_every_answer_writes_the_json_pydantic_wrote(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = open_ledger(url)
    acme(ledger)
    do(ledger, "hire", "2016-01-04", person="ann", name="Anne-Sophie Müller")
    do(ledger, "admit", "2016-02-01", person="ann")
    do(ledger, "subscribe", "2016-02-01", person="ann", shares="10", paid="125.50")
    do(ledger, "hire", "2016-01-04", person="ben", name="Ben")
    do(ledger, "admit", "2016-02-01", person="ben")
    do(ledger, "subscribe", "2016-02-01", person="ben", shares="4")
    do(ledger, "terminate", "2018-06-30", person="ben", reason="resignation")
    ledger.close()
    session = Session(Settings(url=url, user="tester"))
    answers = [
        queries.capital(session, AS_OF, None),
        queries.votes(session, AS_OF, None),
        queries.refunds(session, AS_OF, None),
        queries.members(session, AS_OF, None),
        queries.register(session, AS_OF, None),
        queries.factsheet(session, 2019, None),
        queries.roll(session, AS_OF, None),
        certificate(session, "ann", AS_OF, None),
    ]
    for lang in ("en", "fr"):  # French: the details in English in JSON (a serializer)
        i18n.set_language(lang)
        try:
            answers += [
                queries.compliance(session, AS_OF, None),
                queries.timeline(session, AS_OF, None, None, ()),
            ]
        finally:
            i18n.set_language(i18n.DEFAULT)
    session.close()
    for answer in answers:
        assert answer.model_dump_json().encode() == as_pydantic_wrote(answer), type(answer)
