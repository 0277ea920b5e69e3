"""Sequential halving (Karnin, Koren & Somekh 2013) for the top-m arms, batched."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig
from mabbench.policies.lucb import confidence_bounds, doubtful_arms

# Confidence of the bounds that pick the boundary arms once the plan is spent
# (LUCB1's default delta).
REFINE_DELTA = 0.1


def halving_step(undecided: int, needed: int) -> tuple[int, int]:
    """(accept, reject) for one phase: half the undecided arms are decided,
    split in proportion to the arms still needed (m') and not needed."""
    half = math.ceil(undecided / 2)
    reject = min(half - needed * half // undecided, undecided - needed)
    return half - reject, reject


def n_phases(n_arms: int, sought: int) -> int:
    """Phases until the top ``sought`` of ``n_arms`` arms are decided (~log2 n_arms)."""
    phases, undecided, needed = 0, n_arms, sought
    while 0 < needed < undecided:
        accept, reject = halving_step(undecided, needed)
        undecided, needed, phases = undecided - accept - reject, needed - accept, phases + 1
    return phases


class SuccessiveHalving(Policy):
    """Fixed-budget identification of the ``n_sought`` arms of highest mean.

    The budget is split evenly over ~log2(K) phases. In each phase every
    undecided arm is pulled budget / (phases * undecided) times (at least
    once); then half the undecided arms are decided by mean reward (all
    samples so far): the best are accepted and the worst rejected, in
    proportion to the arms still sought. For one arm sought this is Karnin et
    al.'s sequential halving; for many it borrows the accept/reject split of
    SAR (Bubeck, Wang & Viswanathan 2013), so a target of half the arms still
    gets log2(K) phases of refinement near the boundary.

    ``estimates()`` is a ranking score, tier + mean reward: rejected in phase
    r -> tier r - 1, undecided -> tier L, accepted in phase r -> tier
    2L + 1 - r (L phases planned). The accepted set ranks on top, surer arms
    first.

    Past the plan (more pulls than it planned for, or no budget given), it
    keeps refining the boundary of the sought set LUCB-style: the sought set
    J is the live arms of highest mean, as many as were accepted, and each
    round pulls the arms of J with the lowest lower confidence bound and the
    others with the highest upper bound (lucb.doubtful_arms). Once such pulls
    are made, J (re-decided by mean over all samples) ranks on top, so the
    extra pulls can move an arm across the boundary; within and outside J
    the order stays tier + mean.
    """

    name = "successive_halving"
    objective = "identification"

    def __init__(self, n_arms: int, seed: int, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.needed = self.n_sought_or_default()
        self.planned_phases = max(n_phases(n_arms, self.needed), 1)
        self.phase = 1
        self.undecided = self.live.copy()
        self.tier = np.full(n_arms, self.planned_phases, dtype=np.int64)
        self.phase_pulls = np.zeros(n_arms, dtype=np.int64)
        self.phase_target = self._pulls_per_arm()
        self.refining_pulls = 0  # pulls made after the plan was spent
        self.accepted = np.zeros(n_arms, dtype=bool)

    def in_progress(self) -> bool:
        return 0 < self.needed < int(self.undecided.sum())

    def estimates(self) -> np.ndarray:
        score = self.tier + self.means(0.0)
        if self.refining_pulls:
            score = score + (2.0 * self.planned_phases + 2.0) * self.sought_set()
        return score

    def sought_set(self) -> np.ndarray:
        """Mask, shape (n_arms,): as many live arms as were accepted, by
        highest mean (ties by index, so estimates() draws no randomness)."""
        accepted = int((self.live & self.accepted).sum())
        mean = np.where(self.live, self.means(0.0), -np.inf)
        top = np.zeros(self.n_arms, dtype=bool)
        top[np.argsort(-mean, kind="stable")[:accepted]] = True
        return top

    def _pulls_per_arm(self) -> int:
        n_undecided = max(int(self.undecided.sum()), 1)
        return max(1, self.budget_or_default() // (self.planned_phases * n_undecided))

    def _select(self, k: int) -> np.ndarray:
        if not self.in_progress():
            lower, upper = confidence_bounds(self, REFINE_DELTA)
            return doubtful_arms(self, self.sought_set(), lower, upper, k)
        # Owed pulls of this phase first (fewest so far first), then other
        # undecided arms, then the rest by rank: one score, one top_k.
        owed = self.undecided & (self.phase_pulls < self.phase_target)
        score = np.where(owed, 4.0 * self.n_arms, np.where(self.undecided, 2.0 * self.n_arms, 0.0))
        score += np.where(self.undecided, -self.phase_pulls / (self.phase_target + 1.0),
                          self.estimates() / (2.0 * self.planned_phases + 3.0))
        return self.top_k(score, k)

    def _update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        if not self.in_progress():
            self.refining_pulls += len(arms)
        np.add.at(self.phase_pulls, arms, 1)
        self._advance()

    def _removed(self) -> None:
        # Arms retired while undecided were pruned as sought arms: they count.
        gone = self.undecided & ~self.live
        self.needed = max(self.needed - int(gone.sum()), 0)
        self.undecided &= self.live
        self._advance()

    def _advance(self) -> None:
        """End every phase whose owed pulls are all made; settle a finished search."""
        while self.in_progress() and (self.phase_pulls[self.undecided] >= self.phase_target).all():
            accept, reject = halving_step(int(self.undecided.sum()), self.needed)
            mean = self.means(0.0)
            accepted = self.top_k(mean, accept, among=self.undecided)
            rejected = self.top_k(-mean, reject, among=self.undecided)
            self._decide(accepted, rejected)
            self.needed -= accept
            self.phase += 1
            self.phase_pulls[:] = 0
            self.phase_target = self._pulls_per_arm()
        if not self.in_progress() and self.undecided.any():
            rest = np.flatnonzero(self.undecided)
            self._decide(rest, []) if self.needed > 0 else self._decide([], rest)

    def _decide(self, accepted, rejected) -> None:
        self.tier[accepted] = 2 * self.planned_phases + 1 - self.phase
        self.tier[rejected] = self.phase - 1
        self.accepted[accepted] = True
        self.undecided[accepted] = False
        self.undecided[rejected] = False


@dataclass
class SuccessiveHalvingConfig(PolicyConfig):
    _target_: str = "mabbench.policies.successive_halving.SuccessiveHalving"
    name: str = "successive_halving"


store_schema("policy", "successive_halving", SuccessiveHalvingConfig)
