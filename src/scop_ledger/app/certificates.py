"""Share certificates and annual statements: what a partner holds on a date, drawn from the
ledger as known at a moment, with the hash chain's head it was drawn from.

A certificate is reproducible: the same person, date and state of knowledge give the same
bytes, in HTML and in PDF (WeasyPrint, with Debian's Pango), so a reviewer can draw it again and
compare. ``statements`` writes one per partner holding shares at a financial year's end (the
statement many cooperatives send their partners on 31 December).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from scop_ledger.app.documents import FORMATS, as_format, chain_head, environment, render_pdf
from scop_ledger.app.queries import Query
from scop_ledger.app.session import Session
from scop_ledger.domain.errors import NotFound, Refused
from scop_ledger.i18n import _, day, language
from scop_ledger.readmodel.queries import partner_numbers
from scop_ledger.readmodel.register import Movement
from scop_ledger.readmodel.results import Result

__all__ = [
    "FORMATS",
    "Certificate",
    "HoldsNoShare",
    "Statements",
    "certificate",
    "render_html",
    "render_pdf",
    "rendered",
    "statements",
]


class Certificate(Result):
    """What one partner holds on ``as_of``, as known at ``known_at``."""

    coop: str
    coop_name: str
    legal_form: str
    registered_on: date
    as_of: date
    known_at: datetime
    chain_head: str | None
    person: str
    name: str | None
    register_number: int | None
    partner_since: date | None
    category: str | None
    shares: int
    share_value: Decimal
    amount: Decimal
    paid: Decimal
    unpaid: Decimal
    movements: list[Movement]


class HoldsNoShare(Refused):
    """No certificate for someone who holds no share on the date."""


def certificate(
    session: Session, person: str, as_of: date | None, known_at: datetime | None
) -> Certificate:
    """The certificate of ``person``'s holding on ``as_of``; :class:`HoldsNoShare` (exit 1)
    when they hold none, :class:`NotFound` when the ledger does not know them."""
    with Query(session, as_of, known_at) as q:
        return _drawn(q, person)


def statement(session: Session, person: str, year: int, known_at: datetime | None) -> Certificate:
    """``person``'s annual statement: their certificate at the end of the financial year
    ``year`` (as ``statements`` draws it for every partner)."""
    from scop_ledger.domain.dates import year_end

    with Query(session, None, known_at) as q:
        q.as_of = year_end(q.reader.coop(q.slug, q.known_at).fiscal_year_end, year)
        return _drawn(q, person)


def _drawn(q: Query, person: str) -> Certificate:
    snapshot = q.snapshot()
    found = next((m for m in snapshot.members if m.person == person), None)
    if found is None:
        raise NotFound(
            _("no person {person!r} in cooperative {coop!r} on {date}").format(
                person=person, coop=q.slug, date=day(q.as_of)
            ),
            person=person,
        )
    if not found.partner or found.shares <= 0:
        raise HoldsNoShare(
            _("{person} holds no share on {date}: no certificate").format(
                person=person, date=day(q.as_of)
            ),
            person=person,
            on=q.as_of,
        )
    coop = snapshot.coop
    place = partner_numbers(q.reader.admissions(q.slug, q.as_of, q.known_at)).get(person)
    year_start = date(q.as_of.year, 1, 1)
    moves = [m for m in q.register().movements if m.person == person and m.date >= year_start]
    amount = (coop.share_value * found.shares).quantize(Decimal("0.01"))
    paid = found.paid.quantize(Decimal("0.01"))
    return Certificate(
        coop=coop.slug,
        coop_name=coop.name,
        legal_form=coop.legal_form,
        registered_on=coop.registered_on,
        as_of=q.as_of,
        known_at=q.known_at,
        chain_head=chain_head(q),
        person=person,
        name=found.name,
        register_number=place.number if place else None,
        partner_since=place.latest if place else None,
        category=found.category,
        shares=found.shares,
        share_value=coop.share_value.quantize(Decimal("0.01")),
        amount=amount,
        paid=paid,
        unpaid=amount - paid,
        movements=moves,
    )


@dataclass(frozen=True)
class Statements:
    """``statements``' answer: the folder, the financial year's end, the files written."""

    folder: Path
    as_of: date
    files: list[Path]


def statements(
    session: Session, year: int, known_at: datetime | None, folder: Path, fmt: str
) -> Statements:
    """One certificate per partner holding shares at the end of the financial year ``year``,
    written into ``folder`` as ``<number>-<person>.<fmt>``: all of them, or none (they are
    written beside it first, then moved in)."""
    from scop_ledger.domain.dates import year_end

    with Query(session, None, known_at) as q:
        q.as_of = year_end(q.reader.coop(q.slug, q.known_at).fiscal_year_end, year)
        holders = [m.person for m in q.snapshot().partners if m.shares > 0]
        drawn = [_drawn(q, person) for person in holders]
    scratch = Path(tempfile.mkdtemp(prefix=".statements.", dir=folder))
    try:
        names = []
        for cert in drawn:
            name = f"{cert.register_number or 0:04d}-{cert.person}.{fmt}"
            (scratch / name).write_bytes(rendered(cert, fmt))
            names.append(name)
        files = []
        for name in names:
            os.replace(scratch / name, folder / name)
            files.append(folder / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Statements(folder, q.as_of, files)


def rendered(cert: Certificate, fmt: str) -> bytes:
    """The certificate as an HTML page or a PDF document, in the current language."""
    return as_format(render_html(cert), fmt)


def render_html(cert: Certificate) -> str:
    env = environment()
    env.filters.update(nature=nature_label)
    return env.get_template("certificate.html.j2").render(c=cert, lang=language())


def nature_label(nature: str) -> str:
    """A register movement's nature in the current language."""
    labels = {
        "admission": _("admission"),
        "subscription": _("subscription"),
        "payment": _("payment"),
        "paid": _("paid in"),
        "withdrawal": _("withdrawal"),
        "refund": _("refund"),
        "loss of status": _("loss of status"),
        "category change": _("category change"),
        "transfer": _("transfer"),
        "share-value": _("share-value"),
    }
    return labels.get(nature, nature)
