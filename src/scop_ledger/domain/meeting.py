"""The votes of one general meeting: the partners present, those represented by a proxy, and
each voter's share of the votes present or represented, under be-cnc's cap: no one takes part
in the vote for more than a tenth of the votes present or represented (AR 8 January 1962 art.
1 §1), unless every partner's vote is equal (one person, one vote)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from scop_ledger.domain.errors import Refused
from scop_ledger.i18n import _, day

#: The most one voter counts for, as a share of the votes present or represented.
MEETING_CAP = Fraction(1, 10)


@dataclass(frozen=True, slots=True)
class Voter:
    """A partner present: their own vote, the partners whose proxy they hold, all their votes
    (own and by proxy), their share of the votes present or represented, and the votes that
    count (reduced to the cap when it applies)."""

    person: str
    own: Fraction
    proxies: tuple[str, ...]
    votes: Fraction
    share: Fraction
    counted: Fraction

    @property
    def above_cap(self) -> bool:
        return self.share > MEETING_CAP


@dataclass(frozen=True, slots=True)
class MeetingVotes:
    total: Fraction  # the votes present or represented
    cap_applies: bool
    voters: tuple[Voter, ...]


def meeting_votes(
    votes: Mapping[str, Fraction],
    present: Sequence[str],
    proxies: Mapping[str, str],
    on: date,
    *,
    cap_applies: bool,
) -> MeetingVotes:
    """The meeting on ``on`` of the partners ``present`` (each partner's vote in ``votes``,
    in roll order) and of those represented (``proxies``: partner -> the partner present who
    holds their proxy). Refused: someone not a partner, a partner both present and
    represented, a proxy held by someone not present, nobody present."""
    for person in (*present, *proxies):
        if person not in votes:
            raise Refused(
                _("{person} is not a partner on {date}: only partners vote").format(
                    person=person, date=day(on)
                ),
                person=person,
                on=on,
            )
    if not present:
        raise Refused(_("nobody is present at the meeting of {date}").format(date=day(on)), on=on)
    attending = set(present)
    for person, holder in proxies.items():
        if person in attending:
            raise Refused(
                _("{person} is present and also represented by {holder}").format(
                    person=person, holder=holder
                ),
                person=person,
                on=on,
            )
        if holder not in attending:
            raise Refused(
                _("{holder} holds the proxy of {person} but is not present").format(
                    holder=holder, person=person
                ),
                person=holder,
                on=on,
            )
    total = sum((votes[p] for p in (*attending, *proxies)), Fraction(0))
    ceiling = total * MEETING_CAP
    voters = []
    for person in sorted(attending, key=list(votes).index):
        held = tuple(sorted(g for g, h in proxies.items() if h == person))
        mine = votes[person] + sum((votes[g] for g in held), Fraction(0))
        share = mine / total if total else Fraction(0)
        counted = min(mine, ceiling) if cap_applies else mine
        voters.append(Voter(person, votes[person], held, mine, share, counted))
    return MeetingVotes(total, cap_applies, tuple(voters))
