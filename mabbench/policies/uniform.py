"""Uniform allocation: round-robin over the live arms, ranked by mean reward."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig


class Uniform(Policy):
    """Each round pulls the k live arms pulled least so far (ties at random),
    so after any number of pulls every live arm's count is within one of
    every other's. No adaptivity: with the bandits' budget and reward it is
    the reference any bandit must beat at equal pulls (an adaptive policy
    earns its keep only by spending pulls where the ranking is in doubt).
    ``estimates()`` is the mean reward (unpulled arms 0, like every policy).
    """

    name = "uniform"
    # Neither regret nor identification: it estimates every arm equally well.
    objective = "estimation"

    def _select(self, k: int) -> np.ndarray:
        return self.top_k(-self.counts.astype(np.float64), k)


@dataclass
class UniformConfig(PolicyConfig):
    _target_: str = "mabbench.policies.uniform.Uniform"
    name: str = "uniform"


store_schema("policy", "uniform", UniformConfig)
