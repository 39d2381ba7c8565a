"""Audit commands: verify the hash chain, diff two states of knowledge, the HTML review pack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from scop_ledger.cli.main import get_app
from scop_ledger.cli.render import emit_json

F = TypeVar("F", bound=Callable[..., Any])


def register(group: click.Group) -> None:
    for command in (verify,):
        group.add_command(command)


def _format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


@click.command()
@click.option(
    "--anchor",
    default=None,
    metavar="SEQ:HASH",
    help="The head written down at an earlier review: it must be a prefix of today's chain.",
)
@_format_option("table", "json")
@click.pass_context
def verify(ctx: click.Context, /, anchor: str | None, fmt: str) -> None:
    """Recompute the hash chain over every stored event and print its head SEQ:HASH; exit 1
    naming the first entry changed, missing, inserted or out of order, or when the anchor is
    not a prefix of today's chain. Reads only: works with --read-only.

    \b
    Example:
      scop-ledger verify
      scop-ledger --read-only verify --anchor 1042:9f2c…e1
    """
    from scop_ledger.domain.errors import InvalidValue
    from scop_ledger.projections import chain
    from scop_ledger.projections.db import connect

    app = get_app(ctx)
    wanted = None
    if anchor is not None:
        try:
            wanted = chain.parse_anchor(anchor)
        except ValueError as error:
            raise InvalidValue(f"--anchor: {error}") from None
    db = connect(app.settings.url, read_only=True, recover=not app.settings.read_only)
    try:
        if not db.has_table(chain.EVENTS):
            from scop_ledger.projections.db import Unavailable

            raise Unavailable("store unavailable: this store holds no ledger yet")
        verdict = chain.verify(db, wanted)
    finally:
        db.close()
    if fmt == "json":
        emit_json(
            {
                "head": verdict.head,
                "entries": verdict.entries,
                "kept": verdict.kept,
                "anchor": verdict.anchor,
                "ok": verdict.ok,
                "problem": verdict.problem,
            }
        )
    else:
        click.echo(verdict.head)
        if verdict.ok:
            click.echo(
                f"{verdict.entries} entries chained; {verdict.kept} checked against the chain "
                f"kept since they were recorded"
                + ("" if verdict.anchor is None else f"; anchor {verdict.anchor} holds")
            )
        else:
            click.echo(f"the chain holds for the {verdict.entries} entries before the problem")
    if verdict.problem is not None:
        click.echo(f"error: {verdict.problem}", err=True)
        ctx.exit(1)
