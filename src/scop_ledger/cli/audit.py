"""Audit commands: verify the hash chain, diff two states of knowledge, the HTML review pack."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, DATETIME, F, OutFile, WholeNumber, format_option
from scop_ledger.cli.render import emit_json, file_options

if TYPE_CHECKING:
    from scop_ledger.app.audit import Verified
    from scop_ledger.audit.reseed import Reseeded


# verify's options, in the order --help lists them.
_VERIFY_OPTIONS = (
    click.option(
        "--anchor",
        default=None,
        metavar="SEQ:HASH",
        help="The head written down at an earlier review: it must be a prefix of today's chain "
        "(SEQ:HASH:SIGNATURE when it was signed).",
    ),
    click.option(
        "--sign",
        "key_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Sign today's head with this Ed25519 private key (PEM): prints SEQ:HASH:SIGNATURE.",
    ),
    click.option(
        "--check-signature",
        "public_key",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="The anchor must carry a signature made with the key of this Ed25519 public key "
        "(PEM).",
    ),
    click.option(
        "--anchor-out",
        "anchor_out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Append today's head (signed with --sign), its recorded time, the moment of this "
        "check and the fingerprints of every entry to this anchors file, kept outside the store.",
    ),
    click.option(
        "--anchors",
        "anchors_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Check every anchor of this anchors file (written by --anchor-out); with "
        "--check-signature, every one must be signed with that key.",
    ),
    click.option(
        "--reseed-chain",
        is_flag=True,
        default=False,
        help="Replace the chain kept in the store with the chain of the entries as they are now "
        "(after a finding you have explained); prints what it replaced. Needs write access.",
    ),
)


def _verify_options(func: F) -> F:
    """``verify``'s options (see ``_VERIFY_OPTIONS``)."""
    for option in reversed(_VERIFY_OPTIONS):
        func = option(func)
    return func


@click.command()
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
    """Recompute the hash chain over every stored event and print its head SEQ:HASH; exit 1
    naming the first entry changed, missing, inserted, out of order or recorded at a time
    before an entry already in the log, when the chain kept in the store is missing, shorter
    or different, or when an anchor is not a prefix of today's chain. Reads only (works with
    --read-only), except --reseed-chain.

    \b
    Example:
      scop-ledger verify
      scop-ledger --read-only verify --anchor 1042:9f2c…e1
      scop-ledger --read-only verify --sign reviewer.pem --anchor-out anchors.jsonl
      scop-ledger --read-only verify --anchors anchors.jsonl --check-signature reviewer.pub
      scop-ledger --read-only verify --anchor 1042:9f2c…e1:Qm9…== --check-signature reviewer.pub
    """
    from scop_ledger.app import audit

    app = get_app(ctx)
    if reseed_chain:
        _show_reseeded(audit.reseed(app), app.settings.user, fmt)
        return
    found = audit.verify(
        app.settings,
        anchor=anchor,
        anchors_file=anchors_file,
        anchor_out=anchor_out,
        key_file=key_file,
        public_key=public_key,
    )
    _show_verified(found, fmt, anchors_file, public_key, key_file)
    if found.verdict.problem is not None:
        click.echo(f"error: {found.verdict.problem}", err=True)
        ctx.exit(1)


def _show_verified(
    found: Verified,
    fmt: str,
    anchors_file: Path | None,
    public_key: Path | None,
    key_file: Path | None,
) -> None:
    """The head (signed, with --sign) and what was checked, as a table or JSON."""
    verdict = found.verdict
    if fmt == "json":
        emit_json(
            {
                "head": verdict.head,
                "entries": verdict.entries,
                "kept": verdict.kept,
                "anchor": verdict.anchor,
                "ok": verdict.ok,
                "problem": verdict.problem,
                "signed": found.signed,
                "signature_checked": found.signature_checked,
                "pending": verdict.pending,
                "recorded_at": None
                if verdict.recorded_at is None
                else verdict.recorded_at.isoformat(),
                "anchors_checked": found.anchors_checked,
                "anchor_out": found.written,
                "reseeded_at": None if verdict.seal is None else verdict.seal.reseeded_at,
            }
        )
    else:
        click.echo(found.signed or verdict.head)
        click.echo(_summary(found, anchors_file, public_key, key_file))


