"""What :func:`scop_ledger.audit.verify.verify` finds: the verdict, the kept chain's seal, and
the first problem met along the chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from scop_ledger.i18n import _, day, speaking


class Text(str):
    """A message kept with its English template and its values: as a ``str`` it is the English
    sentence (what JSON answers carry, whatever the language), and :meth:`local` is the same
    sentence in the current language. A value that is itself a :class:`Text` is shown in the
    language of the sentence; a date as :func:`~scop_ledger.i18n.day` writes it."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Text:
        with speaking("en"):
            english = _fill(template, values)
        text = super().__new__(cls, english)
        text.template = template
        text.values = values
        return text

    def local(self) -> str:
        """The sentence in the current language."""
        return _fill(_(self.template), self.values)


def _fill(template: str, values: dict[str, Any]) -> str:
    return template.format(**{name: _shown(value) for name, value in values.items()})


def _shown(value: Any) -> Any:
    if isinstance(value, Text):
        return value.local()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return day(value)
    return value


def local(text: str | None) -> str:
    """``text`` in the current language when it is a :class:`Text`, else as it is."""
    if isinstance(text, Text):
        return text.local()
    return "" if text is None else text


class Finding(Exception):
    """The first problem met along the chain, in one line naming the entry by its sequence
    number: it stops the check. ``template`` is the English message (marked with ``N_``), filled
    with ``values``."""

    def __init__(self, template: str, **values: Any) -> None:
        self.message = Text(template, **values)
        super().__init__(self.message)


@dataclass(frozen=True)
class Seal:
    """The kept chain's head as the projector last left it (``rm_chain_seal``): a kept chain
    dropped or cut short since is told from one that never held those entries."""

    seq: int
    link: str
    reseeded_at: str | None = None
    reseeded_by: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What :func:`~scop_ledger.audit.verify.verify` found: the head of the chain recomputed
    from the stored events (with a problem, the last entry before it), how many entries that
    covers, how many of them the kept chain vouches for, how many the view has not applied yet
    (``pending``: chained, not yet kept), and the first problem (None when there is none)."""

    head: str
    entries: int
    kept: int
    problem: Text | None
    anchor: str | None = None
    pending: int = 0
    recorded_at: datetime | None = None
    seal: Seal | None = None
    ranges: tuple[tuple[int, int], ...] | None = None
    fingerprints: bytes | None = None
    # ``verify`` of one cooperative (audit/one.py): its slug, and how many entries of the kept
    # chain were walked (``entries`` and ``kept`` are then the cooperative's own).
    coop: str | None = None
    chained: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None
