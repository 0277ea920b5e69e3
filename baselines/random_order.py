"""Random pruning order (``policy=random``): a seeded uniform permutation per layer.

The floor any ranking method must beat; its Spearman rho to the oracle is ~0.
"""
from __future__ import annotations

import torch

from baselines.base import Scorer
from mabbench.pruning.context import PruningContext, PruningCost


class RandomOrder(Scorer):
    name = "random"
    rescores = False  # a seeded permutation: scoring again changes nothing

    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        generator = torch.Generator().manual_seed(ctx.seed)  # one stream, layers in order
        return {layer: torch.rand(width, generator=generator, dtype=torch.float64)
                for layer, width in ctx.widths.items()}
