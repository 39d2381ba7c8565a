"""The meeting roll with its attendance: who is present, who is represented and by whom, and
each voter's share of the votes present or represented under be-cnc's cap of a tenth
(AR 8 January 1962 art. 1 §1). See :mod:`scop_ledger.domain.meeting`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from scop_ledger.domain.meeting import MEETING_CAP, meeting_votes
from scop_ledger.domain.values import Profile
from scop_ledger.domain.votes import weight_under
from scop_ledger.readmodel.compliance import Roll, roll
from scop_ledger.readmodel.queries import ratio
from scop_ledger.readmodel.results import Result
from scop_ledger.readmodel.snapshot import Snapshot

MEETING_SOURCE = "AR 8 January 1962 art. 1 §1"


class Proxy(Result):
    person: str  # the partner represented
    holder: str  # the partner present who holds their proxy


class Voter(Result):
    person: str
    proxies: list[str]  # the partners they represent
    votes: Decimal  # their own vote and those of their proxies (4 places)
    share: Decimal  # of the votes present or represented (4 places)
    above_cap: bool  # share above a tenth
    counted_votes: Decimal  # the votes that count: reduced to a tenth when the cap applies


class Meeting(Result):
    present: list[str]
    represented: list[Proxy]
    votes_present_or_represented: Decimal
    cap: Decimal  # a tenth of the votes present or represented, as a share
    cap_votes: Decimal  # that tenth in votes
    cap_applies: bool  # be-cnc, and the partners' votes are not all equal
    voters: list[Voter]
    above_cap: list[str]  # the voters above a tenth
    source: str


class MeetingRoll(Roll):
    """The roll with the meeting's attendance and votes (``roll --present``)."""

    meeting: Meeting


def meeting_roll(s: Snapshot, present: Sequence[str], proxies: Mapping[str, str]) -> MeetingRoll:
    """The roll on ``s.as_of`` with the partners ``present`` and those represented
    (``proxies``: partner -> holder); the cap applies in a be-cnc cooperative whose partners'
    votes are not all equal (weighted under the Scop thresholds)."""
    base = roll(s)
    employees = sum(1 for m in base.members if m.college == "employee")
    weight = weight_under(s.coop.vote_cap, employees, len(base.members) - employees)
    votes = {m.person: Fraction(1) if m.college == "employee" else weight for m in base.members}
    cap_applies = s.coop.profile == Profile.BE_CNC.value and len(set(votes.values())) > 1
    found = meeting_votes(votes, present, proxies, s.as_of, cap_applies=cap_applies)
    voters = [
        Voter(
            person=v.person,
            proxies=list(v.proxies),
            votes=ratio(v.votes),
            share=ratio(v.share),
            above_cap=v.above_cap,
            counted_votes=ratio(v.counted),
        )
        for v in found.voters
    ]
    meeting = Meeting(
        present=[v.person for v in found.voters],
        represented=[Proxy(person=p, holder=h) for p, h in sorted(proxies.items())],
        votes_present_or_represented=ratio(found.total),
        cap=ratio(MEETING_CAP),
        cap_votes=ratio(found.total * MEETING_CAP),
        cap_applies=found.cap_applies,
        voters=voters,
        above_cap=[v.person for v in found.voters if v.above_cap],
        source=MEETING_SOURCE,
    )
    return MeetingRoll(**dict(base), meeting=meeting)
