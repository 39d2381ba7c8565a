"""Audit commands: verify the hash chain, diff two states of knowledge, the HTML review pack."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, DATETIME, F, OutFile, WholeNumber, format_option
from scop_ledger.cli.render import file_options
from scop_ledger.i18n import _, day

if TYPE_CHECKING:
    from scop_ledger.app.audit import ReviewPack


# A command's examples under its help: kept as they are (\b), whatever the language.
_EXAMPLES = "\n\n\b\n{example}\n{lines}"

# verify's options, in the order --help lists them.
_VERIFY_OPTIONS = (
    click.option(
        "--anchor",
        default=None,
        metavar="SEQ:HASH",
        help=_(
            "The head written down at an earlier review: it must be a prefix of today's chain "
            "(SEQ:HASH:SIGNATURE when it was signed)."
        ),
    ),
    click.option(
        "--sign",
        "key_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help=_("Sign today's head with this Ed25519 private key (PEM): prints SEQ:HASH:SIGNATURE."),
    ),
    click.option(
        "--check-signature",
        "public_key",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "The anchor must carry a signature made with the key of this Ed25519 public key (PEM)."
        ),
    ),
    click.option(
        "--anchor-out",
        "anchor_out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "Append today's head (signed with --sign), its recorded time, the moment of this "
            "check and the fingerprints of every entry to this anchors file, kept outside the "
            "store."
        ),
    ),
    click.option(
        "--anchors",
        "anchors_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help=_(
            "Check every anchor of this anchors file (written by --anchor-out); with "
            "--check-signature, every one must be signed with that key."
        ),
    ),
    click.option(
        "--reseed-chain",
        is_flag=True,
        default=False,
        help=_(
            "Replace the chain kept in the store with the chain of the entries as they are now "
            "(after a finding you have explained); prints what it replaced. Needs write access."
        ),
    ),
)


def _verify_options(func: F) -> F:
    """``verify``'s options (see ``_VERIFY_OPTIONS``)."""
    for option in reversed(_VERIFY_OPTIONS):
        func = option(func)
    return func


@click.command(
    help=_(
        "Recompute the hash chain over every stored event and print its head SEQ:HASH; exit 1 "
        "naming the first entry changed, missing, inserted, out of order or recorded at a time "
        "before an entry already in the log, when the chain kept in the store is missing, "
        "shorter or different, or when an anchor is not a prefix of today's chain. Reads only "
        "(works with --read-only), except --reseed-chain."
    )
    + "\n\n"
    + _(
        "In a store of several cooperatives, --coop reads only that cooperative's entries, each "
        "checked against the chain kept since it was recorded, whose links are recomputed from "
        "its first entry on; the other cooperatives' entries are not read (--anchor-out and "
        "--sign need the whole store)."
    )
    + _EXAMPLES.format(
        example=_("Example:"),
        lines="  scop-ledger verify\n"
        "  scop-ledger --coop acme verify\n"
        "  scop-ledger --read-only verify --anchor 1042:9f2c…e1\n"
        "  scop-ledger --read-only verify --sign reviewer.pem --anchor-out anchors.jsonl\n"
        "  scop-ledger --read-only verify --anchors anchors.jsonl --check-signature reviewer.pub\n"
        "  scop-ledger --read-only verify --anchor 1042:9f2c…e1:Qm9…== --check-signature "
        "reviewer.pub",
    )
)
@_verify_options
@format_option("table", "json")
@click.pass_context
def verify(
    ctx: click.Context,
    /,
    anchor: str | None,
    key_file: Path | None,
    public_key: Path | None,
    anchor_out: Path | None,
    anchors_file: Path | None,
    reseed_chain: bool,
    fmt: str,
) -> None:
    """Verify the hash chain (the help is the command's ``help``, translated)."""
    from scop_ledger.app import audit
    from scop_ledger.cli.audit_show import show_reseeded, show_verified

    app = get_app(ctx)
    if reseed_chain:
        show_reseeded(audit.reseed(app), app.settings.user, fmt)
        return
    found = audit.verify(
        app.settings,
        anchor=anchor,
        anchors_file=anchors_file,
        anchor_out=anchor_out,
        key_file=key_file,
        public_key=public_key,
    )
    show_verified(found, fmt, anchors_file, public_key, key_file)
    if found.verdict.problem is not None:
        click.echo(_("error: {line}").format(line=audit.local(found.verdict.problem)), err=True)
        ctx.exit(1)


