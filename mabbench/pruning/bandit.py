"""A bandit policy as a pruning method: arms are units, pulls are masked forwards."""
from __future__ import annotations

import time
from typing import Callable

import numpy as np
import torch

from mabbench.policies.base import Policy
from mabbench.pruning.context import PruningContext, PruningCost, Ranking
from mabbench.pruning.engine import pull_round
from mabbench.pruning.ranking import ranking_from_scores
from mabbench.pruning.rewards import REWARDS


class BanditMethod:
    """Explores each layer's arms with a fresh policy (scope=layer, the paper)
    and ranks them by estimated safe-removal reward (``pruning.ranking``:
    ``mean`` estimate, or ``cumulative`` reward as the 2017 code did)."""

    def __init__(self, make_policy: Callable[..., Policy]) -> None:
        self.make_policy = make_policy

    def rank(self, ctx: PruningContext) -> Ranking:
        cfg = ctx.cfg
        reward = REWARDS.get(cfg.reward.transform)
        generator = torch.Generator(device="cpu").manual_seed(ctx.seed)
        start = time.perf_counter()
        pulls = 0
        importance: dict[str, torch.Tensor] = {}
        for offset, (layer, width) in enumerate(ctx.widths.items()):
            budget = int(round(cfg.budget_per_arm * width))
            policy = self.make_policy(n_arms=width, seed=ctx.seed + offset, budget=budget,
                                      n_sought=int(cfg.sparsity * width))
            spent = 0
            while spent < budget:
                k = min(cfg.arms_per_round, width, budget - spent)
                arms = policy.select(k)
                rows = torch.randint(len(ctx.val), (min(cfg.batch_size, len(ctx.val)),),
                                     generator=generator)
                batch = ctx.val.subset(rows.to(ctx.device))
                delta, base = pull_round(ctx.model, layer, width,
                                         torch.as_tensor(arms, device=ctx.device), batch, ctx.loss)
                policy.update(arms, reward(delta, base, cfg.reward.scale).cpu().numpy())
                spent += k
            pulls += spent
            value = policy.sums if cfg.ranking == "cumulative" else policy.estimates()
            importance[layer] = -torch.as_tensor(np.asarray(value, dtype=np.float64))
        cost = PruningCost(pulls=pulls, seconds=time.perf_counter() - start)
        return ranking_from_scores(importance, cfg.scope, cost)
