"""Where a caller changes how a projector applies pages, without overriding it: a rebuild's
workers plug in here (readmodel/parallel.py), and a test or an operator interrupts here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Connection


@dataclass(frozen=True)
class Hooks:
    """A projector's hooks; the defaults keep the ledger's own view.

    - ``member_id``: the view's id of a member registered now, given the member's aggregate id
      (None: the next free id, as the ledger's view numbers them);
    - ``before_lookup``: run before a back-dated entry or a reversal looks a member's rows up
      (a rebuild's worker builds the indexes it needs then);
    - ``chain``: whether each page also extends the kept hash chain (store/chain.py);
    - ``from_start``: the pages read start at the log's first entry, so each aggregate is met
      at version 1 and no earlier version needs looking up;
    - ``on_page``: run with each page's notifications once its rows are written, before its
      transaction commits (in a rebuild's workers too): what it raises rolls the page back
      whole, and the projector's caches with it. The place to interrupt a catch-up or a
      rebuild mid-page (tests prove there that a crash leaves nothing half-applied).
    """

    member_id: Callable[[UUID], int] | None = None
    before_lookup: Callable[[Connection], None] | None = None
    chain: bool = True
    from_start: bool = False
    on_page: Callable[[Sequence[tuple[Any, ...]]], None] | None = None
