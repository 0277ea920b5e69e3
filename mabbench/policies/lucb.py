"""LUCB1 (Kalyanakrishnan, Tewari, Auer & Stone 2012) for the top-m arms, batched."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig


def confidence_bounds(policy: Policy, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """LUCB1's (lower, upper) bounds on each arm's mean, shape (n_arms,) each:
    mean -/+ sqrt(log(5/4 K t^4 / delta) / (2 n_i)); unpulled arms unbounded."""
    log_term = math.log(1.25 * policy.n_live * max(policy.t, 1) ** 4 / delta)
    width = np.where(policy.counts > 0,
                     np.sqrt(log_term / (2 * np.maximum(policy.counts, 1))), np.inf)
    mean = policy.means(0.0)
    return mean - width, mean + width


def doubtful_arms(policy: Policy, top: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                  k: int) -> np.ndarray:
    """k live arms nearest the boundary of the sought set ``top`` by confidence:
    half from ``top`` by lowest lower bound, half from the rest by highest
    upper bound (LUCB pulls one of each; a batch takes the next most
    doubtful; an odd batch drops the most-pulled candidate)."""
    half = (k + 1) // 2
    doubtful = np.concatenate((policy.top_k(-lower, half, among=top),
                               policy.top_k(upper, half, among=~top)))
    if len(doubtful) > k:  # odd k (LUCB's k = 1 included): drop the best-known
        doubtful = doubtful[np.argsort(policy.counts[doubtful], kind="stable")[:k]]
    elif len(doubtful) < k:  # one side too small: top up from the other
        rest = policy.live.copy()
        rest[doubtful] = False
        extra = policy.top_k(np.where(top, -lower, upper), k - len(doubtful), among=rest)
        doubtful = np.concatenate((doubtful, extra))
    return doubtful


class LUCB(Policy):
    """Identification of the ``n_sought`` arms of highest mean by confidence bounds.

    Each round, J is the current top-m by mean and the most doubtful arms
    are pulled (``doubtful_arms``, bounds by ``confidence_bounds``; unpulled
    arms are unbounded, so they go first). ``done()`` is LUCB's
    stopping rule (the lowest LCB in J beats the highest UCB outside, less
    ``epsilon``); select() keeps refining the boundary after it, and after
    the engine's budget. ``estimates()`` is the mean, so J ranks on top.
    Retired arms (iterative pruning) count as found: m falls by as many.
    """

    name = "lucb"
    objective = "identification"

    def __init__(self, n_arms: int, seed: int, delta: float = 0.1, epsilon: float = 0.0,
                 **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(0 < delta < 1, "delta", delta, "must be in (0, 1)")
        self.require(epsilon >= 0, "epsilon", epsilon, "must be >= 0")
        self.delta, self.epsilon = delta, epsilon
        self.planned_sought = self.sought = self.n_sought_or_default()

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(top-m mask J, lower bounds, upper bounds), each shape (n_arms,)."""
        top = np.zeros(self.n_arms, dtype=bool)
        top[self.top_k(self.means(0.0), min(self.sought, self.n_live))] = True
        return (top, *confidence_bounds(self, self.delta))

    def done(self) -> bool:
        top, lower, upper = self.bounds()
        outside = self.live & ~top
        return not outside.any() or lower[top].min() > upper[outside].max() - self.epsilon

    def _select(self, k: int) -> np.ndarray:
        return doubtful_arms(self, *self.bounds(), k)

    def _removed(self) -> None:
        # Retired arms were pruned as sought ones (iterative schedule): the
        # boundary moves down by as many.
        self.sought = max(self.planned_sought - (self.n_arms - self.n_live), 1)


@dataclass
class LUCBConfig(PolicyConfig):
    _target_: str = "mabbench.policies.lucb.LUCB"
    name: str = "lucb"
    delta: float = 0.1
    epsilon: float = 0.0


store_schema("policy", "lucb", LUCBConfig)
