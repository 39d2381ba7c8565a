"""The root command group: global options, the shared context, and the one place where
errors become one line on stderr and an exit code (CONTRACT.md)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from scop_ledger import __version__
from scop_ledger.app.session import Session


def fail(message: str, code: int) -> None:
    """One line on stderr per problem (an import reports one line per invalid row)."""
    for line in message.splitlines() or [message]:
        click.echo(f"error: {line}", err=True)
    sys.exit(code)


def classify(error: BaseException) -> tuple[int, str] | None:
    """The exit code and one-line message for an error a user may meet, or None for a bug.

    Only modules already loaded are consulted, so an error on the light query path does not
    import SQLAlchemy."""
    from scop_ledger.domain.errors import LedgerError
    from scop_ledger.store.db import Unavailable

    if isinstance(error, LedgerError):
        return error.exit_code, error.message
    if isinstance(error, UnicodeEncodeError) and error.reason == "surrogates not allowed":
        # Undecodable bytes in an argument, a variable or a file name (Python keeps them as
        # lone surrogates): the text fields refuse them; this catches any other place.
        return 2, "an argument or file name is not valid UTF-8 text"
    if isinstance(error, Unavailable):
        return error.exit_code, str(error)
    if isinstance(error, OSError) and error.filename is not None:
        # A file named on the command line (--out, an anchors file) that cannot be written
        # or read: its name, shortened, and the system's reason.
        from scop_ledger.domain.values import show

        reason = error.strerror or type(error).__name__
        return 2, f"{show(str(error.filename), 80)}: {reason}"
    store = sys.modules.get("scop_ledger.store.engine")
    if store is not None and isinstance(error, store.StoreError):
        return error.exit_code, str(error)
    database_errors: list[type[BaseException]] = []
    for module, name in (
        ("sqlalchemy.exc", "SQLAlchemyError"),
        ("eventsourcing.persistence", "PersistenceError"),
        ("psycopg", "Error"),
        ("sqlite3", "Error"),
    ):
        loaded = sys.modules.get(module)
        if loaded is not None:
            database_errors.append(getattr(loaded, name))
    if isinstance(error, tuple(database_errors)):
        text = _first_line(error)
        if "does not exist" in text or "no such table" in text:
            return 3, "store unavailable: this store holds no ledger yet (run 'scop-ledger init')"
        if "locked" in text or "lock timeout" in text:
            return 3, f"store locked: {text}"
        return 3, f"store unavailable: {text}"
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class LedgerGroup(click.Group):
    """Turns every error into one line on stderr and its exit code (CONTRACT.md)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            fail("interrupted: nothing more was written", 130)
        except BrokenPipeError:
            # The reader went away (``scop-ledger history | head``): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as error:
            found = classify(error)
            if found is None:
                if os.environ.get("SCOP_LEDGER_DEBUG"):
                    raise
                # Never a traceback for a user: one line; SCOP_LEDGER_DEBUG=1 shows the rest.
                found = 1, f"unexpected failure ({type(error).__name__}): {_first_line(error)}"
            fail(found[1], found[0])
        finally:
            obj = ctx.obj
            if isinstance(obj, Session):
                obj.close()


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="SCOP_LEDGER_DB",
    default="sqlite:///scop-ledger.db",
    show_default=True,
    help="SQLAlchemy URL of the store (sqlite:///FILE or postgresql://...).",
)
@click.option("--coop", envvar="SCOP_LEDGER_COOP", default=None, help="Which cooperative (slug).")
@click.option(
    "--user",
    envvar="SCOP_LEDGER_USER",
    default=None,
    help="Who records (one line, at most 200 characters). Default: OS login.",
)
@click.option(
    "--read-only",
    is_flag=True,
    envvar="SCOP_LEDGER_READ_ONLY",
    help="Open the store read-only (auditor's mode); writes exit 3.",
)
@click.version_option(__version__, prog_name="scop-ledger")
@click.pass_context
def main(ctx: click.Context, db: str, coop: str | None, user: str | None, read_only: bool) -> None:
    """scop-ledger: the membership and share-capital ledger of a worker cooperative.

    Every movement is an immutable entry with an effective date; every question can be
    asked as of any date and as known at any moment.

    \b
    Example:
      scop-ledger init acme --name "Acme Scop" --legal-form sarl --share-value 25 --date 2020-01-01
      scop-ledger hire alice --name "Alice Martin" --date 2020-01-01
      scop-ledger history --format json
    """
    from scop_ledger.cli.render import note, progress
    from scop_ledger.domain.values import MAX_NAME, coop_slug, single_line
    from scop_ledger.settings import Settings, default_user

    # Checked here, inside the group's error handling, so that a bad value is one line.
    if coop:
        coop_slug(coop)
    if user:
        single_line(user, what="--user", limit=MAX_NAME)
    ctx.obj = Session(
        Settings(url=db, coop=coop, user=user or default_user(), read_only=read_only),
        note=note,
        progress=progress,
    )


def _register() -> None:
    from scop_ledger.cli import audit, query, write

    write.register(main)
    query.register(main)
    audit.register(main)


_register()
