"""Rule profiles: parameters plus pure check functions over a date's facts.

The rules live in ``fr_scop`` and ``be_cnc``; ``registry`` lists each once with its id, title
and profiles.

``fr-scop`` (default) checks every rule id of RULES.md; ``be-cnc`` the Belgian accredited
cooperative's rules, with the Scop thresholds as a statutes opt-in.
"""

from __future__ import annotations

from scop_ledger.domain.rules.common import Rule
from scop_ledger.domain.rules.facts import (
    Check,
    Exit,
    Facts,
    Holding,
    MandateFact,
    Params,
    RefundFact,
    Status,
    vote_weight,
)
from scop_ledger.domain.rules.registry import PROFILE_RULES
from scop_ledger.domain.values import Profile
from scop_ledger.domain.votes import external_weight

#: Each profile's check functions in its order (from the registry, which also holds ids and titles).
PROFILES: dict[Profile, tuple[Rule, ...]] = {
    profile: tuple(spec.check for spec in specs) for profile, specs in PROFILE_RULES.items()
}


def evaluate(facts: Facts, params: Params) -> list[Check]:
    """Every rule of the profile on one date."""
    return [rule(facts, params) for rule in PROFILES[params.profile]]


__all__ = [
    "PROFILES",
    "Check",
    "Exit",
    "Facts",
    "Holding",
    "MandateFact",
    "Params",
    "RefundFact",
    "Status",
    "evaluate",
    "external_weight",
    "vote_weight",
]
