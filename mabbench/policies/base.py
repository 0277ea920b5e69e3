"""The bandit policy interface: pure arithmetic on arrays, no models, no data.

A policy sees arms 0..n_arms-1 and rewards in [0, 1] (1 = safe to remove).
Rounds are batched: ``select(k)`` returns k distinct live arms, ``update``
takes one reward per selected arm. ``remove`` retires arms (pruned ones) so
they are never selected again. All randomness comes from ``self.rng``.

Writing a policy: subclass ``Policy``, implement ``_select(k)`` (and
``_update`` if it keeps more state than counts and reward sums), validate its
hyper-parameters with ``self.require``. Everything is vectorised over arms.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Optional

import numpy as np

from mabbench.config.errors import ConfigError

# Identification policies plan with these when the caller gives no budget or
# target; 5 pulls per arm is pruning.budget_per_arm's default.
DEFAULT_PULLS_PER_ARM = 5
DEFAULT_SOUGHT_FRACTION = 0.5


@dataclass
class PolicyConfig:
    """Keys every policy-axis entry has. ``_target_`` is the class to build."""

    _target_: str = "???"
    name: str = "???"


class Policy(ABC):
    """Base class: keeps counts, reward sums and the live-arm mask.

    ``budget`` (total pulls) and ``n_sought`` (arms the pruner will remove)
    are passed by the engine to every policy; identification policies plan
    with them, regret minimisers ignore them.
    """

    name = "policy"
    # "regret": maximise the reward collected; "identification": find the
    # n_sought arms of highest mean reward within the budget; "estimation":
    # spread the budget evenly to estimate every arm's mean alike.
    objective = "regret"

    def __init__(self, n_arms: int, seed: int, budget: Optional[int] = None,
                 n_sought: Optional[int] = None) -> None:
        self.require(isinstance(n_arms, (int, np.integer)) and n_arms >= 1, "n_arms", n_arms,
                     "must be an integer >= 1")
        self.require(isinstance(seed, (int, np.integer)) and seed >= 0, "seed", seed,
                     "must be an integer >= 0")
        self.require(budget is None or budget >= 0, "budget", budget, "must be >= 0 or None")
        self.require(n_sought is None or 0 <= n_sought <= n_arms, "n_sought", n_sought,
                     f"must be in [0, n_arms={n_arms}] or None")
        self.n_arms = int(n_arms)
        self.budget = budget
        self.n_sought = n_sought
        self.rng = np.random.default_rng(seed)
        self.counts = np.zeros(n_arms, dtype=np.int64)
        self.sums = np.zeros(n_arms, dtype=np.float64)
        self.live = np.ones(n_arms, dtype=bool)
        self.n_live = self.n_arms
        self.t = 0  # pulls so far

    # -- the interface -------------------------------------------------------
    def select(self, k: int) -> np.ndarray:
        """k distinct live arm indices for this round, shape (k,), int64."""
        n_live = self.n_live
        if not (isinstance(k, (int, np.integer)) and 1 <= k <= n_live):
            raise ValueError(f"policy {self.name}: argument k={k!r} must be an integer in "
                             f"[1, {n_live}] (the live arms)")
        return np.asarray(self._select(int(k)), dtype=np.int64)

    def update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        """Record one reward in [0, 1] per pulled arm; ``arms`` and ``rewards`` shape (k,)."""
        arms = np.asarray(arms)
        rewards = np.asarray(rewards, dtype=np.float64)
        self._check_arms(arms, "update")
        if arms.shape != rewards.shape:
            raise ValueError(f"policy {self.name}: argument rewards has shape {rewards.shape}, "
                             f"arms has {arms.shape}; give one reward per arm")
        if rewards.size and not (rewards.min() >= 0 and rewards.max() <= 1):  # NaN fails too
            i = int(np.argmax(~((rewards >= 0) & (rewards <= 1))))
            raise ValueError(f"policy {self.name}: argument rewards[{i}]={float(rewards[i])!r} "
                             "must be finite and in [0, 1]")
        arms = arms.astype(np.int64)
        np.add.at(self.counts, arms, 1)
        np.add.at(self.sums, arms, rewards)
        self.t += len(arms)
        self._update(arms, rewards)

    def estimates(self) -> np.ndarray:
        """Per-arm estimated safe-removal reward, shape (n_arms,); unpulled arms 0.

        The engine prunes in descending order of this array, so an arm never
        pulled is treated as the least safe to remove."""
        return self.means(0.0)

    def remove(self, arms: np.ndarray) -> None:
        """Retire arms (already pruned); they are never selected again."""
        arms = np.asarray(arms)
        self._check_arms(arms, "remove", live_only=False)
        self.live[arms.astype(np.int64)] = False
        self.n_live = int(self.live.sum())
        self._removed()

    # -- what a subclass writes ----------------------------------------------
    @abstractmethod
    def _select(self, k: int) -> np.ndarray:
        """k distinct live arms; 1 <= k <= live arms is already checked."""

    def _update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        """Extra bookkeeping after counts and sums are updated (optional)."""

    def _removed(self) -> None:
        """Extra bookkeeping after arms are retired (optional)."""

    # -- helpers -------------------------------------------------------------
    def require(self, condition: bool, argument: str, value, allowed: str) -> None:
        """Raise a one-line error naming this policy, the argument and its value.

        ConfigError is a ValueError that the command line prints as one line."""
        if not condition:
            raise ConfigError(f"policy {self.name}: {argument}={value!r} {allowed}")

    def means(self, initial_value: float) -> np.ndarray:
        """Empirical mean reward per arm, ``initial_value`` where unpulled; shape (n_arms,)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = self.sums / self.counts
        mean[self.counts == 0] = initial_value
        return mean

    def top_k(self, score: np.ndarray, k: int, among: Optional[np.ndarray] = None) -> np.ndarray:
        """Up to k live arms (restricted to mask ``among``) of highest ``score``;
        ties broken at random. Returns fewer than k when fewer are eligible."""
        pool = np.flatnonzero(self.live if among is None else self.live & among)
        pool = self.rng.permutation(pool)  # shuffled first, so ties fall at random
        if k >= len(pool):
            return pool
        return pool[np.argpartition(-score[pool], k - 1)[:k]]

    def n_sought_or_default(self) -> int:
        """Arms sought by identification policies, clipped to [1, n_arms]."""
        sought = self.n_sought if self.n_sought is not None else round(
            DEFAULT_SOUGHT_FRACTION * self.n_arms)
        return int(min(max(sought, 1), self.n_arms))

    def budget_or_default(self) -> int:
        return int(self.budget if self.budget is not None else DEFAULT_PULLS_PER_ARM * self.n_arms)

    def _check_arms(self, arms: np.ndarray, where: str, live_only: bool = True) -> None:
        if arms.ndim != 1 or (arms.size and arms.dtype.kind not in "iu"):
            raise ValueError(f"policy {self.name}: argument arms={arms!r} to {where} must be a "
                             "1-D array of integer arm indices")
        if arms.size == 0:
            return
        low, high = arms.min(), arms.max()
        if low < 0 or high >= self.n_arms:
            raise ValueError(f"policy {self.name}: argument arms contains "
                             f"{int(low if low < 0 else high)}, outside [0, {self.n_arms - 1}]")
        if live_only and not self.live[arms].all():
            dead = int(arms[~self.live[arms]][0])
            raise ValueError(f"policy {self.name}: argument arms contains {dead}, "
                             "which was removed")
