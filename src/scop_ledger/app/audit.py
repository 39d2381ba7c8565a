"""The audit services every front end calls: verify the hash chain (anchors, signatures, the
anchors file), re-seed the kept chain, what changed between two states of knowledge, and the
review pack. Each takes the session (the settings and the ledger opened on first use) and
returns a typed result for the front end to render.

The point-in-time questions of :func:`diff` and :func:`report` are the query service's
(:class:`scop_ledger.app.queries.Query`): from the view, or from the events, as fits each moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scop_ledger.app.queries import Query
from scop_ledger.audit.anchors import Anchor, anchor_line, read_anchors, split_anchor
from scop_ledger.audit.reseed import Reseeded
from scop_ledger.audit.signing import BadKey, check_signature, sign_head
from scop_ledger.audit.verdict import Text, Verdict, local
from scop_ledger.audit.verify import verify as verify_chain
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.i18n import N_, _
from scop_ledger.store.chain import EVENTS
from scop_ledger.store.db import DB, Unavailable, connect

if TYPE_CHECKING:
    from scop_ledger.app.session import Session
    from scop_ledger.audit.diff import Diff
    from scop_ledger.audit.report import Series
    from scop_ledger.readmodel.between import Between
    from scop_ledger.readmodel.compliance import Timeline
    from scop_ledger.settings import Settings


__all__ = ["ReviewPack", "Verified", "diff", "local", "report", "reseed", "verify"]


@dataclass(frozen=True)
class Verified:
    """What ``verify`` found and did: the verdict, today's head signed (``SEQ:HASH:SIGNATURE``,
    with a private key), whether the anchors' signatures were checked and held, how many anchors
    the anchors file held, and the anchors file a line was appended to."""

    verdict: Verdict
    signed: str | None
    signature_checked: bool
    anchors_checked: int
    written: str | None


def _open(settings: Settings) -> DB:
    return connect(settings.url, read_only=True, recover=not settings.read_only)


def _file_anchors(anchors_file: Path | None) -> list[Anchor]:
    if anchors_file is None:
        return []
    try:
        return read_anchors(anchors_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidValue(
            _("{file}: {problem}").format(file=anchors_file, problem=error)
        ) from None


def _unsigned(
    wanted: tuple[int, str] | None,
    signature: str | None,
    file_anchors: Sequence[Anchor],
    public_key: Path,
) -> Text | None:
    """Why an anchor's signature does not hold under ``public_key`` (None when they all do)."""
    if (wanted is None or signature is None) and not file_anchors:
        raise InvalidValue(
            _("--check-signature needs a signed --anchor SEQ:HASH:SIGNATURE or --anchors FILE")
        )
    signed_anchors = [(*wanted, signature)] if wanted is not None else []
    signed_anchors += [(a.seq, a.hash, a.signature) for a in file_anchors]
    for seq, hash_hex, mark in signed_anchors:
        try:
            signed = mark is not None and check_signature(
                seq, hash_hex, mark, public_key.read_bytes()
            )
        except BadKey as error:
            raise InvalidValue(
                _("{file}: {problem}").format(file=public_key, problem=error)
            ) from None
        if not signed:
            return Text(
                N_(
                    "the anchor's signature was not made with the key of {key}: nothing proves "
                    "the reviewer saw {head}"
                ),
                key=str(public_key),
                head=f"{seq}:{hash_hex}",
            )
    return None


def _checked(
    settings: Settings, wanted: tuple[int, str] | None, anchors: list[Anchor], collect: bool
) -> Verdict:
    """The verdict on the store's chain, read on a connection of its own; with ``--coop``, on
    that cooperative's entries and the kept chain only (:mod:`scop_ledger.audit.one`)."""
    db = _open(settings)
    try:
        if not db.has_table(EVENTS):
            raise Unavailable(_("store unavailable: this store holds no ledger yet"))
        if settings.coop is not None and _several(db):
            from scop_ledger.audit.one import verify_coop

            whole = [Anchor(*wanted)] if wanted is not None else []
            return verify_coop(db, settings.coop, [*whole, *anchors])
        return verify_chain(db, wanted, anchors=anchors, collect=collect)
    finally:
        db.close()


def _several(db: DB) -> bool:
    """Whether the store holds more than one cooperative: in a store of one, ``--coop`` verifies
    the whole log (it is all that cooperative's, and the whole check is the stronger)."""
    return db.has_table("rm_coops") and int(db.scalar("SELECT count(*) FROM rm_coops")) > 1


def _append(anchor_out: Path, line: str) -> None:
    try:
        with anchor_out.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
    except OSError as error:
        raise InvalidValue(
            _("{file}: cannot write ({reason})").format(file=anchor_out, reason=error.strerror)
        ) from None


