"""A meeting's votes under be-cnc's cap: no one takes part in the vote for more than a tenth of
the votes present or represented (AR 8 January 1962 art. 1 §1): at, just below and just above
the tenth, with proxies, and the refusals."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from scop_ledger.domain.errors import Refused
from scop_ledger.domain.meeting import meeting_votes

ON = date(2020, 6, 15)


def partners(n: int) -> dict[str, Fraction]:
    return {f"p{i:02}": Fraction(1) for i in range(n)}


@pytest.mark.parametrize(("present", "above"), [(10, False), (11, False), (9, True)])
def test_equal_votes_at_just_below_and_just_above_a_tenth(present, above) -> None:
    votes = partners(20)
    found = meeting_votes(votes, list(votes)[:present], {}, ON, cap_applies=False)
    assert found.total == present
    assert [v.above_cap for v in found.voters] == [above] * present
    assert [v.counted for v in found.voters] == [1] * present  # equal votes: no cap


@pytest.mark.parametrize(
    ("present", "share", "above"),
    # One proxy: 2 votes of 20 (at), of 21 (just below), of 19 (just above).
    [(19, Fraction(1, 10), False), (20, Fraction(2, 21), False), (18, Fraction(2, 19), True)],
)
def test_a_proxy_holder_at_just_below_and_just_above_a_tenth(present, share, above) -> None:
    votes = partners(30)
    names = list(votes)
    found = meeting_votes(votes, names[:present], {names[-1]: names[0]}, ON, cap_applies=True)
    holder = found.voters[0]
    assert (holder.person, holder.proxies, holder.votes) == ("p00", ("p29",), 2)
    assert (holder.share, holder.above_cap) == (share, above)
    assert holder.counted == (found.total / 10 if above else 2)
    assert found.total == present + 1


def test_weighted_votes_are_counted_for_a_tenth_at_most() -> None:
    # Two employee partners (1 vote each) and ten external partners weighted to 0.1.
    votes = {"ann": Fraction(1), "ben": Fraction(1)} | {f"x{i}": Fraction(1, 10) for i in range(10)}
    found = meeting_votes(votes, list(votes), {}, ON, cap_applies=True)
    assert found.total == 3
    ann = found.voters[0]
    assert (ann.share, ann.above_cap, ann.counted) == (Fraction(1, 3), True, Fraction(3, 10))
    assert found.voters[-1].share == Fraction(1, 30) and not found.voters[-1].above_cap


@pytest.mark.parametrize(
    ("present", "proxies", "message"),
    [
        (["ann", "zed"], {}, "zed is not a partner on 2020-06-15"),
        ([], {}, "nobody is present at the meeting of 2020-06-15"),
        (["ann", "ben"], {"ben": "ann"}, "ben is present and also represented by ann"),
        (["ann"], {"ben": "cat"}, "cat holds the proxy of ben but is not present"),
    ],
)
def test_a_meeting_that_cannot_be_is_refused(present, proxies, message) -> None:
    votes = {"ann": Fraction(1), "ben": Fraction(1), "cat": Fraction(1)}
    with pytest.raises(Refused, match=message):
        meeting_votes(votes, present, proxies, ON, cap_applies=False)
