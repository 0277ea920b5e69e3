"""How often a claim's test would succeed if the claim were true by one mean rank.

Model (Monte Carlo, seeded): on each of N datasets, method j scores
``x_j = shift_j + e_j`` with e_j standard normal; the claimed-better methods get
``shift = delta``, the rest 0. ``delta`` is chosen so that the expected mean rank of a
claimed method is exactly one rank better than that of any other method of the pool:
with k methods and p = P(x_other > x_claimed), the expected gap is k (1/2 - p), so
p = 1/2 - 1/k and delta = -sqrt(2) Phi^-1(p) (independent of how many are claimed).
The simulated data go through the same rule as the real data (verdicts.decide) with
non-inferiority margins at 0, and the power is the share of "reproduced" verdicts;
Friedman's power (p < alpha over the whole pool) comes from the same draws.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from paper_figures.signed_rank import p_greater, p_less
from paper_figures.verdicts import REPRODUCED, Requirement, decide, flatten

SIMULATIONS = 2000
SEED = 0


@dataclass(frozen=True)
class Power:
    rule: float  # P(reproduced) under a true one-rank advantage
    friedman: float  # P(Friedman p < alpha) under the same draws
    delta: float  # the score shift (in noise SDs) that makes a one-rank gap


def one_rank_shift(n_methods: int, gap: float = 1.0) -> float:
    """Normal shift giving an expected mean-rank gap of ``gap`` among ``n_methods``."""
    p = 0.5 - gap / n_methods
    return math.inf if p <= 0 else float(-math.sqrt(2.0) * stats.norm.ppf(p))


def friedman_p(scores: np.ndarray) -> np.ndarray:
    """Friedman p-values for draws of shape (sims, N, k) without ties."""
    _, n, k = scores.shape
    ranks = np.argsort(np.argsort(-scores, axis=-1), axis=-1) + 1
    rank_sums = ranks.sum(axis=1)
    chi2 = 12.0 / (n * k * (k + 1)) * (rank_sums ** 2).sum(axis=-1) - 3.0 * n * (k + 1)
    return stats.chi2.sf(chi2, k - 1)


def claim_power(methods: list[str], requirements: tuple[Requirement, ...], n_datasets: int,
                alpha: float, gap: float = 1.0, simulations: int = SIMULATIONS,
                seed: int = SEED) -> Power:
    """Power of the rule and of Friedman for this claim's pool and N when the claimed
    methods are ``gap`` mean ranks better (NaN if untestable; ``gap=0`` gives the
    false-positive rates)."""
    comparisons, _ = flatten(requirements)
    k = len(methods)
    delta = one_rank_shift(k, gap)
    if n_datasets < 1 or k < 3 or not math.isfinite(delta):
        return Power(math.nan, math.nan, delta)
    column = {m: j for j, m in enumerate(methods)}
    winners = {c.better for c in comparisons}
    shift = np.array([delta if m in winners else 0.0 for m in methods])
    rng = np.random.default_rng(seed)
    draws = rng.standard_normal((simulations, n_datasets, k)) + shift
    differences = np.stack([draws[..., column[c.better]] - draws[..., column[c.worse]]
                            for c in comparisons], axis=1)  # sims x m x N
    verdicts = decide(p_greater(differences), p_less(differences), requirements, alpha)
    return Power(float(np.mean(verdicts == REPRODUCED)),
                 float(np.mean(friedman_p(draws) < alpha)), delta)
