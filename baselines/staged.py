"""A baseline under a staged schedule (protocol v3: equal schedules).

The bandits re-estimate between the stages of ``pruning.schedule``
(mabbench/pruning/schedules.py); a baseline that declares ``rescores`` does the
same here, as iterative magnitude / Taylor pruning is run in the literature:

- ``iterative``: score, retire the lowest-ranked live arms (their share of
  ``pruning.sparsity``: after stage s of S, s/S of it), score the model with
  them masked again, ... ; the last stage's scores order the live arms.
- ``sequential``: one layer at a time in the model's order, each scored with
  the earlier layers' ``pruning.sparsity`` share masked.

Retired arms come first in the pruning order, in retirement order, as in a
bandit's ranking. Masking (pruning.arms.masked) equals removing, so the model
scored between stages is the pruned model.
"""
from __future__ import annotations

import dataclasses

import torch

from mabbench.pruning.method_outputs import checked_scores
from mabbench.pruning.arms import masked
from mabbench.pruning.context import PruningContext, PruningCost, Ranking
from mabbench.pruning.ranking import ranking_from_scores


def _lowest_live(ranking: Ranking, pool: list[str], widths: dict[str, int],
                 retired: list[tuple[str, int]], count: int) -> list[tuple[str, int]]:
    """The ``count`` lowest-ranked live arms of ``pool``; every layer keeps >= 1."""
    sequence = (ranking.global_order if len(pool) > 1
                else [(pool[0], unit) for unit in ranking.order[pool[0]]])
    gone = set(retired)
    left = {layer: widths[layer] - sum(1 for g in retired if g[0] == layer) for layer in pool}
    chosen = []
    for layer, unit in sequence:
        if len(chosen) >= count:
            break
        if (layer, unit) not in gone and left[layer] > 1:
            chosen.append((layer, unit))
            left[layer] -= 1
    return chosen


def staged_ranking(scorer, ctx: PruningContext, cost: PruningCost, schedule) -> Ranking:
    """``scorer``'s ranking under ``schedule``, re-scoring the pruned model between stages."""
    cfg, retired = ctx.cfg, []
    scores: dict[str, torch.Tensor] = {}
    for pool in schedule.pools(list(ctx.widths), cfg.scope):
        pool_ctx = dataclasses.replace(ctx, widths={layer: ctx.widths[layer] for layer in pool})
        stages = schedule.stages(cfg)
        sought = int(cfg.sparsity * sum(pool_ctx.widths.values()))
        in_pool: list[tuple[str, int]] = []
        for stage in range(stages):
            with masked(ctx.model, _plan(retired)):
                found = checked_scores(scorer, scorer.importance(pool_ctx, cost),
                                       pool_ctx.widths)
            last = stage == stages - 1
            if last and not schedule.carry_forward:
                break
            share = sought * (stage + 1) // stages if not last else sought
            ranking = ranking_from_scores(found, cfg.scope if len(pool) > 1 else "layer",
                                          normalizer=scorer.global_normalizer)
            newly = _lowest_live(ranking, pool, ctx.widths, retired, share - len(in_pool))
            in_pool += newly
            retired += newly
        scores |= found
    ranking = ranking_from_scores(scores, cfg.scope, cost, scorer.global_normalizer)
    return _retired_first(ranking, retired)


def _plan(retired: list[tuple[str, int]]) -> dict[str, list[int]]:
    plan: dict[str, list[int]] = {}
    for layer, unit in retired:
        plan.setdefault(layer, []).append(unit)
    return plan


def _retired_first(ranking: Ranking, retired: list[tuple[str, int]]) -> Ranking:
    gone = set(retired)
    order = {layer: [u for lay, u in retired if lay == layer]
             + [u for u in units if (layer, u) not in gone]
             for layer, units in ranking.order.items()}
    global_order = None
    if ranking.global_order is not None:
        global_order = retired + [pair for pair in ranking.global_order if pair not in gone]
    return dataclasses.replace(ranking, order=order, global_order=global_order)
