"""The detail of a check: an English template marked with ``N_`` and its values, rendered
when shown, in the language of that moment (``str(text)``).

The sweep builds thousands of checks and shows few of them; and one check is shown in French in
a table and in English in JSON (which never depends on the language) without being computed
twice. Values are rendered by their type: money (:class:`Decimal`) with two places, a
:class:`Fraction` as a percentage, dates as :func:`scop_ledger.i18n.day`, labels
(:class:`Word`) translated, lists (:class:`Joined`) with the language's separator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from scop_ledger import i18n
from scop_ledger.i18n import N_, _

CENT = Decimal("0.01")
LIST_SEPARATOR = N_("; ")


class Said:
    """What a detail is: shown in the current language by ``str()``, in English by
    :meth:`english`."""

    __slots__ = ()

    def english(self) -> str:
        """The text in English (the language of JSON answers)."""
        with i18n.speaking(i18n.DEFAULT):
            return str(self)


@dataclass(frozen=True, slots=True)
class Text(Said):
    """A template and its values; ``str()`` renders it in the current language."""

    template: str
    values: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return _(self.template).format(**{k: shown(v) for k, v in self.values})


def text(template: str, **values: object) -> Text:
    """A detail: ``template`` (an English text marked with ``N_``) and its values."""
    return Text(template, tuple(values.items()))


@dataclass(frozen=True, slots=True)
class Num:
    """A number shown as the language writes it (``0.8974``; ``0,8974`` in French)."""

    value: Decimal

    def __str__(self) -> str:
        return i18n.number(self.value)


@dataclass(frozen=True, slots=True)
class Word:
    """A label marked with ``N_`` (an office, a part of a split), translated when shown."""

    label: str

    def __str__(self) -> str:
        return _(self.label)


@dataclass(frozen=True, slots=True)
class Joined(Said):
    """Values shown one after the other: ``a; b`` (``a ; b`` in French), or ``a, b``."""

    items: tuple[object, ...]
    comma: bool = False

    def __str__(self) -> str:
        sep = ", " if self.comma else _(LIST_SEPARATOR)
        return sep.join(shown(x) for x in self.items)


def shown(value: object) -> str:
    """One value of a detail in the current language."""
    if isinstance(value, Decimal):
        return i18n.money(value.quantize(CENT, rounding=ROUND_HALF_UP))
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) * 100 / Decimal(value.denominator)
        places = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        return f"{places}%" if i18n.language() == i18n.DEFAULT else f"{i18n.number(places)} %"
    if isinstance(value, date):
        return i18n.day(value)
    if isinstance(value, bool):
        return i18n.yes_no(value)
    if isinstance(value, int):
        return i18n.number(value)
    return str(value)
