"""Oracle: the leave-one-out loss change of every arm on the whole pruning split.

    delta_j = mean prune loss with unit j masked - mean prune loss unmasked

Importance = delta_j (removing it hurts most = keep). It is the quantity the
bandits estimate from mini-batches, so every run's Spearman rho against it
(``spearman_oracle`` in result.json) measures ranking quality for the cost.
Computed once per dense model and layer with the batched pull engine (prune rows in
chunks of ``CHUNK_ROWS`` rows, ``pruning.arms_per_round`` arms per forward) and
cached as ``oracle.json`` beside the dense model, with what it cost.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from baselines.base import Scorer, ScorerConfig, prune_batches
from mabbench import memo
from mabbench.config import store_schema
from mabbench.pruning.context import PruningContext, PruningCost, Ranking
from mabbench.pruning.engine import PullEngine
from mabbench.pruning.ranking import ranking_from_scores
from mabbench.store import atomic_write_json
from mabbench.timing import phase

CHUNK_ROWS = 256  # prune rows per forward; x (k + 1) copies bounds memory like a pull
CACHE_NAME = "oracle.json"


def _layer_deltas(ctx: PruningContext, layer: str) -> tuple[list[float], PruningCost]:
    """Exact leave-one-out delta of each unit of ``layer`` over the whole prune split."""
    start = time.perf_counter()
    engine = PullEngine(ctx.model, {layer: ctx.widths[layer]}, ctx.loss)
    width, k = ctx.widths[layer], ctx.cfg.arms_per_round
    total = torch.zeros(width, dtype=torch.float64, device=ctx.device)
    for batch in prune_batches(ctx, CHUNK_ROWS):
        for first in range(0, width, k):
            units = torch.arange(first, min(first + k, width), device=ctx.device)
            delta = engine.pull(layer, units, batch).delta
            total[units] += delta.double() * len(batch)  # chunk means -> split mean
    cost = PruningCost(pulls=width, forward_flops=engine.flops,
                       seconds=time.perf_counter() - start)
    return (total / len(ctx.prune)).cpu().tolist(), cost


def oracle_scores(ctx: PruningContext) -> tuple[dict[str, torch.Tensor], PruningCost]:
    """Oracle delta per layer in ``ctx.widths`` and its total cost; read from and
    added to ``ctx.cache_dir / oracle.json`` when a cache folder is given."""
    path = Path(ctx.cache_dir) / CACHE_NAME if ctx.cache_dir is not None else None
    cached = memo.ORACLE.get(str(path)) if path is not None else None  # read by an earlier trial
    if cached is None:
        cached = json.loads(path.read_text()) if path is not None and path.exists() else {}
    missing = [layer for layer in ctx.widths if layer not in cached]
    for layer in missing:
        with phase("oracle"):
            deltas, cost = _layer_deltas(ctx, layer)
        cached[layer] = {"delta": deltas, "cost": vars(cost)}
    if missing and path is not None:
        atomic_write_json(path, cached)
    if path is not None:
        memo.ORACLE.put(str(path), cached)
    total = PruningCost()
    for layer in ctx.widths:
        for key, value in cached[layer]["cost"].items():
            setattr(total, key, getattr(total, key) + value)
    return ({layer: torch.tensor(cached[layer]["delta"], dtype=torch.float64)
             for layer in ctx.widths}, total)


class Oracle(Scorer):
    """Its cost is what computing the oracle took, even when read from the cache."""

    name = "oracle"

    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        scores, spent = oracle_scores(ctx)
        cost.pulls, cost.forward_flops = spent.pulls, spent.forward_flops
        return scores

    def rank(self, ctx: PruningContext) -> Ranking:
        scores, spent = oracle_scores(ctx)
        return ranking_from_scores(scores, ctx.cfg.scope, spent)


@dataclass
class OracleConfig(ScorerConfig):
    _target_: str = "baselines.oracle.Oracle"
    name: str = "oracle"


store_schema("policy", "oracle", OracleConfig)
