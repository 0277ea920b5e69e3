"""A user's own policy, outside mabbench: pulls the least-pulled arms first.

It only subclasses ``mabbench.policies.base.Policy``; the YAML next to it
(conf/policy/round_robin.yaml) names it with ``_target_``. Nothing in
mabbench is edited to run it (tests/test_user_policy.py).
"""
from __future__ import annotations

import numpy as np

from mabbench.policies.base import Policy


class RoundRobin(Policy):
    """Uniform allocation: the k live arms pulled least so far (ties at random)."""

    name = "round_robin"

    def __init__(self, n_arms: int, seed: int, initial_value: float = 0.0, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.initial_value = initial_value

    def _select(self, k: int) -> np.ndarray:
        return self.top_k(-self.counts.astype(float), k)

    def estimates(self) -> np.ndarray:
        return self.means(self.initial_value)