def verify(
    settings: Settings,
    *,
    anchor: str | None = None,
    anchors_file: Path | None = None,
    anchor_out: Path | None = None,
    key_file: Path | None = None,
    public_key: Path | None = None,
) -> Verified:
    """Verify the chain against the kept chain, ``anchor`` (``SEQ:HASH[:SIGNATURE]``) and the
    anchors of ``anchors_file``; with ``public_key``, every anchor must be signed with its key;
    with ``key_file``, sign today's head; with ``anchor_out``, append today's head to that
    anchors file. A problem is in the verdict; bad arguments raise InvalidValue."""
    if settings.coop is not None and (anchor_out is not None or key_file is not None):
        raise InvalidValue(
            _(
                "--anchor-out and --sign vouch for the whole store's chain: verify without "
                "--coop to write or sign an anchor"
            )
        )
    file_anchors = _file_anchors(anchors_file)
    if anchor_out is not None and not anchor_out.parent.is_dir():
        raise InvalidValue(
            _("{file}: no such directory {folder}").format(
                file=anchor_out, folder=anchor_out.parent
            )
        )
    verified_at = datetime.now(UTC)
    wanted: tuple[int, str] | None = None
    signature: str | None = None
    if anchor is not None:
        try:
            seq, hash_hex, signature = split_anchor(anchor)
        except ValueError as error:
            raise InvalidValue(_("--anchor: {problem}").format(problem=error)) from None
        wanted = (seq, hash_hex)
    unsigned = None
    if public_key is not None:
        unsigned = _unsigned(wanted, signature, file_anchors, public_key)
    private_key = None if key_file is None else key_file.read_bytes()
    verdict = _checked(settings, wanted, file_anchors, anchor_out is not None)
    if unsigned is not None and verdict.ok:
        verdict = replace(verdict, problem=unsigned)
    signed = None
    if private_key is not None and verdict.ok:
        try:
            signed = sign_head(verdict.head, private_key)
        except BadKey as error:
            raise InvalidValue(
                _("{file}: {problem}").format(file=key_file, problem=error)
            ) from None
    written = None
    if anchor_out is not None and verdict.ok and verdict.entries:
        signature_part = None if signed is None else signed.rsplit(":", 1)[1]
        _append(anchor_out, anchor_line(verdict, verified_at, signature_part))
        written = str(anchor_out)
    return Verified(
        verdict, signed, public_key is not None and unsigned is None, len(file_anchors), written
    )


def reseed(session: Session) -> Reseeded:
    """Replace the kept chain with the chain of the entries as they are now (``verify
    --reseed-chain``); refused on a read-only store."""
    from scop_ledger.audit.reseed import reseed as reseed_chain
    from scop_ledger.store.engine import ReadOnlyStore, schema_change

    if session.settings.read_only:
        raise ReadOnlyStore(_("the store is open read-only: the kept chain cannot be re-seeded"))
    ledger = session.ledger()
    with schema_change(ledger.engine) as conn:
        done = reseed_chain(conn, session.settings.user)
    return done


def diff(
    session: Session,
    t1: datetime,
    t2: datetime | None,
    as_of: date | None,
) -> Diff:
    """What changed as of ``as_of`` (default today) between the states of knowledge at ``t1``
    and at ``t2`` (default now), each answered from the view or the events as fits it."""
    from scop_ledger.audit.diff import diff as compare
    from scop_ledger.readmodel import compliance as engine
    from scop_ledger.readmodel.between import difference

    later = t2 or datetime.now(UTC)
    if t1 >= later:
        raise InvalidValue(
            _("--from-known-at {earlier} is not before --to-known-at {later}").format(
                earlier=t1.isoformat(), later=later.isoformat()
            )
        )
    q = Query(session, as_of, later, explicit=True)

    def rules(moment: datetime) -> Any:
        q.known_at = moment  # the view or the events, as fits this moment (Query.db)
        return engine.compliance(q.rules(), q.as_of, moment)

    def snapshot(moment: datetime) -> Any:
        q.known_at = moment
        return q.snapshot(only="active")

    def between(earlier: datetime, moment: datetime) -> Between:
        q.known_at = earlier
        first = q.reader  # the view or the events, as fits each moment
        q.known_at = moment
        if q.reader is first:
            return first.recorded_between(q.slug, earlier, moment)
        return difference(q.history(), first.history(q.slug, None, earlier))

    try:
        return compare(q.slug, q.as_of, t1, later, snapshot, rules, between)
    finally:
        q.close()


@dataclass(frozen=True)
class ReviewPack:
    """The review pack (one HTML document), whom and which date it is of, and the chain's
    verdict it shows."""

    html: str
    slug: str
    as_of: date
    chain: Verdict


def report(
    session: Session,
    as_of: date | None,
    known_at: datetime | None,
    late_days: int,
) -> ReviewPack:
    """The review pack as of ``as_of`` as known at ``known_at``, listing entries recorded more
    than ``late_days`` after their date."""
    from scop_ledger.audit.report import gather, render

    q = Query(session, as_of, known_at)
    try:
        snapshot = q.snapshot()
        register = q.register()
        history = q.history()
        db = _open(session.settings)
        try:
            verdict = verify_chain(db)
        finally:
            db.close()
        pack = gather(q.rules(), snapshot, register, history, verdict, late_days)
    finally:
        q.close()
    return ReviewPack(render(pack), q.slug, q.as_of, verdict)


def shares_over_time(
    session: Session, as_of: date | None, known_at: datetime | None
) -> tuple[Series, Series]:
    """The employees' share of the capital and of the votes over time, each with its threshold
    and its breach spans (what the review pack and the web's timeline draw)."""
    from scop_ledger.audit.report import ratio_series

    with Query(session, as_of, known_at) as q:
        return ratio_series(q.rules(), q.as_of, q.known_at)


def timeline_with_shares(
    session: Session, as_of: date | None, known_at: datetime | None
) -> tuple[Timeline, tuple[Series, Series]]:
    """The ``timeline`` answer and :func:`shares_over_time`, from one sweep of the rules."""
    from scop_ledger.audit.report import shares_over_time as series
    from scop_ledger.readmodel.compliance import timeline_of

    with Query(session, as_of, known_at) as q:
        source = q.rules()
        found = source.sweep(q.as_of, q.known_at)
        answer = timeline_of(source.slug, found.params, found.runs, q.as_of, q.known_at)
        return answer, series(found.params, found.points, found.runs)
