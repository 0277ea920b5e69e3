"""Magnitude of an arm set's unit summed over every layer that holds it: the
group importance of Torch-Pruning's GroupMagnitudeImportance (L1, summed),
for arm sets that are more than one layer's output units.

- a coupled channel (a ResNet stage's residual stream): the L1 norm of the
  channel's filter in every producing conv, plus |gamma| of every BatchNorm
  it is masked after (the scale that channel leaves the BatchNorm with);
- an attention head: the L1 norm of its q, k and v rows of ``qkv`` plus its
  columns of ``proj``'s input.

A ``unit`` set (one layer's outputs) keeps the layer's own magnitude
(baselines/magnitude.py).
"""
from __future__ import annotations

import torch
from torch import nn

from mabbench.pruning.groups import ArmSet


def _filters(layer: nn.Module) -> torch.Tensor:
    """(out,) L1 norms of a Linear's rows / a Conv's output filters."""
    return layer.weight.detach().abs().flatten(1).sum(dim=1)


def coupled_l1(model: nn.Module, arm_set: ArmSet) -> torch.Tensor:
    total = sum(_filters(model.get_submodule(name)) for name in arm_set.layers)
    for point in arm_set.points:
        module = model.get_submodule(point.module)
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.weight is not None:
            total = total + module.weight.detach().abs()
    return total


def head_l1(model: nn.Module, arm_set: ArmSet) -> torch.Tensor:
    qkv, proj = (model.get_submodule(name) for name in arm_set.layers)
    heads = arm_set.width
    rows = qkv.weight.detach().abs().view(3, heads, -1, qkv.in_features).sum(dim=(0, 2, 3))
    columns = proj.weight.detach().abs().view(proj.out_features, heads, -1).sum(dim=(0, 2))
    return rows + columns


GROUP_L1 = {"coupled": coupled_l1, "head": head_l1}


def group_l1(model: nn.Module, arm_set: ArmSet) -> torch.Tensor | None:
    """(width,) group magnitude of ``arm_set``; None for a one-layer ``unit`` set."""
    form = GROUP_L1.get(arm_set.kind)
    return None if form is None else form(model, arm_set)
