"""What ``verify`` prints: the head and what was checked, or what ``--reseed-chain`` replaced,
as a table line or JSON (the JSON never changes with the language)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from scop_ledger.cli.render import emit_json
from scop_ledger.i18n import _

if TYPE_CHECKING:
    from scop_ledger.app.audit import Verified
    from scop_ledger.audit.reseed import Reseeded


def show_verified(
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
                "coop": verdict.coop,
                "chain_entries": verdict.chained if verdict.coop is not None else None,
            }
        )
    else:
        click.echo(found.signed or verdict.head)
        click.echo(_summary(found, anchors_file, public_key, key_file))


def _summary(
    found: Verified, anchors_file: Path | None, public_key: Path | None, key_file: Path | None
) -> str:
    """The line under the head: what was checked and done, or how far the chain holds. Each
    clause is one message, with the punctuation that joins it to the one before."""
    verdict = found.verdict
    if not verdict.ok:
        return _("the chain holds for the {entries} entries before the problem").format(
            entries=verdict.entries
        )
    seal = verdict.seal
    clauses = [
        _(
            "{entries} entries chained; {kept} checked against the chain kept since they were "
            "recorded"
        ).format(entries=verdict.entries, kept=verdict.kept)
        if verdict.coop is None
        else _(
            "{entries} entries of {coop}; {kept} checked against the chain kept since they were "
            "recorded, which holds for the {chained} entries from its first one (the other "
            "cooperatives' entries were not read)"
        ).format(
            entries=verdict.entries, coop=verdict.coop, kept=verdict.kept, chained=verdict.chained
        )
    ]
    if verdict.pending:
        clauses.append(
            _(" ({pending} recorded since the view last caught up)").format(pending=verdict.pending)
        )
    if seal is not None and seal.reseeded_at is not None:
        clauses.append(
            _(" (the kept chain was re-seeded at {moment} by {user})").format(
                moment=seal.reseeded_at, user=seal.reseeded_by
            )
        )
    if verdict.anchor is not None:
        clauses.append(_("; anchor {anchor} holds").format(anchor=verdict.anchor))
    if found.anchors_checked:
        clauses.append(
            _("; {count} anchors of {file} hold").format(
                count=found.anchors_checked, file=anchors_file
            )
        )
    if public_key is not None:
        clauses.append(_(", signed with the key of {file}").format(file=public_key))
    if found.signed is not None:
        clauses.append(_("; head signed with {file}").format(file=key_file))
    if found.written is not None:
        clauses.append(_("; anchor appended to {file}").format(file=found.written))
    return "".join(clauses)


def show_reseeded(done: Reseeded, user: str, fmt: str) -> None:
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
    if done.was_head is None:
        said = _(
            "re-seeded the kept chain from the {entries} entries as they are now, by {user}; it "
            "held {was} entries"
        )
    else:
        said = _(
            "re-seeded the kept chain from the {entries} entries as they are now, by {user}; it "
            "held {was} entries (head {was_head})"
        )
    if done.first_difference is None:
        then = _("; it agreed with them")
    else:
        then = _("; the first entry that differed: {entry}").format(entry=done.first_difference)
    click.echo(
        said.format(entries=done.entries, user=user, was=done.was, was_head=done.was_head) + then
    )
