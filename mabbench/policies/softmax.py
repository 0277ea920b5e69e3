"""Softmax / Boltzmann exploration, with the paper's constant and annealed temperature."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig
from mabbench.policies.sampling import inclusion_probabilities, softmax, systematic_sample
from mabbench.policies.schedules import SCHEDULES


class Softmax(Policy):
    """Arm i is drawn with probability proportional to exp(mean_i / temperature_t).

    A batch of k distinct arms keeps each arm's inclusion chance proportional
    to that probability (capped at 1; see sampling.py). ``temperature`` 0.9 is
    the paper's; ``schedule: inverse_log`` is its annealing, 1/log t.
    """

    name = "softmax"

    def __init__(self, n_arms: int, seed: int, temperature: float = 0.9,
                 schedule: str = "constant", initial_value: float = 0.0, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(temperature > 0, "temperature", temperature, "must be > 0")
        self.require(schedule in SCHEDULES, "schedule", schedule,
                     f"must be one of {SCHEDULES.names()}")
        self.temperature, self.initial_value = temperature, initial_value
        self.schedule = SCHEDULES.get(schedule)

    def _select(self, k: int) -> np.ndarray:
        live = np.flatnonzero(self.live)
        temperature = max(self.schedule(self.temperature, self.t + 1), 1e-12)
        p = softmax(self.means(self.initial_value)[live] / temperature)
        return live[systematic_sample(self.rng, inclusion_probabilities(p, k), k)]


@dataclass
class SoftmaxConfig(PolicyConfig):
    _target_: str = "mabbench.policies.softmax.Softmax"
    name: str = "softmax"
    temperature: float = 0.9
    schedule: str = "constant"
    initial_value: float = 0.0


@dataclass
class SoftmaxAnnealConfig(SoftmaxConfig):
    name: str = "softmax_anneal"
    schedule: str = "inverse_log"


store_schema("policy", "softmax", SoftmaxConfig)
store_schema("policy", "softmax_anneal", SoftmaxAnnealConfig)
