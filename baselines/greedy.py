"""Greedy activation-variation pruning (the paper's greedy baseline): units
whose activation varies least on the pruning split go first.

Importance = variance of the unit's output at its mask point over every val
row (and every spatial/time position for conv channels), accumulated in
float64 over one pass in ``pruning.batch_size`` batches. A near-constant unit
carries no information downstream (its effect is a bias). Cost: the forwards.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from baselines.base import Scorer, ScorerConfig, prune_batches
from mabbench.config import store_schema
from mabbench.pruning.arms import mask_point, unit_dim
from mabbench.pruning.context import PruningContext, PruningCost
from mabbench.pruning.cost import FlopMeter


class _Moments:
    """Running count, sum and sum of squares per unit."""

    def __init__(self, width: int, dim: int, device: torch.device) -> None:
        self.dim, self.n = dim, 0
        self.sum = torch.zeros(width, dtype=torch.float64, device=device)
        self.sq = torch.zeros(width, dtype=torch.float64, device=device)

    def hook(self, module, args, output: torch.Tensor) -> None:
        units = output.detach().double().movedim(self.dim % output.dim(), -1)
        units = units.reshape(-1, units.shape[-1])
        self.n += units.shape[0]
        self.sum += units.sum(dim=0)
        self.sq += units.pow(2).sum(dim=0)

    def variance(self) -> torch.Tensor:
        mean = self.sum / max(self.n, 1)
        return (self.sq / max(self.n, 1) - mean.pow(2)).clamp_min(0.0)


class GreedyActivation(Scorer):
    name = "greedy"

    @torch.no_grad()
    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        model = ctx.model
        moments = {layer: _Moments(width, unit_dim(model.get_submodule(layer)), ctx.device)
                   for layer, width in ctx.widths.items()}
        handles = [model.get_submodule(mask_point(model, layer)).register_forward_hook(m.hook)
                   for layer, m in moments.items()]
        meter = FlopMeter()
        try:
            for batch in prune_batches(ctx, ctx.cfg.batch_size):
                with meter.measure():
                    model(*batch.inputs)
        finally:
            for handle in handles:
                handle.remove()
        cost.forward_flops += meter.flops
        return {layer: m.variance().cpu() for layer, m in moments.items()}


@dataclass
class GreedyConfig(ScorerConfig):
    _target_: str = "baselines.greedy.GreedyActivation"
    name: str = "greedy"


store_schema("policy", "greedy", GreedyConfig)
