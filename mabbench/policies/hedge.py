"""Hedge (Freund & Schapire 1997) as the paper's code ran it on bandit feedback."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig
from mabbench.policies.sampling import inclusion_probabilities, softmax, systematic_sample


class Hedge(Policy):
    """Arm i is drawn with probability proportional to exp(eta * S_i), S_i the
    cumulative reward of arm i (only pulled arms gain: banditsbook's Hedge,
    which the 2017 code used; EXP3 is the importance-weighted correction).

    ``eta`` 0.9 is the paper's. Weights live in log space, so long runs do not
    overflow. Batches keep inclusion chances proportional (sampling.py).
    """

    name = "hedge"

    def __init__(self, n_arms: int, seed: int, eta: float = 0.9, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(eta >= 0, "eta", eta, "must be >= 0")
        self.eta = eta

    def _select(self, k: int) -> np.ndarray:
        live = np.flatnonzero(self.live)
        p = softmax(self.eta * self.sums[live])
        return live[systematic_sample(self.rng, inclusion_probabilities(p, k), k)]


@dataclass
class HedgeConfig(PolicyConfig):
    _target_: str = "mabbench.policies.hedge.Hedge"
    name: str = "hedge"
    eta: float = 0.9


store_schema("policy", "hedge", HedgeConfig)
