"""EXP3 (Auer, Cesa-Bianchi, Freund & Schapire 2002), batched as Exp3.M."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig
from mabbench.policies.sampling import inclusion_probabilities, softmax, systematic_sample


class EXP3(Policy):
    """p_i = (1 - gamma) w_i / sum(w) + gamma / K over the K live arms; a pulled
    arm's weight grows by exp(gamma * x_hat / K), x_hat = reward / pi_i its
    importance-weighted reward.

    With k arms per round, pi_i is the arm's exact inclusion probability
    (k p_i capped at 1, as in Exp3.M, Uchiya et al. 2010), so x_hat stays
    unbiased. ``gamma`` 0.2 is the paper's.
    """

    name = "exp3"

    def __init__(self, n_arms: int, seed: int, gamma: float = 0.2, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(0 < gamma <= 1, "gamma", gamma, "must be in (0, 1]")
        self.gamma = gamma
        self.log_weights = np.zeros(n_arms)
        self.inclusion = np.ones(n_arms)  # pi of each arm in the latest round

    def _select(self, k: int) -> np.ndarray:
        live = np.flatnonzero(self.live)
        p = (1 - self.gamma) * softmax(self.log_weights[live]) + self.gamma / len(live)
        pi = inclusion_probabilities(p, k)
        self.inclusion[live] = pi
        return live[systematic_sample(self.rng, pi, k)]

    def _update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        x_hat = rewards / self.inclusion[arms]
        np.add.at(self.log_weights, arms, self.gamma * x_hat / self.n_live)


@dataclass
class EXP3Config(PolicyConfig):
    _target_: str = "mabbench.policies.exp3.EXP3"
    name: str = "exp3"
    gamma: float = 0.2


store_schema("policy", "exp3", EXP3Config)
