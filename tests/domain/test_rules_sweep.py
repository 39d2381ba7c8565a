"""The incremental sweep against a from-scratch computation of the same facts on any date:
every running total, the highest capital, overdue refunds, mandates, reviews, allocations and
the financial year's exits must agree, and so must every rule's verdict."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scop_ledger.domain.cooperative_fold import Allocation, CoopState, Mandate, Review
from scop_ledger.domain.dates import add_years
from scop_ledger.domain.rules import Exit, Facts, Holding, MandateFact, Params, RefundFact, evaluate
from scop_ledger.domain.rules.facts import NOBODY
from scop_ledger.domain.rules.sweep import EXIT_CAUSES, facts_over, runs
from scop_ledger.domain.statutes import Statutes
from scop_ledger.domain.values import LegalForm, Office, Profile

START = date(2016, 1, 1)
CAUSES = ["withdrawal", "left:resignation", "left:exclusion", "terminated:dismissal"]


def random_world(seed: int, profile: Profile):
    rng = random.Random(seed)
    statutes = Statutes(
        share_value=Decimal(25),
        profile=profile,
        refund_delay_years=rng.choice([0, 1, 3, 5]),
        boot_until=START + timedelta(days=rng.randint(0, 2000)) if rng.random() < 0.5 else None,
        review_every_years=rng.choice([1, 2, 5]),
        fiscal_year_end=rng.choice(["12-31", "06-30", "03-31"]),
        scop_thresholds=rng.choice([None, True, False]),
    )
    forms = [(START, LegalForm.SARL)]
    day = START
    for _ in range(rng.randint(0, 2)):
        day += timedelta(days=rng.randint(100, 1500))
        forms.append((day, rng.choice([f for f in LegalForm if f is not forms[-1][1]])))
    persons = [f"p{i}" for i in range(rng.randint(1, 8))]
    mandates = []
    for v in range(rng.randint(0, 6)):
        start = START + timedelta(days=rng.randint(0, 3000))
        m = Mandate(
            v,
            rng.choice([*persons, "outsider"]),
            rng.choice(list(Office)),
            start,
            rng.randint(1, 7),
        )
        if rng.random() < 0.3:
            m.ended_on = start + timedelta(days=rng.randint(1, 1000))
        mandates.append(m)
    reviews = [
        Review(v, START + timedelta(days=rng.randint(0, 3600)), "r", None)
        for v in range(rng.randint(0, 3))
    ]
    allocations = {}
    for year in sorted(rng.sample(range(2016, 2026), rng.randint(0, 5))):
        surplus = Decimal(rng.choice([-20000, -500, 0, 1000, 5000]))
        parts = [Decimal(rng.randint(0, 400)) for _ in range(4)]
        on = date(year + 1, rng.choice([3, 6, 7, 12]), rng.randint(1, 30))
        # The net asset value per share of the approved accounts (be-cnc's refund cap with
        # losses): none, below, at or above the share value of 25.
        nav = rng.choice([None, None, Decimal(0), Decimal("7.50"), Decimal(25), Decimal(40)])
        allocations[year] = Allocation(year, on, year, surplus, *parts, nav)
    coop = CoopState(
        "acme", "Acme", START, statutes, forms[-1][1], forms, mandates, reviews, allocations
    )
    rows = []
    for person in persons:
        day = START + timedelta(days=rng.randint(0, 400))
        refunds: tuple[RefundFact, ...] = ()
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.3:
                refunds = (
                    *refunds,
                    RefundFact(
                        day,
                        rng.choice(CAUSES),
                        Decimal(rng.randint(0, 500)),
                        Decimal(0),
                        rng.choice([0, rng.randint(1, 20)]),
                    ),
                )
            if refunds and rng.random() < 0.3:
                i = rng.randrange(len(refunds))
                r = refunds[i]
                paid = min(r.amount, r.paid + Decimal(rng.randint(0, 300)))
                if rng.random() < 0.1:  # paid above the amount: the ledger refuses it
                    paid = r.amount + 1
                refunds = (*refunds[:i], replace(r, paid=paid), *refunds[i + 1 :])
            h = Holding(
                rng.random() < 0.6,
                rng.random() < 0.7,
                rng.choice([0, rng.randint(0, 50)]),
                Decimal(rng.randint(0, 1000)),
                refunds,
            )
            rows.append((day, person, h))
            if rng.random() < 0.2:  # a second row on the same day: the last one counts
                rows.append((day, person, h._replace(shares=rng.randint(0, 50))))
            day += timedelta(days=rng.randint(0, 700))
    rows.sort(key=lambda r: r[0])
    return Params.of(coop), coop, rows


def brute_facts(params: Params, coop: CoopState, rows, on: date) -> Facts:
    """The facts on ``on``, computed from scratch."""

    def holdings_at(d: date) -> dict[str, Holding]:
        out: dict[str, Holding] = {}
        for day, person, h in rows:
            if day <= d:
                out[person] = h
        return out

    now = holdings_at(on)
    partners = [h for h in now.values() if h.partner]
    days = sorted({d for d, _, _ in rows if d <= on} | {params.registered_on})
    highest = max(sum(h.shares for h in holdings_at(d).values() if h.partner) for d in days)
    founders = {p for p, h in holdings_at(params.registered_on).items() if h.partner}
    overdue = [
        r for h in now.values() for r in h.refunds if r.outstanding > 0 and on > params.due(r.since)
    ]
    exits = []
    last: dict[str, Holding] = {}
    for day, person, h in rows:
        if day > on:
            break
        old = last.get(person, NOBODY)
        for r in h.refunds[len(old.refunds) :]:
            if r.cause in EXIT_CAUSES and r.since >= params.year_start(on):
                exits.append(
                    Exit(
                        person, r.since, r.cause, person in founders and day > params.registered_on
                    )
                )
        last[person] = h
    applied = [a for a in coop.allocations.values() if a.on <= on]
    latest = max(applied, key=lambda a: a.year) if applied else None
    triggers = []
    for a in sorted(applied, key=lambda a: a.on):
        losses = {x.year for x in applied if x.surplus < 0 and x.on <= a.on}
        high = max(
            sum(h.shares for h in holdings_at(d).values() if h.partner) for d in days if d <= a.on
        )
        if {a.year, a.year - 1, a.year - 2} <= losses or (
            a.surplus < 0 and -a.surplus * 2 >= params.share_value * high
        ):
            triggers.append(a.on)
    reviews = [r.on for r in coop.reviews if r.on <= on]
    form = [f for d, f in coop.forms if d <= on][-1]
    recorded = [m for m in coop.mandates if m.start <= on]
    representatives = {
        LegalForm.SARL: {Office.MANAGER},
        LegalForm.SAS: {Office.CHAIR},
        LegalForm.SA: {Office.CEO, Office.CHAIR},
    }[form]
    ends = [
        min(m.term_end, m.ended_on or m.term_end)
        for m in recorded
        if m.office in representatives and min(m.term_end, m.ended_on or m.term_end) <= on
    ]
    return Facts(
        on=on,
        form=form,
        employees=sum(1 for h in partners if h.employed),
        externals=sum(1 for h in partners if not h.employed),
        employee_shares=sum(h.shares for h in partners if h.employed),
        external_shares=sum(h.shares for h in partners if not h.employed),
        paid=sum((h.paid for h in now.values()), Decimal(0)),
        highest_shares=highest,
        overdue=sum((r.outstanding for r in overdue), Decimal(0)),
        overdue_refunds=len(overdue),
        over_refunded=sum(
            1 for h in now.values() for r in h.refunds if r.paid > brute_cap(coop, r)
        ),
        mandates=tuple(
            MandateFact(
                m.person, m.office, m.start, m.term_years, now.get(m.person, NOBODY).category
            )
            for m in coop.running_mandates(on)
        ),
        last_review=max(reviews) if reviews else None,
        review_trigger=max(triggers) if triggers else None,
        allocation=latest,
        allocation_paid=sum((h.paid for h in holdings_at(latest.on).values()), Decimal(0))
        if latest
        else Decimal(0),
        exits=tuple(exits),
        allocations=tuple(sorted(applied, key=lambda a: a.year)),
        first_mandate=min((m.start for m in recorded), default=None),
        representative_ended=max(ends, default=None),
        shareless=tuple(sorted(p for p, h in now.items() if h.partner and h.shares == 0)),
    )


def brute_cap(coop: CoopState, r: RefundFact) -> Decimal:
    """The cap of refund ``r``, from scratch: what was paid in, and no more than the shares it
    cancelled times the net asset value per share recorded last on or before its date."""
    navs = [
        (a.on, a.version, a.net_asset_value_per_share)
        for a in coop.allocations.values()
        if a.net_asset_value_per_share is not None and a.on <= r.since
    ]
    if not navs or not r.shares:
        return r.amount
    return min(r.amount, r.shares * max(navs)[2])


def comparable(f: Facts) -> Facts:
    return replace(
        f, mandates=tuple(sorted(f.mandates, key=repr)), exits=tuple(sorted(f.exits, key=repr))
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), profile=st.sampled_from(list(Profile)))
def test_the_sweep_gives_the_facts_computed_from_scratch_on_any_date(seed, profile):
    params, coop, rows = random_world(seed, profile)
    rng = random.Random(seed)
    for _ in range(4):
        on = START + timedelta(days=rng.randint(0, 4000))
        seen = list(facts_over(params, coop, rows, on))
        assert seen and seen[0].on == START
        assert [f.on for f in seen] == sorted({f.on for f in seen})
        # Nothing changes between two evaluation dates: the last facts, moved to `on`, are
        # the facts of `on`, and every verdict is the same.
        last = replace(seen[-1], on=on)
        expected = brute_facts(params, coop, rows, on)
        assert comparable(last) == comparable(expected)
        assert evaluate(last, params) == evaluate(expected, params)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_runs_are_contiguous_and_end_on_the_last_day(seed):
    params, coop, rows = random_world(seed, Profile.FR_SCOP)
    until = add_years(START, 10)
    found = runs(params, facts_over(params, coop, rows, until), until)
    by_rule: dict[str, list] = {}
    for run in found:
        by_rule.setdefault(run.rule, []).append(run)
    assert len(by_rule) == 13
    for rule_runs in by_rule.values():
        assert rule_runs[0].start == START and rule_runs[-1].end == until
        for a, b in itertools.pairwise(rule_runs):
            assert a.end + timedelta(days=1) == b.start and a.status is not b.status


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), profile=st.sampled_from(list(Profile)))
def test_each_run_holds_the_status_computed_from_scratch_on_each_of_its_days(seed, profile):
    params, coop, rows = random_world(seed, profile)
    until = add_years(START, 10)
    found = runs(params, facts_over(params, coop, rows, until), until)
    rng = random.Random(seed)
    days = [START + timedelta(days=rng.randint(0, 3650)) for _ in range(6)]
    for run in found:  # the first and last day of each run: where a missed change would show
        days += [run.start, run.end]
    for on in days:
        expected = {c.rule: c.status for c in evaluate(brute_facts(params, coop, rows, on), params)}
        actual = {r.rule: r.status for r in found if r.start <= on <= r.end}
        assert actual == expected, on


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 100_000), offset=st.integers(0, 3650))
def test_runs_evaluated_from_a_date_on_agree_with_the_whole_sweep_after_it(seed, offset):
    """What a write's warnings read: the runs beginning after ``since`` are the same whether
    the rules were evaluated over the whole history or from ``since`` on."""
    params, coop, rows = random_world(seed, Profile.FR_SCOP)
    until = add_years(START, 10)
    since = START + timedelta(days=offset)
    whole = runs(params, facts_over(params, coop, rows, until), until)
    part = runs(params, facts_over(params, coop, rows, until), until, since)

    def after(found):
        return [(r.rule, r.start, r.end, r.status, r.first) for r in found if r.start > since]

    assert after(part) == after(whole)
    assert all(
        r.start <= since
        for r in part
        if (r.rule, r.start) not in {(w.rule, w.start) for w in whole}
    )
