"""Least magnitude (Li et al. 2017): the norm of each unit's weights. No data, no
forwards: its cost is seconds only.

A filter's own norm says little behind BatchNorm, which divides its scale
away: on digits/VGG plain filter L1 at 10% sparsity scored 0.599 test
accuracy, random 0.866 (issue 21). So behind a BatchNorm the default reads the
BatchNorm too. ``policy.variant`` (an entry of MAGNITUDES):

- ``bn_scale`` (default): for a layer whose mask point is an affine BatchNorm,
  |gamma|, the BN scale (network slimming, Liu et al. 2017; what Torch-Pruning's
  ``GroupMagnitudeImportance(p=1, group_reduction="mean",
  target_types=[BatchNorm])`` computes, tested); other layers: filter L1.
- ``bn_group``: behind a BatchNorm, Torch-Pruning's group L1 magnitude
  (``GroupMagnitudeImportance(p=1, group_reduction="mean")``): the mean over
  the unit's coupled parameters (filter, BatchNorm scale, the consumer's input
  weights); other layers: filter L1.
- ``filter_l1``: the L1 norm of the unit's incoming weights (a Linear row, a
  Conv filter) in every layer, the v2 default.

The default was chosen on the development suite by select scores only
(digits/VGG, seeds 0-2, one-shot, mean select metric over MAC fractions 1 to
0.1): bn_scale 0.484, bn_group 0.433, filter_l1 0.317 (docs/protocol.md).
Models without BatchNorm (MLP, LeNet) rank as in v2 under every variant.
"""
from __future__ import annotations

import torch
from torch import nn

from baselines.base import Scorer
from baselines.group_magnitude import group_l1
from mabbench.config.errors import ConfigError
from mabbench.config.registry import Registry
from mabbench.pruning.arms import arm_points
from mabbench.pruning.context import PruningContext, PruningCost
from mabbench.pruning.groups import arm_sets

MAGNITUDES: Registry = Registry("magnitude variant")


def mask_point(model: nn.Module, layer: str) -> str:
    """The module a single-layer unit is masked after (the BatchNorm behind a conv,
    where a model declares one)."""
    return arm_points(model, layer)[0].module


def filter_l1(model: nn.Module, layer: str) -> torch.Tensor:
    return model.get_submodule(layer).weight.detach().abs().flatten(1).sum(dim=1)


@MAGNITUDES.register("filter_l1")
def filter_l1_all(ctx: PruningContext, layers: list[str]) -> dict[str, torch.Tensor]:
    return {layer: filter_l1(ctx.model, layer) for layer in layers}


@MAGNITUDES.register("bn_group")
def batchnorm_group(ctx: PruningContext, layers: list[str]) -> dict[str, torch.Tensor]:
    model = ctx.model
    behind_norm = [layer for layer in layers if isinstance(
        model.get_submodule(mask_point(model, layer)), nn.modules.batchnorm._BatchNorm)]
    scores = {layer: filter_l1(model, layer) for layer in layers}
    if behind_norm:
        import torch_pruning as tp

        from mabbench.pruning.compaction import _prune_fn

        example = tuple(x[:2] for x in ctx.prune.inputs)
        with torch.enable_grad():  # Torch-Pruning traces the graph through autograd
            graph = tp.DependencyGraph().build_dependency(model, example_inputs=example)
        importance = tp.importance.GroupMagnitudeImportance(p=1, group_reduction="mean",
                                                            normalizer=None)
        for layer in behind_norm:
            module = model.get_submodule(layer)
            group = graph.get_pruning_group(module, _prune_fn(module),
                                            idxs=list(range(ctx.widths[layer])))
            scores[layer] = importance(group).detach().double().cpu()
    return scores


@MAGNITUDES.register("bn_scale")
def batchnorm_scale(ctx: PruningContext, layers: list[str]) -> dict[str, torch.Tensor]:
    scores = {}
    for layer in layers:
        norm = ctx.model.get_submodule(mask_point(ctx.model, layer))
        behind = isinstance(norm, nn.modules.batchnorm._BatchNorm) and norm.affine
        scores[layer] = (norm.weight.detach().abs().double().cpu() if behind
                         else filter_l1(ctx.model, layer))
    return scores


class Magnitude(Scorer):
    name = "magnitude"

    def __init__(self, global_normalizer: str | None = None, variant: str = "bn_scale") -> None:
        super().__init__(global_normalizer)
        if variant not in MAGNITUDES:
            raise ConfigError(f"policy.variant={variant!r}: expected one of "
                              f"{', '.join(MAGNITUDES.names())}")
        self.variant = variant

    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        # A coupled channel or a head spans several layers: its group L1 over all of them
        # (baselines/group_magnitude.py); a single layer's unit: the chosen variant.
        sets = arm_sets(ctx.model)
        grouped = [layer for layer in ctx.widths if sets[layer].kind != "unit"]
        units = [layer for layer in ctx.widths if layer not in grouped]
        scores = MAGNITUDES.get(self.variant)(ctx, units) if units else {}
        scores |= {layer: group_l1(ctx.model, sets[layer]) for layer in grouped}
        return {layer: scores[layer] for layer in ctx.widths}
