"""Audit commands: verify the hash chain, diff two states of knowledge, the HTML review pack."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, DATETIME, OutFile, WholeNumber, format_option
from scop_ledger.cli.render import emit_json, emit_table


def register(group: click.Group) -> None:
    for command in (verify, diff, report):
        group.add_command(command)


@click.command()
@click.option(
    "--anchor",
    default=None,
    metavar="SEQ:HASH",
    help="The head written down at an earlier review: it must be a prefix of today's chain "
    "(SEQ:HASH:SIGNATURE when it was signed).",
)
@click.option(
    "--sign",
    "key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Sign today's head with this Ed25519 private key (PEM): prints SEQ:HASH:SIGNATURE.",
)
@click.option(
    "--check-signature",
    "public_key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The anchor must carry a signature made with the key of this Ed25519 public key (PEM).",
)
@click.option(
    "--anchor-out",
    "anchor_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append today's head (signed with --sign), its recorded time, the moment of this "
    "check and the fingerprints of every entry to this anchors file, kept outside the store.",
)
@click.option(
    "--anchors",
    "anchors_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Check every anchor of this anchors file (written by --anchor-out); with "
    "--check-signature, every one must be signed with that key.",
)
@click.option(
    "--reseed-chain",
    is_flag=True,
    default=False,
    help="Replace the chain kept in the store with the chain of the entries as they are now "
    "(after a finding you have explained); prints what it replaced. Needs write access.",
)
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
    from scop_ledger.domain.errors import InvalidValue
    from scop_ledger.store import chain
    from scop_ledger.store.db import connect

    app = get_app(ctx)
    if reseed_chain:
        _reseed(ctx, fmt)
        return
    file_anchors: list[chain.Anchor] = []
    if anchors_file is not None:
        try:
            file_anchors = chain.read_anchors(anchors_file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise InvalidValue(f"{anchors_file}: {error}") from None
    if anchor_out is not None and not anchor_out.parent.is_dir():
        raise InvalidValue(f"{anchor_out}: no such directory {anchor_out.parent}")
    verified_at = datetime.now(UTC)
    wanted = None
    signature = None
    unsigned = None
    if anchor is not None:
        try:
            seq, hash_hex, signature = chain.split_anchor(anchor)
        except ValueError as error:
            raise InvalidValue(f"--anchor: {error}") from None
        wanted = (seq, hash_hex)
    if public_key is not None:
        if (wanted is None or signature is None) and not file_anchors:
            raise InvalidValue(
                "--check-signature needs a signed --anchor SEQ:HASH:SIGNATURE or --anchors FILE"
            )
        signed_anchors = [(*wanted, signature)] if wanted is not None else []
        signed_anchors += [(a.seq, a.hash, a.signature) for a in file_anchors]
        for seq, hash_hex, mark in signed_anchors:
            try:
                signed = mark is not None and chain.check_signature(
                    seq, hash_hex, mark, public_key.read_bytes()
                )
            except chain.BadKey as error:
                raise InvalidValue(f"{public_key}: {error}") from None
            if not signed:
                unsigned = (
                    f"the anchor's signature was not made with the key of {public_key}: "
                    f"nothing proves the reviewer saw {seq}:{hash_hex}"
                )
                break
    private_key = None if key_file is None else key_file.read_bytes()
    db = connect(app.settings.url, read_only=True, recover=not app.settings.read_only)
    try:
        if not db.has_table(chain.EVENTS):
            from scop_ledger.store.db import Unavailable

            raise Unavailable("store unavailable: this store holds no ledger yet")
        verdict = chain.verify(db, wanted, anchors=file_anchors, collect=anchor_out is not None)
    finally:
        db.close()
    if unsigned is not None and verdict.ok:
        verdict = replace(verdict, problem=unsigned)
    signed_head = None
    if private_key is not None and verdict.ok:
        try:
            signed_head = chain.sign_head(verdict.head, private_key)
        except chain.BadKey as error:
            raise InvalidValue(f"{key_file}: {error}") from None
    written = None
    if anchor_out is not None and verdict.ok and verdict.entries:
        signature_part = None if signed_head is None else signed_head.rsplit(":", 1)[1]
        line = chain.anchor_line(verdict, verified_at, signature_part)
        try:
            with anchor_out.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as error:
            raise InvalidValue(f"{anchor_out}: cannot write ({error.strerror})") from None
        written = str(anchor_out)
    if fmt == "json":
        emit_json(
            {
                "head": verdict.head,
                "entries": verdict.entries,
                "kept": verdict.kept,
                "anchor": verdict.anchor,
                "ok": verdict.ok,
                "problem": verdict.problem,
                "signed": signed_head,
                "signature_checked": public_key is not None and unsigned is None,
                "pending": verdict.pending,
                "recorded_at": None
                if verdict.recorded_at is None
                else verdict.recorded_at.isoformat(),
                "anchors_checked": len(file_anchors),
                "anchor_out": written,
                "reseeded_at": None if verdict.seal is None else verdict.seal.reseeded_at,
            }
        )
    else:
        click.echo(signed_head or verdict.head)
        if verdict.ok:
            seal = verdict.seal
            click.echo(
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
                    else f" (the kept chain was re-seeded at {seal.reseeded_at} by "
                    f"{seal.reseeded_by})"
                )
                + ("" if verdict.anchor is None else f"; anchor {verdict.anchor} holds")
                + (
                    ""
                    if not file_anchors
                    else f"; {len(file_anchors)} anchors of {anchors_file} hold"
                )
                + ("" if public_key is None else f", signed with the key of {public_key}")
                + ("" if signed_head is None else f"; head signed with {key_file}")
                + ("" if written is None else f"; anchor appended to {written}")
            )
        else:
            click.echo(f"the chain holds for the {verdict.entries} entries before the problem")
    if verdict.problem is not None:
        click.echo(f"error: {verdict.problem}", err=True)
        ctx.exit(1)


def _reseed(ctx: click.Context, fmt: str) -> None:
    """``verify --reseed-chain``: the kept chain replaced, explicitly, and said so."""
    from scop_ledger.store import chain
    from scop_ledger.store.engine import ReadOnlyStore, schema_change

    app = get_app(ctx)
    if app.settings.read_only:
        raise ReadOnlyStore("the store is open read-only: the kept chain cannot be re-seeded")
    ledger = app.ledger()
    with schema_change(ledger.engine) as conn:
        done = chain.reseed(conn, app.settings.user)
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
        f"{app.settings.user}; it held {done.was} entries"
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
@click.pass_context
def diff(
    ctx: click.Context,
    /,
    t1: datetime,
    t2: datetime | None,
    as_of: date | None,
    fmt: str,
) -> None:
    """What changed in capital, votes, holdings and compliance as of a date between two states
    of knowledge, and the entries recorded in between (back-dated entries, reversals).

    \b
    Example:
      scop-ledger diff --from-known-at 2024-06-30 --to-known-at 2025-06-30 --as-of 2023-12-31
    """
    from scop_ledger.app.queries import Query
    from scop_ledger.audit.diff import diff as compare
    from scop_ledger.domain.errors import InvalidValue
    from scop_ledger.readmodel import compliance as engine

    later = t2 or datetime.now(UTC)
    if t1 >= later:
        raise InvalidValue(
            f"--from-known-at {t1.isoformat()} is not before --to-known-at {later.isoformat()}"
        )
    q = Query(get_app(ctx), as_of, later, explicit=True)

    def rules(moment: datetime) -> Any:
        q.known_at = moment  # the view or the events, as fits this moment (Query.db)
        return engine.compliance(q.rules(), q.as_of, moment)

    def snapshot(moment: datetime) -> Any:
        q.known_at = moment
        return q.snapshot(only="active")

    def history(moment: datetime) -> list[Any]:
        q.known_at = moment
        return q.history()

    try:
        result = compare(
            q.slug,
            q.as_of,
            t1,
            later,
            snapshot,
            rules,
            history,
        )
    finally:
        q.close()
    if fmt == "json":
        click.echo(result.model_dump_json())
        return
    click.echo(
        f"{result.coop} as of {result.as_of}: known at {t1:%Y-%m-%d %H:%M:%S%z} "
        f"→ known at {later:%Y-%m-%d %H:%M:%S%z}: " + ("changed" if result.changed else "no change")
    )
    before, after = result.before.model_dump(), result.after.model_dump()
    emit_table(
        ["figure", "before", "after"],
        [[k, before[k], after[k]] for k in before],
    )
    if result.holdings:
        click.echo("")
        emit_table(
            ["person", "shares before", "shares after"],
            [[h.person, h.from_shares, h.to_shares] for h in result.holdings],
        )
    if result.compliance:
        click.echo("")
        emit_table(
            ["rule", "status before", "status after", "value before", "value after"],
            [
                [c.rule, c.from_status, c.to_status, c.from_value, c.to_value]
                for c in result.compliance
            ],
        )
    click.echo("")
    emit_table(
        ["id", "date", "action", "person", "recorded_at", "recorded_by", "note"],
        [
            [
                e.id,
                e.date,
                e.action,
                e.person,
                e.recorded_at,
                e.recorded_by,
                ", ".join(
                    n
                    for n, on in (
                        (f"reverses {e.reverses}", e.reverses is not None),
                        ("back-dated", e.back_dated),
                        ("moves the figures as of the date", e.affects_as_of),
                    )
                    if on
                ),
            ]
            for e in result.entries
        ],
        title=f"{len(result.entries)} entries recorded in between",
    )


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
    from scop_ledger.app.queries import Query
    from scop_ledger.audit.report import gather, render
    from scop_ledger.domain.errors import InvalidValue
    from scop_ledger.store import chain
    from scop_ledger.store.db import connect

    if out.suffix.lower() not in (".html", ".htm"):
        raise InvalidValue(f"{out}: the review pack is an HTML file (.html)")
    if not out.parent.is_dir():
        raise InvalidValue(f"{out}: no such directory {out.parent}")
    app = get_app(ctx)
    q = Query(app, as_of, known_at)
    try:
        snapshot = q.snapshot()
        register = q.register()
        history = q.history()
        db = connect(app.settings.url, read_only=True, recover=not app.settings.read_only)
        try:
            verdict = chain.verify(db)
        finally:
            db.close()
        pack = gather(q.rules(), snapshot, register, history, verdict, late_days)
    finally:
        q.close()
    from scop_ledger.cli.render import write_text

    write_text(out, render(pack))
    click.echo(
        f"{out}: review pack of {q.slug} as of {q.as_of}; chain head {verdict.head}"
        + ("" if verdict.ok else f" (BROKEN: {verdict.problem})")
    )
