"""KL-UCB for rewards in [0, 1] (Garivier & Cappe 2011), batched."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig

EPS = 1e-12


def bernoulli_kl(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """KL(Bernoulli(p) || Bernoulli(q)), elementwise, in nats."""
    p = np.clip(p, EPS, 1 - EPS)
    q = np.clip(q, EPS, 1 - EPS)
    return p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))


class KLUCB(Policy):
    """Index_i = max{q >= mean_i : n_i KL(mean_i, q) <= log t + c log log t}.

    The Bernoulli KL bound holds for any reward in [0, 1]. ``c`` = 0 is what
    Garivier & Cappe recommend in practice (c = 3 is the proven one).
    ``iterations`` bisection steps on every arm at once fix the index to
    2^-iterations of Pinsker's bound on the gap. Unpulled arms go first.
    """

    name = "kl_ucb"

    def __init__(self, n_arms: int, seed: int, c: float = 0.0, iterations: int = 12,
                 **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(c >= 0, "c", c, "must be >= 0")
        self.require(iterations >= 1, "iterations", iterations, "must be >= 1")
        self.c, self.iterations = c, iterations

    def index(self) -> np.ndarray:
        """The KL-UCB index of every arm, shape (n_arms,); inf where unpulled."""
        t = max(self.t, 2)
        level = (np.log(t) + self.c * np.log(max(np.log(t), EPS))) / np.maximum(self.counts, 1)
        mean = np.clip(self.means(0.0), EPS, 1 - EPS)
        # KL(p, q) = p log p + (1-p) log(1-p) - p log q - (1-p) log(1-q): the first
        # two terms are fixed per arm. Pinsker (KL >= 2 (p - q)^2) caps the
        # search at p + sqrt(level / 2), so few bisection steps are needed.
        target = level - mean * np.log(mean) - (1 - mean) * np.log(1 - mean)
        low = mean
        high = np.minimum(1 - EPS, mean + np.sqrt(level / 2))
        for _ in range(self.iterations):  # bisection, all arms at once
            mid = (low + high) / 2
            inside = -(mean * np.log(mid) + (1 - mean) * np.log1p(-mid)) <= target
            low = np.where(inside, mid, low)
            high = np.where(inside, high, mid)
        return np.where(self.counts == 0, np.inf, low)

    def _select(self, k: int) -> np.ndarray:
        return self.top_k(self.index(), k)


@dataclass
class KLUCBConfig(PolicyConfig):
    _target_: str = "mabbench.policies.kl_ucb.KLUCB"
    name: str = "kl_ucb"
    c: float = 0.0
    iterations: int = 12


store_schema("policy", "kl_ucb", KLUCBConfig)
