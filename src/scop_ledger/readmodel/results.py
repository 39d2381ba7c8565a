"""The answers' base class: frozen objects with named fields that write themselves as the JSON of
CONTRACT.md (money and dates as strings, the fields in their declared order).

Plain Python on purpose: every point-in-time command returns one of these, and pydantic (the
library, then each model's schema) cost a query more than its SQL did. The JSON is what
pydantic's ``model_dump_json`` wrote for the same fields, byte for byte: compact, non-ASCII
characters as they are, ``Decimal`` as its ``str``, a date in ISO 8601, a date-time in ISO 8601
with ``Z`` for UTC (a field's :func:`serializer` may write it otherwise); the methods keep
pydantic's names (``model_dump``, ``model_dump_json``, ``model_fields``) so that callers need
not know. Values are stored as given: the query code hands them over already of their type.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Self, dataclass_transform

_MISSING: Any = object()
_UTC = timedelta(0)
_set = object.__setattr__


class Field:
    """A field's declaration: its default (``field.default``), if it has one."""

    __slots__ = ("default",)

    def __init__(self, default: Any) -> None:
        self.default = default

    def is_required(self) -> bool:
        return self.default is _MISSING


def serializer(*names: str) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
    """Mark a method ``(self, value) -> value`` as writing the fields ``names`` in JSON."""

    def mark(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        method.__serializes__ = names  # type: ignore[attr-defined]
        return method

    return mark


@dataclass_transform(kw_only_default=True)
class Result:
    """A query result. Subclasses declare fields by annotation (a default after ``=``); names
    starting with ``_`` are private attributes (not fields), settable on the frozen answer."""

    model_fields: ClassVar[dict[str, Field]] = {}
    _json_writers: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = dict(cls.model_fields)
        writers = dict(cls._json_writers)
        for name, annotation in inspect.get_annotations(cls).items():
            if name.startswith("_") or "ClassVar" in str(annotation):
                continue
            fields[name] = Field(cls.__dict__.get(name, _MISSING))
        for attr, member in cls.__dict__.items():
            for name in getattr(member, "__serializes__", ()):
                writers[name] = attr
        cls.model_fields = fields
        cls._json_writers = writers

    def __init__(self, **values: Any) -> None:
        kept: dict[str, Any] = {}
        for name, field in self.model_fields.items():
            if name in values:
                kept[name] = values[name]
            elif field.default is _MISSING:
                raise TypeError(f"{type(self).__name__}: field {name!r} is required")
            elif isinstance(field.default, list | dict | set):
                kept[name] = field.default.copy()  # each answer its own, as pydantic did
            else:
                kept[name] = field.default
        _set(self, "__dict__", kept)

    @classmethod
    def of(cls, **values: Any) -> Self:
        """An answer from values already valid, every field given, without checking them
        (thousands of rows per answer)."""
        row = cls.__new__(cls)
        _set(row, "__dict__", values)
        return row

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.model_fields:
            raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be set")
        _set(self, name, value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *(self.__dict__[name] for name in self.model_fields)))

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for name in self.model_fields:
            yield name, self.__dict__[name]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self.model_fields)
        return f"{type(self).__name__}({shown})"

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        """The fields as a dict (answers within as dicts too); ``mode="json"``: as the JSON has
        them (strings for money and dates)."""
        return _json_fields(self) if mode == "json" else _python_fields(self)

    def model_dump_json(self) -> str:
        return json.dumps(_json_fields(self), ensure_ascii=False, separators=(",", ":"))


def _python_fields(result: Result) -> dict[str, Any]:
    values = result.__dict__
    return {name: _python(values[name]) for name in result.model_fields}


def _python(value: Any) -> Any:
    if isinstance(value, Result):
        return _python_fields(value)
    if isinstance(value, list | tuple):
        return [_python(v) for v in value]
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    return value


#: The types written as they are, and those written as a string, checked by exact type first
#: (an answer of thousands of rows writes each of their values).
_AS_IS = frozenset({str, int, bool, float, type(None)})
_AS_TEXT: dict[type, Callable[[Any], str]] = {Decimal: str, date: date.isoformat}


def _json_fields(result: Result) -> dict[str, Any]:
    values, writers = result.__dict__, result._json_writers
    found: dict[str, Any] = {}
    for name in result.model_fields:
        value = values[name]
        if writers:
            writer = writers.get(name)
            if writer is not None:
                value = getattr(result, writer)(value)
        kind = type(value)
        if kind in _AS_IS:
            found[name] = value
        elif kind in _AS_TEXT:
            found[name] = _AS_TEXT[kind](value)
        else:
            found[name] = _json(value)
    return found


def _json(value: Any) -> Any:
    """One value as the JSON has it."""
    if value is None or isinstance(value, bool | int | str | float):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Result):
        return _json_fields(value)
    if isinstance(value, list | tuple):
        return [_json_fields(v) if isinstance(v, Result) else _json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if value.utcoffset() == _UTC else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return _json(value.value)
    return str(value)
