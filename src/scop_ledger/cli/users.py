"""``users``: who may log in to the browser to write (``serve --write``)."""

from __future__ import annotations

import sys

import click

from scop_ledger.cli.context import get_app
from scop_ledger.i18n import _


@click.group()
def users() -> None:
    """Users who may log in to the browser to write (serve --write).

    \b
    Example:
      scop-ledger users add claire
    """


@users.command("add")
@click.argument("name")
@click.option(
    "--password-stdin", is_flag=True, help=_("Read the password from the first line of stdin.")
)
@click.pass_context
def add(ctx: click.Context, /, name: str, password_stdin: bool) -> None:
    """Add a user; the password is asked twice (or read from stdin), its argon2 hash stored.
    Makes the store when there is none yet (the cooperative can then be registered in the
    browser).

    \b
    Example:
      scop-ledger users add claire
    """
    from scop_ledger.app import users as accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    try:
        accounts.add(get_app(ctx), name, password)
    except ModuleNotFoundError as error:
        from scop_ledger.domain.errors import InvalidValue

        raise InvalidValue(
            _(
                "serve needs the web extra: pip install 'scop-ledger[web]' ({name} is missing)"
            ).format(name=error.name)
        ) from None
    click.echo(_("user {name} added").format(name=name))
