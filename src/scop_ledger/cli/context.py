"""What the command modules share with the root group: the invocation's context."""

from __future__ import annotations

import click

from scop_ledger.app.session import Session


def get_app(ctx: click.Context) -> Session:
    """The invocation's :class:`~scop_ledger.app.session.Session` (set by the root group)."""
    session = ctx.find_object(Session)
    assert session is not None, "the root group sets the context"
    return session
