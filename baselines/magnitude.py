"""Least magnitude (Li et al. 2017): L1 norm of each unit's incoming weights
(a Linear row, a Conv filter). No data, no forwards: its cost is seconds only."""
from __future__ import annotations

import torch

from baselines.base import Scorer
from baselines.group_magnitude import group_l1
from mabbench.pruning.context import PruningContext, PruningCost
from mabbench.pruning.groups import arm_sets


class Magnitude(Scorer):
    name = "magnitude"

    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        sets = arm_sets(ctx.model)  # coupled channels and heads: over all their layers
        return {
            layer: (group_l1(ctx.model, sets[layer]) if sets[layer].kind != "unit" else
                    ctx.model.get_submodule(layer).weight.detach().abs().flatten(1).sum(dim=1))
            for layer in ctx.widths
        }
