"""A user's own policy, outside mabbench: Gaussian Thompson sampling with
empirical-Bayes shrinkage.

What is new (no built-in does this): each arm's mean is shrunk toward the mean
reward of every pull so far, worth ``strength`` pulls, and sampled with the
pooled spread of the rewards seen. ``thompson_gaussian`` shrinks toward a fixed
0.5 with a fixed sigma 0.5 (the bound of any [0, 1] reward), and ``uniform`` or
``ucb1`` rank by plain means, which put an arm pulled once at its one noisy
reward; here such an arm ranks near the average until its pulls say otherwise.

It only subclasses ``mabbench.policies.base.Policy``; the YAML next to it
(conf/policy/shrunk_thompson.yaml) names it with ``_target_``. Nothing in
mabbench is edited to run or compare it (tests/test_user_policy.py,
tests/test_compare.py, docs/compare.md).
"""
from __future__ import annotations

import numpy as np

from mabbench.policies.base import Policy


class ShrunkThompson(Policy):
    """Thompson sampling from N(shrunk mean, pooled sd^2 / (pulls + strength))."""

    name = "shrunk_thompson"

    def __init__(self, n_arms: int, seed: int, strength: float = 2.0, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(strength > 0, "strength", strength, "must be > 0")
        self.strength = strength
        self.squares = np.zeros(n_arms)  # sum of squared rewards per arm: the pooled spread

    def _update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        np.add.at(self.squares, arms, rewards ** 2)

    def _pooled(self) -> tuple[float, float]:
        """(mean, standard deviation) of every reward seen; (0.5, 0.5) before any."""
        pulls = self.counts.sum()
        if pulls == 0:
            return 0.5, 0.5
        mean = self.sums.sum() / pulls
        spread = np.sqrt(max(self.squares.sum() / pulls - mean ** 2, 1e-12))
        return float(mean), float(spread)

    def estimates(self) -> np.ndarray:
        """Shrunk mean per arm, shape (n_arms,): highest is pruned first."""
        mean, _ = self._pooled()
        return (self.sums + self.strength * mean) / (self.counts + self.strength)

    def _select(self, k: int) -> np.ndarray:
        _, spread = self._pooled()
        draw = self.rng.standard_normal(self.n_arms)
        return self.top_k(self.estimates() + spread / np.sqrt(self.counts + self.strength) * draw,
                          k)
