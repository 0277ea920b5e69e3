"""LUCB1 (Kalyanakrishnan, Tewari, Auer & Stone 2012) for the top-m arms, batched."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mabbench.config import store_schema
from mabbench.policies.base import Policy, PolicyConfig


class LUCB(Policy):
    """Identification of the ``n_sought`` arms of highest mean by confidence bounds.

    Each round, J is the current top-m by mean. The most doubtful members
    are pulled: half the batch from J by lowest lower bound, half from the
    rest by highest upper bound (LUCB pulls one of each; a batch takes the
    next most doubtful; an odd batch drops the most-pulled candidate).
    Bounds are mean -/+ sqrt(log(5/4 K t^4 / delta) / (2 n_i)), unpulled
    arms unbounded so they go first. ``done()`` is LUCB's
    stopping rule (the lowest LCB in J beats the highest UCB outside, less
    ``epsilon``); select() keeps refining the boundary after it, and after
    the engine's budget. ``estimates()`` is the mean, so J ranks on top.
    """

    name = "lucb"
    objective = "identification"

    def __init__(self, n_arms: int, seed: int, delta: float = 0.1, epsilon: float = 0.0,
                 **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(0 < delta < 1, "delta", delta, "must be in (0, 1)")
        self.require(epsilon >= 0, "epsilon", epsilon, "must be >= 0")
        self.delta, self.epsilon = delta, epsilon
        self.sought = self.n_sought_or_default()

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(top-m mask J, lower bounds, upper bounds), each shape (n_arms,)."""
        mean = self.means(0.0)
        n_live = int(self.live.sum())
        log_term = math.log(1.25 * n_live * max(self.t, 1) ** 4 / self.delta)
        width = np.where(self.counts > 0, np.sqrt(log_term / (2 * np.maximum(self.counts, 1))),
                         np.inf)
        top = np.zeros(self.n_arms, dtype=bool)
        top[self.top_k(mean, min(self.sought, n_live))] = True
        return top, mean - width, mean + width

    def done(self) -> bool:
        top, lower, upper = self.bounds()
        outside = self.live & ~top
        return not outside.any() or lower[top].min() > upper[outside].max() - self.epsilon

    def _select(self, k: int) -> np.ndarray:
        top, lower, upper = self.bounds()
        half = (k + 1) // 2
        doubtful = np.concatenate((self.top_k(-lower, half, among=top),
                                   self.top_k(upper, half, among=~top)))
        if len(doubtful) > k:  # odd k (LUCB's k = 1 included): drop the best-known
            doubtful = doubtful[np.argsort(self.counts[doubtful], kind="stable")[:k]]
        elif len(doubtful) < k:  # one side too small: top up from the other
            rest = self.live.copy()
            rest[doubtful] = False
            extra = self.top_k(np.where(top, -lower, upper), k - len(doubtful), among=rest)
            doubtful = np.concatenate((doubtful, extra))
        return doubtful


@dataclass
class LUCBConfig(PolicyConfig):
    _target_: str = "mabbench.policies.lucb.LUCB"
    name: str = "lucb"
    delta: float = 0.1
    epsilon: float = 0.0


store_schema("policy", "lucb", LUCBConfig)
