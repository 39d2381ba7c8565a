"""The root command group: global options, the shared context, the table of commands (each
module imported only when its command runs), and the one place where errors become one line on
stderr and an exit code (CONTRACT.md)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

import click

from scop_ledger import __version__
from scop_ledger.app.session import Session
from scop_ledger.cli.commands import COMMANDS
from scop_ledger.i18n import LANGUAGES, N_, _, resolve, set_language, speak_to_click


def fail(message: str, code: int) -> None:
    """One line on stderr per problem (an import reports one line per invalid row)."""
    for line in message.splitlines() or [message]:
        click.echo(_("error: {line}").format(line=line), err=True)
    sys.exit(code)


def _asked_language(words: list[str]) -> str | None:
    """The value of the global ``--lang`` among the words before the command's name."""
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
        if word in COMMANDS:
            return None
    return None


@contextmanager
def _translated(items: Iterable[Any]) -> Iterator[None]:
    """Within the block, the ``help`` of ``items`` (the root group and its options, defined
    before the language is known) is translated; afterwards, as it was."""
    kept = [(item, item.help) for item in items if getattr(item, "help", None)]
    for item, text in kept:
        item.help = _(text)
    try:
        yield
    finally:
        for item, text in kept:
            item.help = text


# Click 8.4 and later suggest the close names of an unknown command (none before: catch none).
_NO_SUCH_COMMAND: Any = getattr(click.exceptions, "NoSuchCommand", ())


class LedgerGroup(click.Group):
    """The commands of :data:`COMMANDS`, each module imported when its command runs; turns
    every error into one line on stderr and its exit code (CONTRACT.md)."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        """Speak the language asked for from the first line on, before the options are parsed, so
        that an error in them is in that language too (``--lang`` then checks the value)."""
        words = list(sys.argv[1:] if args is None else args)
        lang = resolve(_asked_language(words), os.environ)
        set_language(lang)
        speak_to_click(lang)
        return super().main(words, *rest, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = COMMANDS.get(cmd_name)
        if found is None:
            return None
        module, name = found[0].split(":")
        command: click.Command = getattr(import_module(f"scop_ledger.cli.{module}"), name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except _NO_SUCH_COMMAND as error:
            # The close names ("Did you mean ...?") among every command, not the loaded ones.
            raise _NO_SUCH_COMMAND(error.command_name, possibilities=COMMANDS, ctx=ctx) from None

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The group's help (marked ``N_`` when the module loads), in the current language."""
        with _translated([self]):
            super().format_help_text(ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The global options' help (marked ``N_``), in the current language, then the
        commands."""
        with _translated(self.get_params(ctx)):
            super().format_options(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, as click lists them, without importing them."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=_(summary)).get_short_help_str(limit))
            for name, (_where, summary) in sorted(COMMANDS.items())
        ]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            fail(_("interrupted: nothing more was written"), 130)
        except BrokenPipeError:
            # The reader went away (``scop-ledger history | head``): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as error:
            from scop_ledger.app.errors import classify, first_line

            found = classify(error)
            if found is None:
                if os.environ.get("SCOP_LEDGER_DEBUG"):
                    raise
                # Never a traceback for a user: one line; SCOP_LEDGER_DEBUG=1 shows the rest.
                found = (
                    1,
                    _("unexpected failure ({kind}): {reason}").format(
                        kind=type(error).__name__, reason=first_line(error)
                    ),
                )
            fail(found[1], found[0])
        finally:
            obj = ctx.obj
            if isinstance(obj, Session):
                obj.close()


ROOT_HELP = N_(
    "scop-ledger: the membership and share-capital ledger of a worker cooperative.\n"
    "\n"
    "Every movement is an immutable entry with an effective date; every question can be "
    "asked as of any date and as known at any moment.\n"
    "\n"
    "\b\n"
    "Example:\n"
    '  scop-ledger init acme --name "Acme Scop" --legal-form sarl --share-value 25 '
    "--date 2020-01-01\n"
    '  scop-ledger hire alice --name "Alice Martin" --date 2020-01-01\n'
    "  scop-ledger history --format json"
)

LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    envvar="SCOP_LEDGER_LANG",
    default=None,
    help=N_(
        "Language of tables, messages and reports: en or fr. Default: from the locale "
        "(LC_ALL, LC_MESSAGES, LANG), else en. JSON output and exit codes never change."
    ),
)


@click.group(
    cls=LedgerGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=ROOT_HELP,
)
@click.option(
    "--db",
    envvar="SCOP_LEDGER_DB",
    default="sqlite:///scop-ledger.db",
    show_default=True,
    help=N_("SQLAlchemy URL of the store (sqlite:///FILE or postgresql://...)."),
)
@click.option(
    "--coop", envvar="SCOP_LEDGER_COOP", default=None, help=N_("Which cooperative (slug).")
)
@click.option(
    "--user",
    envvar="SCOP_LEDGER_USER",
    default=None,
    help=N_("Who records (one line, at most 200 characters). Default: OS login."),
)
@click.option(
    "--read-only",
    is_flag=True,
    envvar="SCOP_LEDGER_READ_ONLY",
    help=N_("Open the store read-only (auditor's mode); writes exit 3."),
)
@LANG_OPTION
@click.version_option(__version__, prog_name="scop-ledger")
@click.pass_context
def main(
    ctx: click.Context,
    db: str,
    coop: str | None,
    user: str | None,
    read_only: bool,
    lang: str | None,
) -> None:
    from scop_ledger.cli.render import note, progress
    from scop_ledger.domain.values import MAX_NAME, coop_slug, single_line
    from scop_ledger.settings import Settings, default_user

    set_language(resolve(lang, os.environ))
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
