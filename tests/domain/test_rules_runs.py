"""The runs of :func:`~scop_ledger.domain.rules.runs.runs`, which evaluates a rule again only when
a fact it reads (or, for a rule reading the date, the date) has changed, against a naive
reference evaluating every rule on every date: equal runs over random histories and over random
streams of facts in which one or two fields change at a time; and a rule whose declared inputs
miss a field or the date must make them differ."""

from __future__ import annotations

import random
from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scop_ledger.domain.dates import add_years
from scop_ledger.domain.rules import Facts, Params, Status, evaluate, external_weight, registry
from scop_ledger.domain.rules import runs as runs_module
from scop_ledger.domain.rules.common import ratio
from scop_ledger.domain.rules.fr_scop import employee_vote_share
from scop_ledger.domain.rules.registry import RULES
from scop_ledger.domain.rules.runs import DAY, Run, _from, _less, runs
from scop_ledger.domain.rules.sweep import facts_over
from scop_ledger.domain.values import Profile
from tests.domain.test_rule_registry import FACTS, PARAMS
from tests.domain.test_rules_sweep import START, random_world

UNTIL = add_years(START, 10)
FIELDS = [f.name for f in fields(Facts) if f.name != "on"]
DATES = {f.name for f in fields(Facts) if str(f.type).startswith("date") and f.name != "on"}


def naive_runs(
    params: Params, facts: list[Facts], until: date, since: date | None = None, only: str = ""
) -> list[Run]:
    """The reference: every rule of the profile (or rule ``only``) evaluated on every date."""
    current: dict[str, Run] = {}
    done: list[Run] = []
    ratios = {spec.id for spec in registry.PROFILE_RULES[params.profile] if spec.ratio}
    for f in _from(facts, since):
        checks = [RULES[only].check(f, params)] if only else evaluate(f, params)
        for check in checks:
            run = current.get(check.rule)
            value = check.value if check.rule in ratios else None
            if run is not None and run.first.status is check.status:
                run.last = check
                if value is not None:
                    if run.lowest is None or _less(value, run.lowest):
                        run.lowest = value
                    if run.highest is None or _less(run.highest, value):
                        run.highest = value
                continue
            if run is not None:
                run.end = f.on - DAY
                done.append(run)
            current[check.rule] = Run(check.rule, f.on, until, check, check, value, value)
    done.extend(current.values())
    order = {spec.id: i for i, spec in enumerate(registry.PROFILE_RULES[params.profile])}
    done.sort(key=lambda r: (order[r.rule], r.start))
    return done


def shown(found: list[Run]) -> list[tuple[object, ...]]:
    """What an answer shows of the runs (details rendered), besides the runs' equality."""
    return [(r.rule, r.start, r.end, r.first.detail, r.last.detail) for r in found]


def another(rng: random.Random, pool: list[Facts], name: str) -> object:
    """A value of field ``name``: another date's, or for a number or a date a random one."""
    value = getattr(rng.choice(pool), name)
    if rng.random() < 0.5:
        if isinstance(value, int):
            return rng.randint(0, 60)
        if isinstance(value, Decimal):
            return Decimal(rng.randint(0, 3000))
        if name in DATES:
            return START + timedelta(days=rng.randint(0, 3650))
    return value


def stream(seed: int, profile: Profile, names: list[str] = FIELDS) -> tuple[Params, list[Facts]]:
    """Facts over time in which few things change at once: from one random history's facts,
    each date moves on and changes one or two of the fields ``names`` (sometimes none). The
    share value changes on a few dates."""
    params, coop, rows = random_world(seed, profile)
    pool = list(facts_over(params, coop, rows, UNTIL))
    rng = random.Random(seed)
    values = sorted(START + timedelta(days=rng.randint(1, 3650)) for _ in range(rng.randint(1, 3)))
    params = replace(
        params,
        scop_thresholds=rng.random() < 0.8,
        supervisory_board_from=rng.randint(2, 8),
        share_values=tuple((d, Decimal(rng.choice([5, 50]))) for d in values),
    )
    f, on, found = rng.choice(pool), START, []
    while on < UNTIL:
        changed = rng.sample(names, min(len(names), rng.choice([0, 1, 1, 1, 2])))
        f = replace(f, on=on, **{name: another(rng, pool, name) for name in changed})
        found.append(f)
        on += timedelta(days=rng.choice([1, 1, 2, 7, 30, 90]))
    return params, found


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    profile=st.sampled_from(list(Profile)),
    offset=st.one_of(st.none(), st.integers(-10, 3650)),
)
def test_runs_equal_the_naive_reference_over_a_random_history(seed, profile, offset):
    params, coop, rows = random_world(seed, profile)
    facts = list(facts_over(params, coop, rows, UNTIL))
    since = None if offset is None else START + timedelta(days=offset)
    found = runs(params, facts, UNTIL, since)
    expected = naive_runs(params, facts, UNTIL, since)
    assert found == expected
    assert shown(found) == shown(expected)


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    profile=st.sampled_from(list(Profile)),
    offset=st.one_of(st.none(), st.integers(0, 3650)),
)
def test_runs_equal_the_naive_reference_when_few_facts_change_at_once(seed, profile, offset):
    params, facts = stream(seed, profile)
    since = None if offset is None else START + timedelta(days=offset)
    found = runs(params, facts, UNTIL, since)
    expected = naive_runs(params, facts, UNTIL, since)
    assert found == expected
    assert shown(found) == shown(expected)


