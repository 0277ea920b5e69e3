"""What a comparison could have detected, in metric units, from its own paired differences.

Model (Monte Carlo, seeded, common random numbers): the N paired differences of a
comparison are ``shift + sd * z`` with z standard normal and ``sd`` the standard
deviation of the observed differences. The one-sided exact Wilcoxon signed-rank test
(the claims' test) at level ``alpha`` rejects in a share of the draws: the power at that
shift. The minimum detectable effect (MDE) is the smallest shift detected with 80%
power, found by bisection (the same draws at every shift, so power is monotone in it);
the power against a ROPE-sized shift is reported beside it. Level ``alpha`` is that of
one comparison; Holm within a claim asks more of all but its weakest one, so the MDE is
a lower bound on what the claim needed. (The v2 column was the power to detect a one
mean-rank advantage: its size in metric units depended on k, not on the data.)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from paper_figures.signed_rank import p_greater

SIMULATIONS = 2000
SEED = 0
TARGET = 0.8  # power at which the minimum detectable effect is read


@dataclass(frozen=True)
class Power:
    sd: float  # standard deviation of the observed paired differences
    mde: float  # smallest shift detected with TARGET power (metric units; inf: never)
    at_rope: float  # power against a shift of one ROPE


def _draws(n: int, simulations: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((simulations, n))


def power_at(shift: float, sd: float, n: int, alpha: float,
             simulations: int = SIMULATIONS, seed: int = SEED) -> float:
    """Share of draws in which the one-sided exact signed-rank test rejects at ``alpha``."""
    if n < 1:
        return math.nan
    return float(np.mean(p_greater(shift + sd * _draws(n, simulations, seed)) < alpha))


def minimum_detectable(differences: np.ndarray, rope: float, alpha: float,
                       simulations: int = SIMULATIONS, seed: int = SEED) -> Power:
    """MDE at ``TARGET`` power and power at ``rope`` for these observed differences."""
    differences = np.asarray(differences, dtype=float)
    n = len(differences)
    sd = float(differences.std(ddof=1)) if n >= 2 else math.nan
    if not math.isfinite(sd) or sd == 0:
        return Power(sd, math.nan, math.nan)
    z = _draws(n, simulations, seed)

    def power(shift: float) -> float:
        return float(np.mean(p_greater(shift + sd * z) < alpha))

    # The exact test's smallest p is 2^-n: below alpha it can never reject.
    if 0.5 ** n >= alpha:
        return Power(sd, math.inf, power(rope))
    low, high = 0.0, sd
    while power(high) < TARGET:
        high *= 2
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if power(middle) < TARGET else (low, middle)
    return Power(sd, high, power(rope))
