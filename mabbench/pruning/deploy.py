"""Inference form of a model: BatchNorm folded into the layer before it.

A BatchNorm in eval mode is a per-channel affine map, so it can be merged
into the preceding Conv/Linear (W' = W * g / sqrt(var + eps), b' = (b - mean)
* g / sqrt(var + eps) + beta): the usual deployment step. It matters when
comparing latency with MACs: a BatchNorm's work grows with the channels
while a conv's grows with their square, so left unfolded it makes a pruned
conv net look slower than its MACs say.
"""
from __future__ import annotations

import copy

import torch
from torch import nn


@torch.no_grad()
def fold_batchnorm(model: nn.Module) -> nn.Module:
    """A copy of ``model`` in which every BatchNorm named in ``model.mask_after``
    (the convention of mabbench.pruning.arms: it directly follows that layer)
    is folded into the layer and replaced by Identity. ``model`` is untouched."""
    folded = copy.deepcopy(model).eval()
    for layer, point in dict(getattr(model, "mask_after", {}) or {}).items():
        norm = folded.get_submodule(point)
        if not isinstance(norm, nn.modules.batchnorm._BatchNorm):
            continue
        module = folded.get_submodule(layer)
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        shape = [-1] + [1] * (module.weight.dim() - 1)
        bias = module.bias if module.bias is not None else torch.zeros_like(norm.running_mean)
        module.weight.mul_(scale.view(shape))
        module.bias = nn.Parameter((bias - norm.running_mean) * scale + norm.bias)
        parent, _, name = point.rpartition(".")
        setattr(folded.get_submodule(parent) if parent else folded, name, nn.Identity())
    return folded
