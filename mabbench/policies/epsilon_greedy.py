"""Epsilon-greedy (Sutton & Barto), with the paper's constant and annealed epsilon."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig
from mabbench.policies.schedules import SCHEDULES


class EpsilonGreedy(Policy):
    """Each of the k slots of a round is, with probability epsilon_t, a uniformly
    random live arm, else the best remaining arm by mean reward.

    ``epsilon`` is the probability of a *random* arm (the paper: 0.9);
    ``schedule`` moves it with time (mabbench/policies/schedules.py:
    ``constant``, or ``inverse_log`` = the paper's annealing 1/log t).
    ``initial_value`` is the mean assumed for an unpulled arm when exploiting.
    """

    name = "epsilon_greedy"

    def __init__(self, n_arms: int, seed: int, epsilon: float = 0.9,
                 schedule: str = "constant", initial_value: float = 0.0, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(0 <= epsilon <= 1, "epsilon", epsilon, "must be in [0, 1]")
        self.require(schedule in SCHEDULES, "schedule", schedule,
                     f"must be one of {SCHEDULES.names()}")
        self.epsilon, self.initial_value = epsilon, initial_value
        self.schedule = SCHEDULES.get(schedule)

    def current_epsilon(self) -> float:
        return float(min(1.0, max(0.0, self.schedule(self.epsilon, self.t + 1))))

    def _select(self, k: int) -> np.ndarray:
        n_random = int(self.rng.binomial(k, self.current_epsilon()))
        greedy = self.top_k(self.means(self.initial_value), k - n_random)
        rest = self.live.copy()
        rest[greedy] = False
        explore = self.rng.choice(np.flatnonzero(rest), n_random, replace=False)
        return np.concatenate((greedy, explore))


@dataclass
class EpsilonGreedyConfig(PolicyConfig):
    _target_: str = "mabbench.policies.epsilon_greedy.EpsilonGreedy"
    name: str = "epsilon_greedy"
    epsilon: float = 0.9
    schedule: str = "constant"
    initial_value: float = 0.0


@dataclass
class EpsilonDecayConfig(EpsilonGreedyConfig):
    name: str = "epsilon_decay"
    schedule: str = "inverse_log"


store_schema("policy", "epsilon_greedy", EpsilonGreedyConfig)
store_schema("policy", "epsilon_decay", EpsilonDecayConfig)
