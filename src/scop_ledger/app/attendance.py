"""The general meeting's attendance sheet (feuille de présence): the roll of
:func:`scop_ledger.app.queries.roll` (each partner's college, vote weight under the cap, the
law's limits on proxies) with the cooperative's identity and each partner's number in the
register of partners, and empty columns for who is present, who represents whom and their
signatures. Given the partners present (``roll --present``, ``--proxy``), the sheet marks them
and the partners they represent, with each voter's votes as the meeting counts them (the tenth
of the votes present or represented, where it applies: :mod:`scop_ledger.readmodel.meeting`).
Printed as HTML or PDF by :mod:`scop_ledger.app.documents`: the same meeting and state of
knowledge give the same bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from scop_ledger.app import queries
from scop_ledger.app.documents import as_format, chain_head, environment
from scop_ledger.app.queries import Query
from scop_ledger.app.session import Session
from scop_ledger.i18n import DEFAULT, language, number
from scop_ledger.readmodel.compliance import Roll
from scop_ledger.readmodel.meeting import Meeting
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
    present: bool = False  # marked present (roll --present)
    represented_by: str | None = None  # the partner present holding their proxy (--proxy)
    counted_votes: Decimal | None = None  # a voter's own and represented votes, as counted


class AttendanceSheet(Result):
    """The attendance sheet of the general meeting held on ``as_of``."""

    coop: str
    coop_name: str
    legal_form: str
    profile: str = "fr-scop"  # be-cnc: the meeting's cap of a tenth
    registered_on: date
    vote_cap: Decimal | None  # the external partners' share of the votes at most (None: no cap)
    as_of: date
    known_at: datetime
    chain_head: str | None
    roll: Roll
    attendees: list[Attendee]
    meeting: Meeting | None = None  # the meeting's votes, given who is present

    def shown(self, person: str) -> str:
        """A partner as the sheet names them: their name, else their reference."""
        found = next((a for a in self.attendees if a.person == person), None)
        return (found.name if found is not None else None) or person

    @property
    def above_cap(self) -> list[str]:
        """The voters above a tenth of the votes present or represented, by name."""
        return [self.shown(p) for p in self.meeting.above_cap] if self.meeting else []

    @property
    def counted_votes(self) -> Decimal:
        return sum((a.counted_votes or Decimal("0") for a in self.attendees), Decimal("0"))

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
    session: Session,
    on: date | None,
    known_at: datetime | None,
    present: Sequence[str] | None = None,
    proxies: Mapping[str, str] | None = None,
) -> AttendanceSheet:
    """The attendance sheet of the general meeting held on ``on`` (default today), as known at
    ``known_at`` (default now); given the partners ``present`` (and ``proxies``: partner ->
    the partner present holding their proxy, checked as ``roll`` checks them), marked."""
    roll = queries.roll(session, on, known_at, present, proxies)
    meeting: Meeting | None = getattr(roll, "meeting", None)
    voters = {v.person: v for v in meeting.voters} if meeting is not None else {}
    holders = {p.person: p.holder for p in meeting.represented} if meeting is not None else {}
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
            present=m.person in voters,
            represented_by=holders.get(m.person),
            counted_votes=voters[m.person].counted_votes if m.person in voters else None,
        )
        for m in roll.members
    ]
    return AttendanceSheet(
        coop=coop.slug,
        coop_name=coop.name,
        legal_form=coop.legal_form,
        profile=coop.profile,
        registered_on=coop.registered_on,
        vote_cap=coop.vote_cap,
        as_of=roll.as_of,
        known_at=roll.known_at,
        chain_head=head,
        roll=roll,
        attendees=attendees,
        meeting=meeting,
    )


def render_html(sheet: AttendanceSheet) -> str:
    """The sheet as one HTML page (A4 landscape when printed), in the current language."""
    return environment().get_template("attendance.html.j2").render(s=sheet, lang=language())


def rendered(sheet: AttendanceSheet, fmt: str) -> bytes:
    """The sheet as an HTML page (``html``) or a PDF document (``pdf``)."""
    return as_format(render_html(sheet), fmt)
