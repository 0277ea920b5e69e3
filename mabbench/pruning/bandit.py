"""A bandit policy as a pruning method: arms are units, pulls are masked forwards."""
from __future__ import annotations

import time
from typing import Callable

import numpy as np
import torch

from mabbench.policies.base import Policy
from mabbench.pruning.batches import PruneBatches
from mabbench.pruning.context import PruningContext, PruningCost, Ranking
from mabbench.pruning.engine import PullEngine
from mabbench.pruning.method_outputs import checked_arms, checked_values
from mabbench.pruning.ranking import ranking_from_scores
from mabbench.pruning.rewards import REWARDS
from mabbench.pruning.schedules import SCHEDULES
from mabbench.runtime import progress
from mabbench.runtime.process import synchronize


class BanditMethod:
    """Explores arms with a bandit policy and ranks them by estimated safe-removal reward.

    ``pruning.scope``: ``layer`` runs a fresh policy per layer (the paper);
    ``global`` pools every chosen layer's arms in one policy (a round may mix
    layers). ``pruning.ranking``: ``mean`` estimate, or ``cumulative`` reward
    as the 2017 code did. ``pruning.schedule`` names an entry of
    mabbench/pruning/schedules.py (one_shot, iterative, sequential). Retired
    arms (iterative stages, earlier layers of a sequential schedule) are masked
    in every later pull and never pulled again, so later estimates are
    conditional on them being gone; a pool's pruning order is its retired arms
    (in retirement order), then the rest by value. ``pruning.reward.transform``
    names an entry of mabbench/pruning/rewards.py; one that declares a
    ``per_example_metric`` (accuracy) has the engine score it on every copy.
    """

    def __init__(self, make_policy: Callable[..., Policy]) -> None:
        self.make_policy = make_policy

    def rank(self, ctx: PruningContext) -> Ranking:
        start = time.perf_counter()
        cfg = ctx.cfg
        reward = REWARDS.get(cfg.reward.transform)
        engine = PullEngine(ctx.model, ctx.widths, ctx.loss, probe=ctx.prune, source=ctx.prune,
                            metric=getattr(reward, "per_example_metric", None))
        schedule = SCHEDULES.get(cfg.schedule)
        generator = torch.Generator(device="cpu").manual_seed(ctx.seed)
        batches = PruneBatches(ctx.prune, cfg.batch_size, generator)
        importance: dict[str, torch.Tensor] = {}
        for offset, pool in enumerate(schedule.pools(list(ctx.widths), cfg.scope)):
            found = self._explore(ctx, engine, pool, ctx.seed + offset, batches,
                                  schedule.stages(cfg), reward)
            if schedule.carry_forward:
                for layer, score in found.items():
                    cut = min(int(cfg.sparsity * len(score)), len(score) - 1)
                    lowest = torch.argsort(score, stable=True)[:cut]
                    engine.retire(layer, lowest.to(ctx.device))
            importance |= found
        synchronize()  # on a GPU the last pulls may still be running
        cost = PruningCost(pulls=engine.pulls, forward_flops=engine.flops,
                           seconds=time.perf_counter() - start).count_passes(ctx)
        return ranking_from_scores(importance, cfg.scope, cost)

    def _explore(self, ctx: PruningContext, engine: PullEngine, pool: list[str], seed: int,
                 batches: PruneBatches, stages: int, reward) -> dict[str, torch.Tensor]:
        """Importance (higher = keep) of every arm of the layers in ``pool``,
        exploring over ``stages`` stages (arms retired between them)."""
        cfg = ctx.cfg
        widths = np.array([ctx.widths[layer] for layer in pool])
        starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
        n_arms = int(widths.sum())
        budget = int(round(cfg.budget_per_arm * n_arms))
        n_sought = int(cfg.sparsity * n_arms)
        policy = self.make_policy(n_arms=n_arms, seed=seed, budget=budget, n_sought=n_sought)
        retired: list[int] = []
        rounds = progress.bar(budget, desc=f"pulls {pool[0]}" if len(pool) == 1 else "pulls",
                              unit="pull")
        for stage in range(stages):
            stage_budget = budget * (stage + 1) // stages - budget * stage // stages
            spent = 0
            while spent < stage_budget:
                k = min(cfg.arms_per_round, int(policy.live.sum()), stage_budget - spent)
                arms = checked_arms(policy, policy.select(k), k)
                position = np.searchsorted(starts, arms, side="right") - 1
                # a global pool is list(ctx.widths), so pool positions index widths
                layers = pool[0] if len(pool) == 1 else torch.as_tensor(position,
                                                                         device=ctx.device)
                units = torch.as_tensor(arms - starts[position], device=ctx.device)
                pulled = engine.pull_rows(layers, units, batches.next_rows())
                rewards = reward(pulled, cfg.reward.scale).cpu().numpy()
                policy.update(arms, rewards)
                spent += k
                rounds.update(k)  # tqdm's rate is pulls/s
                if progress.listening():
                    progress.emit("pulls", {"pool": ",".join(pool), "stage": stage,
                                            "pulls": spent, "reward_mean": float(rewards.mean()),
                                            "delta_mean": float(pulled.delta.float().mean()),
                                            "live_arms": int(policy.live.sum())})
            if stage < stages - 1:
                target = n_sought * (stage + 1) // stages
                newly = self._retire(policy, cfg.ranking, widths, starts, target - len(retired))
                for arm in newly:
                    p = int(np.searchsorted(starts, arm, side="right") - 1)
                    engine.retire(pool[p], torch.tensor([arm - starts[p]], device=ctx.device))
                retired += newly
        rounds.close()
        value = (checked_values(policy, policy.sums, "reward sums")
                 if cfg.ranking == "cumulative" else checked_values(policy, policy.estimates()))
        score = -value
        if retired:  # prune order = retired (in order), then live arms by value
            gone = set(retired)
            live = [int(a) for a in np.argsort(-value, kind="stable") if int(a) not in gone]
            order = retired + live
            score = np.empty(n_arms)
            score[np.asarray(order)] = np.arange(n_arms, dtype=np.float64)
        return {layer: torch.as_tensor(score[s:s + w]) for layer, s, w in zip(pool, starts, widths)}

    @staticmethod
    def _retire(policy: Policy, ranking: str, widths: np.ndarray, starts: np.ndarray,
                count: int) -> list[int]:
        """The ``count`` live arms of highest safe-removal value; every layer keeps >= 1."""
        value = (checked_values(policy, policy.sums, "reward sums")
                 if ranking == "cumulative" else checked_values(policy, policy.estimates()))
        left = widths - np.array([(~policy.live[s:s + w]).sum() for s, w in zip(starts, widths)])
        chosen = []
        for arm in np.argsort(-value, kind="stable"):
            if len(chosen) >= count:
                break
            p = int(np.searchsorted(starts, arm, side="right") - 1)
            if policy.live[arm] and left[p] > 1:
                chosen.append(int(arm))
                left[p] -= 1
        policy.remove(np.asarray(chosen, dtype=np.int64))
        return chosen