def _wrong_declarations() -> dict[str, registry.RuleSpec]:
    """Each rule with one field it reads left out (an unread field in its place when it reads
    just one), and each rule reading the date with the date left out."""
    wrong = {}
    for spec in RULES.values():
        for name in spec.reads:
            left = tuple(n for n in spec.reads if n != name) or ("paid",)
            wrong[f"{spec.id} without {name}"] = replace(spec, reads=left)
        if spec.holds is not None:
            wrong[f"{spec.id} without the date"] = replace(spec, holds=None)
    return wrong


WRONG = _wrong_declarations()


@pytest.mark.parametrize("name", list(WRONG))
def test_a_rule_declaring_too_little_gives_other_runs(monkeypatch, name):
    """On streams in which only the field left out changes (or only the date moves on)."""
    spec = WRONG[name]
    left_out = sorted(set(RULES[spec.id].reads) - set(spec.reads))
    profile_rules = {
        profile: tuple(spec if s.id == spec.id else s for s in specs)
        for profile, specs in registry.PROFILE_RULES.items()
    }
    profiles = [p for p, specs in profile_rules.items() if spec in specs]
    for seed in range(40):
        params, facts = stream(seed, profiles[seed % len(profiles)], left_out)
        expected = naive_runs(params, facts, UNTIL, only=spec.id)
        with monkeypatch.context() as m:
            m.setattr(runs_module, "PROFILE_RULES", profile_rules)
            found = [r for r in runs(params, facts, UNTIL) if r.rule == spec.id]
        if found != expected:
            return
    pytest.fail(f"{name}: no stream tells the difference")


def test_a_rule_naming_no_field_is_evaluated_on_every_date(monkeypatch):
    params, facts = stream(3, Profile.FR_SCOP)
    expected = naive_runs(params, facts, UNTIL)
    undeclared = {
        p: tuple(replace(s, reads=(), holds=None) for s in specs)
        for p, specs in registry.PROFILE_RULES.items()
    }
    monkeypatch.setattr(runs_module, "PROFILE_RULES", undeclared)
    assert runs(params, facts, UNTIL) == expected


def test_every_field_a_rule_reads_is_a_fact():
    for spec in registry.RULES.values():
        assert spec.reads and set(spec.reads) <= set(FIELDS), spec.id


def decimal_ratio(value: Fraction) -> str:
    """The 4-place ratio as the rules wrote it before: the quantized 28-digit quotient."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


@settings(max_examples=200, deadline=None)
@given(
    d=st.one_of(st.integers(1, 10**6), st.integers(1, 10**30)),
    k=st.integers(0, 200_000),
    off=st.integers(-3, 3),
)
def test_a_ratio_is_the_quantized_decimal_quotient_even_next_to_a_rounding_boundary(d, k, off):
    """Next to a boundary (k + 1/2) / 10**4 and anywhere: ratio() is exactly what quantizing
    the Decimal quotient gives."""
    n = max(0, (2 * k + 1) * d // 20000 + off)
    for value in (Fraction(n, d), Fraction(k * d + off * off, d)):
        assert ratio(value) == decimal_ratio(value)


@settings(max_examples=100, deadline=None)
@given(
    employees=st.integers(0, 5000),
    externals=st.integers(0, 5000),
    cap=st.fractions(Fraction(1, 100), Fraction(99, 100)),
    profile=st.sampled_from(list(Profile)),
)
def test_the_vote_weight_and_share_are_the_formulas(employees, externals, cap, profile):
    """k = min(1, c·I / ((1−c)·E)), 1 without employee or external partners; the employees'
    share I / (I + k·E): as the law writes them, computed in one fraction each."""
    k = external_weight(employees, externals, cap)
    if employees and externals:
        assert k == min(Fraction(1), cap * employees / ((1 - cap) * externals))
    else:
        assert k == 1
    params = replace(PARAMS, profile=profile, scop_thresholds=True, external_vote_cap=cap)
    facts = replace(FACTS, employees=employees, externals=externals)
    total = employees + k * externals
    share = Fraction(employees) / total if total else Fraction(0)
    check = employee_vote_share(facts, params)
    assert check.value == ratio(share)
    assert check.status is (Status.OK if share >= params.employee_vote_min else Status.BREACH)
    assert dict(check.text.values)["share"] == share  # type: ignore[attr-defined]
