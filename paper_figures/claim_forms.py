"""From a claim's data (conf/claims/*.yaml) to its pool and directed comparisons.

Registries, one entry per form the claims file may name: how a pool is filled, who the
subject is, who the rivals are, and how many comparisons a requirement needs.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from paper_figures.claim_file import ClaimFile, ClaimSpec
from paper_figures.verdicts import Comparison, Requirement

PRUNING_KINDS = ("bandit", "baseline")

# A claim's design: (methods in its pool, its requirements), or why it cannot be tested.
Design = tuple[list[str], tuple[Requirement, ...]] | str

# pool spelled as one word -> the methods of that kind among the scores
POOL_KINDS: dict[str, Callable[[pd.DataFrame, dict], list[str]]] = {
    "pruning": lambda scores, kinds: [m for m in scores if kinds.get(m) in PRUNING_KINDS],
    "reference": lambda scores, kinds: [m for m in scores if kinds.get(m) == "reference"],
}


def pool_methods(spelled, scores: pd.DataFrame, kinds: dict) -> list[str]:
    if isinstance(spelled, str):
        return POOL_KINDS[spelled](scores, kinds)
    return [m for m in spelled if m in scores]


def subjects(claim: ClaimSpec, pool: list[str], kinds: dict) -> list[str]:
    if claim.subject == "bandits":
        return [m for m in pool if kinds.get(m) == "bandit"]
    return list(claim.subject)


RIVALS: dict[str, Callable[[list[str], list[str], pd.DataFrame, dict], list[str]]] = {
    "pool": lambda subject, pool, scores, kinds: [m for m in pool if m not in subject],
    "comparators": lambda subject, pool, scores, kinds: POOL_KINDS["reference"](scores, kinds),
}


def rivals(claim: ClaimSpec, subject: list[str], pool: list[str], scores: pd.DataFrame,
           kinds: dict) -> list[str]:
    if isinstance(claim.rivals, str):
        return RIVALS[claim.rivals](subject, pool, scores, kinds)
    return [r for r in claim.rivals if r not in subject]


def _all(subject, rivals, margin):
    comparisons = tuple(Comparison(s, r, margin) for s in subject for r in rivals)
    return (Requirement(comparisons, len(comparisons)),)


def _half(subject, rivals, margin):
    comparisons = tuple(Comparison(s, r, margin) for s in subject for r in rivals)
    return (Requirement(comparisons, math.ceil(len(comparisons) / 2)),)


def _per_rival(at_least):
    def build(subject, rivals, margin):
        return tuple(Requirement(tuple(Comparison(s, r, margin) for s in subject),
                                 min(at_least, len(subject))) for r in rivals)
    return build


REQUIREMENTS: dict[str, Callable] = {"all": _all, "half": _half}


def requirement_builder(spelled) -> Callable:
    if isinstance(spelled, dict):
        return _per_rival(int(spelled["per_rival"]))
    return REQUIREMENTS[spelled]


def design(claim: ClaimSpec, pool_name: str, claims: ClaimFile, scores: pd.DataFrame,
           kinds: dict) -> Design:
    """The methods a claim ranks in this pool and its requirements (or why not)."""
    pool = pool_methods(claims.pools[pool_name], scores, kinds)
    subject = subjects(claim, pool, kinds)
    missing = [m for m in subject if m not in scores]
    if missing or not subject:
        return f"missing {', '.join(missing) or 'subjects'}"
    against = rivals(claim, subject, pool, scores, kinds)
    absent = [m for m in against if m not in scores]
    if absent or not against:
        return f"missing {', '.join(absent) or 'rivals'}"
    methods = list(dict.fromkeys([*pool, *subject, *against]))
    return methods, requirement_builder(claim.requirement)(subject, against, claim.margin)
