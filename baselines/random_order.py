"""Random pruning order (``policy=random``): a seeded uniform permutation per layer.

The floor any ranking method must beat; its Spearman rho to the oracle is ~0.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from baselines.base import Scorer, ScorerConfig
from mabbench.config import store_schema
from mabbench.pruning.context import PruningContext, PruningCost


class RandomOrder(Scorer):
    name = "random"

    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        generator = torch.Generator().manual_seed(ctx.seed)  # one stream, layers in order
        return {layer: torch.rand(width, generator=generator, dtype=torch.float64)
                for layer, width in ctx.widths.items()}


@dataclass
class RandomConfig(ScorerConfig):
    _target_: str = "baselines.random_order.RandomOrder"
    name: str = "random"


store_schema("policy", "random", RandomConfig)