def _summary(
    found: Verified, anchors_file: Path | None, public_key: Path | None, key_file: Path | None
) -> str:
    """The line under the head: what was checked and done, or how far the chain holds."""
    verdict = found.verdict
    if not verdict.ok:
        return f"the chain holds for the {verdict.entries} entries before the problem"
    seal = verdict.seal
    return (
        f"{verdict.entries} entries chained; {verdict.kept} checked against the chain "
        f"kept since they were recorded"
        + (
            ""
            if not verdict.pending
            else f" ({verdict.pending} recorded since the view last caught up)"
        )
        + (
            ""
            if seal is None or seal.reseeded_at is None
            else f" (the kept chain was re-seeded at {seal.reseeded_at} by {seal.reseeded_by})"
        )
        + ("" if verdict.anchor is None else f"; anchor {verdict.anchor} holds")
        + (
            ""
            if not found.anchors_checked
            else f"; {found.anchors_checked} anchors of {anchors_file} hold"
        )
        + ("" if public_key is None else f", signed with the key of {public_key}")
        + ("" if found.signed is None else f"; head signed with {key_file}")
        + ("" if found.written is None else f"; anchor appended to {found.written}")
    )


def _show_reseeded(done: Reseeded, user: str, fmt: str) -> None:
    """``verify --reseed-chain``: the kept chain replaced, explicitly, and said so."""
    if fmt == "json":
        emit_json(
            {
                "head": done.head,
                "entries": done.entries,
                "replaced_entries": done.was,
                "replaced_head": done.was_head,
                "first_difference": done.first_difference,
            }
        )
        return
    click.echo(done.head)
    click.echo(
        f"re-seeded the kept chain from the {done.entries} entries as they are now, by "
        f"{user}; it held {done.was} entries"
        + ("" if done.was_head is None else f" (head {done.was_head})")
        + (
            "; it agreed with them"
            if done.first_difference is None
            else f"; the first entry that differed: {done.first_difference}"
        )
    )


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


@click.command()
@click.option("--as-of", type=DATE, default=None, help="Business date. Default: today.")
@click.option(
    "--known-at",
    type=DATETIME,
    default=None,
    help="What the ledger knew at this moment (ISO 8601). Default: now.",
)
@click.option(
    "--out",
    type=OutFile(),
    required=True,
    help="The HTML file to write.",
)
@click.option(
    "--late-days",
    type=WholeNumber(0, 36500),
    default=30,
    show_default=True,
    help="List entries recorded more than this many days after their date (0 to 36500).",
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
    """The review pack: one self-contained HTML file with the cooperative, the period and the
    chain head; the employee shares of capital and votes over the whole history against their
    thresholds, breaches shaded; the register; refunds owed and their ageing; mandates; the
    compliance findings with their legal sources; entries recorded late or reversed.

    \b
    Example:
      scop-ledger report --as-of 2024-12-31 --out review-2024.html
    """
    from scop_ledger.app import audit
    from scop_ledger.cli.render import write_text
    from scop_ledger.domain.errors import InvalidValue

    if out.suffix.lower() not in (".html", ".htm"):
        raise InvalidValue(f"{out}: the review pack is an HTML file (.html)")
    if not out.parent.is_dir():
        raise InvalidValue(f"{out}: no such directory {out.parent}")
    pack = audit.report(get_app(ctx), as_of, known_at, late_days)
    write_text(out, pack.html)
    click.echo(
        f"{out}: review pack of {pack.slug} as of {pack.as_of}; chain head {pack.chain.head}"
        + ("" if pack.chain.ok else f" (BROKEN: {pack.chain.problem})")
    )
