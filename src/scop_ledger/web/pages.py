"""The pages: server-rendered HTML (Jinja2), one per question, each with its date controls."""

from __future__ import annotations

from typing import Any

from scop_ledger.web.context import Served


def routes(served: Served) -> list[Any]:
    return []
