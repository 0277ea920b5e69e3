"""Baselines rank arms by an importance score (higher = keep)."""
from __future__ import annotations

import time
from abc import ABC, abstractmethod

import torch

from mabbench.config.errors import ConfigError
from mabbench.pruning.context import PruningContext, PruningCost, Ranking
from mabbench.pruning.method_outputs import checked_scores
from mabbench.pruning.ranking import ranking_from_scores
from mabbench.runtime.process import synchronize


class Scorer(ABC):
    """One method, one ``importance`` function; ``rank`` is shared.

    ``importance`` adds what it spends (pulls, FLOPs) to ``cost``; ``rank``
    adds the wall time.
    """

    name = "scorer"
    global_normalizer = "none"  # scores already on one scale across layers
    # scores the pruned model again between the stages of pruning.schedule
    # (baselines/staged.py); False where that cannot change the ranking
    # (a seeded permutation) or the method is defined on the dense model (oracles)
    rescores = True

    def __init__(self, global_normalizer: str | None = None) -> None:
        if global_normalizer is not None:
            from mabbench.pruning.normalizers import NORMALIZERS

            if global_normalizer not in NORMALIZERS:
                raise ConfigError(f"policy.global_normalizer={global_normalizer!r}: expected "
                                  f"one of {', '.join(NORMALIZERS.names())}")
            self.global_normalizer = global_normalizer

    @abstractmethod
    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        """Per layer in ``ctx.widths``, a (width,) tensor: higher = more important."""

    def rank(self, ctx: PruningContext) -> Ranking:
        from baselines.staged import staged_ranking
        from mabbench.pruning.schedules import SCHEDULES

        start = time.perf_counter()
        cost = PruningCost()
        schedule = SCHEDULES.get(ctx.cfg.schedule)
        if self.rescores and (schedule.stages(ctx.cfg) > 1 or schedule.carry_forward):
            ranking = staged_ranking(self, ctx, cost, schedule)
        else:
            scores = checked_scores(self, self.importance(ctx, cost), ctx.widths)
            ranking = ranking_from_scores(scores, ctx.cfg.scope, normalizer=self.global_normalizer)
        synchronize()  # on a GPU, wait for the kernels the timing should include
        cost.seconds = time.perf_counter() - start
        ranking.cost = cost.count_passes(ctx)
        return ranking


def prune_batches(ctx: PruningContext, batch_size: int):
    """The prune split in consecutive batches of ``batch_size`` rows (all of it, once)."""
    for start in range(0, len(ctx.prune), batch_size):
        index = torch.arange(start, min(start + batch_size, len(ctx.prune)), device=ctx.device)
        yield ctx.prune.subset(index)
