"""The general meeting's attendance sheet (feuille de présence): the roll of
:func:`scop_ledger.app.queries.roll` (each partner's college, vote weight under the cap, the
law's limits on proxies) with the cooperative's identity and each partner's number in the
register of partners, and empty columns for who is present, who represents whom and their
signatures. Printed as HTML or PDF by :mod:`scop_ledger.app.documents`: the same meeting and
state of knowledge give the same bytes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from scop_ledger.app import queries
from scop_ledger.app.documents import as_format, chain_head, environment
from scop_ledger.app.queries import Query
from scop_ledger.app.session import Session
from scop_ledger.i18n import DEFAULT, language, number
from scop_ledger.readmodel.compliance import Roll
from scop_ledger.readmodel.queries import partner_numbers
from scop_ledger.readmodel.results import Result


class Attendee(Result):
    """One partner's line of the sheet."""

    number: int | None  # in the register of partners
    person: str
    name: str | None
    college: str  # employee / external
    shares: int
    votes: Decimal


class AttendanceSheet(Result):
    """The attendance sheet of the general meeting held on ``as_of``."""

    coop: str
    coop_name: str
    legal_form: str
    registered_on: date
    vote_cap: Decimal | None  # the external partners' share of the votes at most (None: no cap)
    as_of: date
    known_at: datetime
    chain_head: str | None
    roll: Roll
    attendees: list[Attendee]

    @property
    def employees(self) -> int:
        return sum(1 for a in self.attendees if a.college == "employee")

    @property
    def shares(self) -> int:
        return sum(a.shares for a in self.attendees)

    @property
    def votes(self) -> Decimal:
        return sum((a.votes for a in self.attendees), Decimal("0"))

    @property
    def cap(self) -> str:
        """The cap as a percentage, as the current language writes it (``35%``, ``35 %``)."""
        if self.vote_cap is None:
            return ""
        share = self.vote_cap * 100
        share = share.quantize(Decimal(1)) if share == share.to_integral_value() else share
        return f"{share}%" if language() == DEFAULT else f"{number(share)}\u00a0%"


def attendance_sheet(
    session: Session, on: date | None, known_at: datetime | None
) -> AttendanceSheet:
    """The attendance sheet of the general meeting held on ``on`` (default today), as known at
    ``known_at`` (default now)."""
    roll = queries.roll(session, on, known_at)
    with Query(session, roll.as_of, known_at) as q:
        coop = q.reader.coop(q.slug, q.known_at)
        numbers = partner_numbers(q.reader.admissions(q.slug, q.as_of, q.known_at))
        head = chain_head(q)
    attendees = [
        Attendee(
            number=numbers[m.person].number if m.person in numbers else None,
            person=m.person,
            name=m.name,
            college=m.college,
            shares=m.shares,
            votes=m.votes,
        )
        for m in roll.members
    ]
    return AttendanceSheet(
        coop=coop.slug,
        coop_name=coop.name,
        legal_form=coop.legal_form,
        registered_on=coop.registered_on,
        vote_cap=coop.vote_cap,
        as_of=roll.as_of,
        known_at=roll.known_at,
        chain_head=head,
        roll=roll,
        attendees=attendees,
    )


def render_html(sheet: AttendanceSheet) -> str:
    """The sheet as one HTML page (A4 landscape when printed), in the current language."""
    return environment().get_template("attendance.html.j2").render(s=sheet, lang=language())


def rendered(sheet: AttendanceSheet, fmt: str) -> bytes:
    """The sheet as an HTML page (``html``) or a PDF document (``pdf``)."""
    return as_format(render_html(sheet), fmt)
