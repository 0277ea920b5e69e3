"""The bandit policy interface: pure arithmetic on arrays, no models, no data.

A policy sees arms 0..n_arms-1 and rewards in [0, 1] (1 = safe to remove).
Rounds are batched: ``select(k)`` returns k distinct live arms, ``update``
takes one reward per selected arm. ``remove`` retires arms (pruned ones) so
they are never selected again. All randomness comes from ``self.rng``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Optional

import numpy as np




@dataclass
class PolicyConfig:
    """Keys every policy-axis entry has. ``_target_`` is the class to build."""

    _target_: str = "???"
    name: str = "???"


class Policy(ABC):
    """Base class: keeps counts, reward sums and the live-arm mask.

    ``budget`` (total pulls) and ``n_sought`` (arms the pruner will remove)
    are passed by the engine to every policy; identification policies plan
    with them, regret minimisers may ignore them.
    """

    name = "policy"

    def __init__(self, n_arms: int, seed: int, budget: Optional[int] = None,
                 n_sought: Optional[int] = None) -> None:
        if n_arms < 1:
            raise ValueError(f"{self.name}: n_arms must be >= 1, got {n_arms}")
        self.n_arms = n_arms
        self.budget = budget
        self.n_sought = n_sought
        self.rng = np.random.default_rng(seed)
        self.counts = np.zeros(n_arms, dtype=np.int64)
        self.sums = np.zeros(n_arms, dtype=np.float64)
        self.live = np.ones(n_arms, dtype=bool)
        self.t = 0  # pulls so far

    # -- the interface -------------------------------------------------------
    def select(self, k: int) -> np.ndarray:
        """k distinct live arm indices for this round."""
        n_live = int(self.live.sum())
        if not 1 <= k <= n_live:
            raise ValueError(f"{self.name}: k={k} must be in [1, {n_live}] (live arms)")
        return self._select(k)

    def update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        """Record one reward in [0, 1] per pulled arm."""
        arms = np.asarray(arms, dtype=np.int64)
        rewards = np.asarray(rewards, dtype=np.float64)
        if arms.shape != rewards.shape:
            raise ValueError(f"{self.name}: arms {arms.shape} and rewards {rewards.shape} differ")
        if not np.all(np.isfinite(rewards)) or rewards.min(initial=0) < 0 or rewards.max(initial=0) > 1:
            raise ValueError(f"{self.name}: rewards must be finite and in [0, 1], got {rewards}")
        np.add.at(self.counts, arms, 1)
        np.add.at(self.sums, arms, rewards)
        self.t += len(arms)
        self._update(arms, rewards)

    def estimates(self) -> np.ndarray:
        """Per-arm estimated safe-removal reward, shape (n_arms,)."""
        return self.sums / np.maximum(self.counts, 1)

    def remove(self, arms: np.ndarray) -> None:
        """Retire arms (already pruned); they are never selected again."""
        self.live[np.asarray(arms, dtype=np.int64)] = False

    # -- what a subclass writes ----------------------------------------------
    @abstractmethod
    def _select(self, k: int) -> np.ndarray: ...

    def _update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        """Extra bookkeeping after counts and sums are updated (optional)."""

    # -- helpers -------------------------------------------------------------
    def top_k(self, score: np.ndarray, k: int) -> np.ndarray:
        """The k live arms of highest score, ties broken at random."""
        noise = self.rng.random(self.n_arms) * 1e-12
        score = np.where(self.live, score + noise, -np.inf)
        return np.argpartition(-score, k - 1)[:k]


