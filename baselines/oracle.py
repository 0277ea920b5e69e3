"""Oracle: the leave-one-out loss change of every arm on the whole pruning split.

    delta_j = mean prune loss with unit j masked - mean prune loss unmasked

Importance = delta_j (removing it hurts most = keep). It is the quantity the
bandits estimate from mini-batches, so every run's Spearman rho against it
(``spearman_oracle`` in result.json) measures ranking quality for the cost.
Computed once per dense model and layer with the pull engine, every arm of
the layer in one round where memory allows (``arms_and_rows``), so on the
incremental path the layers below the next linear operation run once over the
split: about one forward pass of the split for a last hidden layer
(``cost.forward_passes``). Cached as ``oracle.json`` beside the dense model,
with what it cost. The cache carries a checksum and is read only if it
validates (a damaged one is moved aside and recomputed); computing holds the
dense folder's oracle lock, so concurrent trials compute each layer once.
"""
from __future__ import annotations

import time
from pathlib import Path

import torch

from baselines.base import Scorer
from mabbench.files.integrity import read_trusted_json, write_checked_json
from mabbench.files.locks import build_lock
from mabbench.pruning.context import PruningContext, PruningCost, Ranking
from mabbench.pruning.engine import PullEngine
from mabbench.pruning.ranking import ranking_from_scores
from mabbench.runtime import memo
from mabbench.runtime.timing import phase

CHUNK_ROWS = 256  # prune rows per forward, fewer when the arms' copies need the room
# floats held where a round fans out: (arms + 1) x rows x elements per row there
COPY_ELEMENTS = 2 ** 25
CACHE_NAME = "oracle.json"


def arms_and_rows(width: int, row_elements: int) -> tuple[int, int]:
    """Arms per round and prune rows per chunk: every arm if it fits, rows first to give."""
    rows = max(1, min(CHUNK_ROWS, COPY_ELEMENTS // ((width + 1) * row_elements)))
    arms = max(1, min(width, COPY_ELEMENTS // (rows * row_elements) - 1))
    return arms, rows


def _layer_deltas(ctx: PruningContext, layer: str) -> tuple[list[float], PruningCost]:
    """Exact leave-one-out delta of each unit of ``layer`` over the whole prune split."""
    start = time.perf_counter()
    engine = PullEngine(ctx.model, {layer: ctx.widths[layer]}, ctx.loss, probe=ctx.prune,
                        source=ctx.prune)
    width = ctx.widths[layer]
    k, rows = arms_and_rows(width, engine.row_elements[layer])
    total = torch.zeros(width, dtype=torch.float64, device=ctx.device)
    for first_row in range(0, len(ctx.prune), rows):
        chunk = torch.arange(first_row, min(first_row + rows, len(ctx.prune)), device=ctx.device)
        for first in range(0, width, k):
            units = torch.arange(first, min(first + k, width), device=ctx.device)
            delta = engine.pull_rows(layer, units, chunk).delta
            total[units] += delta.double() * len(chunk)  # chunk means -> split mean
    cost = PruningCost(pulls=width, forward_flops=engine.flops,
                       seconds=time.perf_counter() - start)
    return (total / len(ctx.prune)).cpu().tolist(), cost


def _read_cache(path: Path | None, widths: dict[str, int], repair: bool) -> dict:
    """Validated cached layers whose delta has the layer's width; {} if none."""
    cached = read_trusted_json(path, repair=repair) if path is not None else None
    if cached is None:
        return {}
    return {layer: entry for layer, entry in cached.items()
            if layer not in widths or (isinstance(entry, dict)
                                       and len(entry.get("delta", ())) == widths[layer])}


def oracle_scores(ctx: PruningContext) -> tuple[dict[str, torch.Tensor], PruningCost]:
    """Oracle delta per layer in ``ctx.widths`` and its total cost; read from and
    added to ``ctx.cache_dir / oracle.json`` when a cache folder is given."""
    path = Path(ctx.cache_dir) / CACHE_NAME if ctx.cache_dir is not None else None
    cached = memo.ORACLE.get(str(path)) if path is not None else None  # read by an earlier trial
    if cached is None:
        cached = _read_cache(path, ctx.widths, repair=False)
    if any(layer not in cached for layer in ctx.widths):
        with phase("oracle"):
            if path is None:
                cached = _compute_missing(ctx, cached)
            else:
                with build_lock(path.parent, ".oracle.lock"):
                    cached = _read_cache(path, ctx.widths, repair=True)
                    if any(layer not in cached for layer in ctx.widths):
                        cached = _compute_missing(ctx, cached)
                        write_checked_json(path, cached)
    if path is not None:
        memo.ORACLE.put(str(path), cached)
    total = PruningCost()
    for layer in ctx.widths:
        for key in ("pulls", "forward_flops", "seconds"):
            setattr(total, key, getattr(total, key) + cached[layer]["cost"][key])
    total.count_passes(ctx)
    return ({layer: torch.tensor(cached[layer]["delta"], dtype=torch.float64)
             for layer in ctx.widths}, total)


def _compute_missing(ctx: PruningContext, cached: dict) -> dict:
    cached = {key: value for key, value in cached.items() if key != "sha256"}
    for layer in ctx.widths:
        if layer not in cached:
            deltas, cost = _layer_deltas(ctx, layer)
            cached[layer] = {"delta": deltas, "cost": vars(cost)}
    return cached


class Oracle(Scorer):
    """Its cost is what computing the oracle took, even when read from the cache."""

    name = "oracle"
    rescores = False  # leave-one-out on the dense model, by definition (and cached)

    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        return self.transform(oracle_scores(ctx)[0])

    def transform(self, deltas: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Importance from the signed deltas: themselves (removing it hurts most = keep)."""
        return deltas

    def rank(self, ctx: PruningContext) -> Ranking:
        scores, spent = oracle_scores(ctx)  # the cost is the oracle's, cached or not
        return ranking_from_scores(self.transform(scores), ctx.cfg.scope, spent)
