"""``serve``: the ledger in a browser (``scop_ledger.web``), read-only, on this machine."""

from __future__ import annotations

import contextlib

import click

from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import WholeNumber
from scop_ledger.i18n import _

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help=_("Address to listen on."))
@click.option(
    "--port",
    type=WholeNumber(1, 65535),
    default=8000,
    show_default=True,
    help=_("Port to listen on."),
)
@click.option(
    "--write",
    is_flag=True,
    help=_("Allow recording through forms, after logging in (scop-ledger users add)."),
)
@click.pass_context
def serve(ctx: click.Context, /, host: str, port: int, write: bool) -> None:
    """The ledger in a browser: pages and a JSON API, read-only. It prints its address; Ctrl-C
    stops it. With --write, a user who logs in records through forms. On any address but this
    machine's, every page asks for the login (scop-ledger users add), to read too.

    \b
    Example:
      scop-ledger serve --port 8000
    """
    from scop_ledger.domain.errors import InvalidValue

    try:
        import uvicorn

        from scop_ledger.web.app import create_app
    except ImportError as error:
        raise InvalidValue(
            _(
                "serve needs the web extra: pip install 'scop-ledger[web]' ({name} is missing)"
            ).format(name=error.name)
        ) from None
    session = get_app(ctx)
    application = create_app(session.settings, write=write, login_to_read=host not in LOOPBACK)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if write:
        line = _("serving the ledger on {url}; recording needs a login (Ctrl-C stops)")
    elif host not in LOOPBACK:
        line = _("serving the ledger read-only on {url}; reading needs a login (Ctrl-C stops)")
    else:
        line = _("serving the ledger read-only on {url} (Ctrl-C stops)")
    click.echo(line.format(url=url))
    server = uvicorn.Server(uvicorn.Config(application, host=host, port=port, log_level="warning"))
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C once stopped
        server.run()
    click.echo(_("stopped"))
