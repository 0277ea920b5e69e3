"""UCB1 (Auer, Cesa-Bianchi & Fischer 2002), batched."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig


class UCB1(Policy):
    """Pulls each live arm once (the optimistic start: unpulled arms have an
    infinite index), then the k arms of highest mean + sqrt(c ln t / n_i).

    ``c = 2`` is Auer et al.'s constant and the paper's setting. A batch of k
    arms is chosen with the index frozen at the round's start.
    """

    name = "ucb1"

    def __init__(self, n_arms: int, seed: int, c: float = 2.0, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(c >= 0, "c", c, "must be >= 0")
        self.c = c

    def _select(self, k: int) -> np.ndarray:
        bonus = np.sqrt(self.c * np.log(max(self.t, 1)) / np.maximum(self.counts, 1))
        index = np.where(self.counts == 0, np.inf, self.means(0.0) + bonus)
        return self.top_k(index, k)


@dataclass
class UCB1Config(PolicyConfig):
    _target_: str = "mabbench.policies.ucb1.UCB1"
    name: str = "ucb1"
    c: float = 2.0


store_schema("policy", "ucb1", UCB1Config)
