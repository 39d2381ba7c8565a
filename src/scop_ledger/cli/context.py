"""What the command modules share with the root group: the invocation's context."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from scop_ledger.cli.main import AppContext


def get_app(ctx: click.Context) -> AppContext:
    """The invocation's :class:`AppContext` (set by the root group)."""
    from scop_ledger.cli.main import AppContext

    app = ctx.find_object(AppContext)
    assert app is not None, "the root group sets the context"
    return app