@click.command()
@click.option(
    "--from-known-at",
    "t1",
    type=DATETIME,
    required=True,
    help="The earlier state of knowledge (ISO 8601; a bare date is the end of that day, UTC).",
)
@click.option(
    "--to-known-at",
    "t2",
    type=DATETIME,
    default=None,
    help="The later state of knowledge. Default: now.",
)
@click.option("--as-of", type=DATE, default=None, help="Business date. Default: today.")
@format_option("table", "json")
@file_options
@click.pass_context
def diff(
    ctx: click.Context,
    /,
    t1: datetime,
    t2: datetime | None,
    as_of: date | None,
    fmt: str,
    out: Path | None,
) -> None:
    """What changed in capital, votes, holdings and compliance as of a date between two states
    of knowledge, and the entries recorded in between (back-dated entries, reversals).

    \b
    Example:
      scop-ledger diff --from-known-at 2024-06-30 --to-known-at 2025-06-30 --as-of 2023-12-31
      scop-ledger diff --from-known-at 2024-06-30 --as-of 2023-12-31 --out changes.xlsx
    """
    from scop_ledger.app import audit
    from scop_ledger.cli import diffs

    result = audit.diff(get_app(ctx), t1, t2, as_of)
    if out is not None:
        diffs.write(result, out, fmt)
    elif fmt == "json":
        click.echo(result.model_dump_json())
    else:
        diffs.show(result)


@click.command(
    help=_(
        "The review pack: one self-contained HTML file with the cooperative, the period and the "
        "chain head; the employee shares of capital and votes over the whole history against "
        "their thresholds, breaches shaded; the register; refunds owed and their ageing; "
        "mandates; the compliance findings with their legal sources; entries recorded late or "
        "reversed."
    )
    + _EXAMPLES.format(
        example=_("Example:"),
        lines="  scop-ledger report --as-of 2024-12-31 --out review-2024.html",
    )
)
@click.option("--as-of", type=DATE, default=None, help=_("Business date. Default: today."))
@click.option(
    "--known-at",
    type=DATETIME,
    default=None,
    help=_("What the ledger knew at this moment (ISO 8601). Default: now."),
)
@click.option(
    "--out",
    type=OutFile(),
    required=True,
    help=_("The HTML file to write."),
)
@click.option(
    "--late-days",
    type=WholeNumber(0, 36500),
    default=30,
    show_default=True,
    help=_("List entries recorded more than this many days after their date (0 to 36500)."),
)
@click.pass_context
def report(
    ctx: click.Context,
    /,
    as_of: date | None,
    known_at: datetime | None,
    out: Path,
    late_days: int,
) -> None:
    """Write the review pack (the help is the command's ``help``, translated)."""
    from scop_ledger.app import audit
    from scop_ledger.cli.render import write_text
    from scop_ledger.domain.errors import InvalidValue

    if out.suffix.lower() not in (".html", ".htm"):
        raise InvalidValue(_("{file}: the review pack is an HTML file (.html)").format(file=out))
    if not out.parent.is_dir():
        raise InvalidValue(
            _("{file}: no such directory {folder}").format(file=out, folder=out.parent)
        )
    pack = audit.report(get_app(ctx), as_of, known_at, late_days)
    write_text(out, pack.html)
    click.echo(_made(out, pack))


def _made(out: Path, pack: ReviewPack) -> str:
    """The line that says which pack was written, and the chain's verdict when it is broken."""
    from scop_ledger.app.audit import local

    said = _("{file}: review pack of {coop} as of {as_of}; chain head {head}")
    if not pack.chain.ok:
        said = _(
            "{file}: review pack of {coop} as of {as_of}; chain head {head} (BROKEN: {problem})"
        )
    return said.format(
        file=out,
        coop=pack.slug,
        as_of=day(pack.as_of),
        head=pack.chain.head,
        problem=local(pack.chain.problem),
    )
