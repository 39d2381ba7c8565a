"""The federation benchmark's generator (bench/federation.py) has the French movement's shape:
4,600 cooperatives at scale 1, median 5 jobs, the largest 1,750, 87,699 jobs in all."""

from __future__ import annotations

import statistics
from datetime import date

import pytest
from bench.federation import JOBS, LARGEST, federation, sizes


@pytest.mark.parametrize(("scale", "count"), [(1.0, 4600), (0.1, 460)])
def test_sizes_have_the_movements_shape(scale: float, count: int) -> None:
    jobs = sizes(scale)
    assert len(jobs) == count
    assert statistics.median(jobs) == 5
    assert max(jobs) == LARGEST and min(jobs) >= 1
    assert abs(sum(jobs) - JOBS * scale) <= 0.05 * JOBS * scale
    # Heavy-tailed: most are small, a few hold much of the jobs.
    assert sum(1 for j in jobs if j <= 10) > 0.6 * count
    top = sorted(jobs, reverse=True)[: count // 100]
    assert sum(top) > 0.2 * sum(jobs)


def test_the_cooperatives_spread_over_thirty_years() -> None:
    coops = federation(0.1)
    assert [c.jobs for c in coops] == sizes(0.1)
    assert coops[0].registered == date(1995, 1, 1)
    assert all(date(1995, 1, 1) <= c.registered <= date(2024, 12, 31) for c in coops)
    assert len({c.registered.year for c in coops}) >= 25
    kinds = {k: sum(1 for c in coops if c.kind == k) for k in ("scop", "scic", "subsidiary")}
    assert kinds == {"scop": 272, "scic": 142, "subsidiary": 46}
    assert {c.legal_form for c in coops} == {"sarl", "sas", "sa"}
    assert all(c.persons >= c.jobs for c in coops)
    assert len({c.slug for c in coops}) == len(coops)
