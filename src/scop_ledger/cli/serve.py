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
@click.option("--write", is_flag=True, help=_("Allow writing (needs a login: not built yet)."))
@click.pass_context
def serve(ctx: click.Context, /, host: str, port: int, write: bool) -> None:
    """The ledger in a browser: pages and a JSON API, read-only. It prints its address; Ctrl-C
    stops it.

    \b
    Example:
      scop-ledger serve --port 8000
    """
    from scop_ledger.domain.errors import InvalidValue

    if write:
        raise InvalidValue(_("--write needs a login, which is not built yet: serve read-only"))
    if host not in LOOPBACK:
        raise InvalidValue(
            _(
                "--host {host}: serving beyond this machine needs a login, which is not built yet"
            ).format(host=host)
        )
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
    application = create_app(session.settings)
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        _("serving the ledger read-only on {url} (Ctrl-C stops)").format(
            url=f"http://{shown}:{port}/"
        )
    )
    server = uvicorn.Server(uvicorn.Config(application, host=host, port=port, log_level="warning"))
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C once stopped
        server.run()
    click.echo(_("stopped"))
