"""Bayesian signed-rank test (Benavoli et al. 2017) through baycomp, seeded.

Returns the posterior probabilities that the claimed method is worse by more than the
ROPE, practically equivalent (within the ROPE), or better by more than it. The ROPE
is in the metric's own units (accuracy or R^2) and is printed beside every result.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLES = 5000  # posterior draws; baycomp's default of 50,000 changes nothing at 2 digits
SEED = 0


@dataclass(frozen=True)
class Posterior:
    worse: float
    equivalent: float
    better: float


def signed_rank(better: np.ndarray, worse: np.ndarray, rope: float) -> Posterior:
    """P(claimed worse), P(within ROPE), P(claimed better) over datasets."""
    from baycomp import SignedRankTest  # heavy-ish import, only where used

    better, worse = np.asarray(better, float), np.asarray(worse, float)
    if len(better) < 2 or np.all(better == worse):
        return Posterior(np.nan, np.nan, np.nan)
    # baycomp's orientation: the right-hand probability is P(y - x > rope)
    left, middle, right = SignedRankTest.probs(worse, better, rope=rope, nsamples=SAMPLES,
                                               random_state=SEED)
    return Posterior(float(left), float(middle), float(right))
