"""Batched mask-and-measure pulls.

A round pulls k arms of one layer on one mini-batch with a single forward:
a hook on the layer replicates its output k + 1 times (copy 0 unmasked, copy
i with arm i zeroed), so the network below the layer runs once per batch and
the part above it runs on (k + 1) x batch rows. Nothing is copied or restored:
the mask lives only inside that forward.
"""
from __future__ import annotations

import torch
from torch import nn

from mabbench.pruning.context import PerExampleLoss
from mabbench.tasks.base import Split


def _replicate_with_masks(masks: torch.Tensor):
    """Forward hook: output (B, W, ...) -> ((k+1) * B, W, ...) with masks applied."""

    def hook(module: nn.Module, args, output: torch.Tensor) -> torch.Tensor:
        batch = output.shape[0]
        shape = (masks.shape[0], 1, masks.shape[1]) + (1,) * (output.dim() - 2)
        expanded = output.unsqueeze(0) * masks.view(shape)
        return expanded.reshape(masks.shape[0] * batch, *output.shape[1:])

    return hook


@torch.no_grad()
def pull_round(model: nn.Module, layer: str, width: int, arms: torch.Tensor,
               batch: Split, loss: PerExampleLoss) -> tuple[torch.Tensor, torch.Tensor]:
    """Loss change of masking each of ``arms`` (shape (k,)) on ``batch``.

    Returns ``(delta, base)``: delta has shape (k,), base is the unmasked loss
    (a scalar tensor), both averaged over the batch.
    """
    k = arms.shape[0]
    masks = torch.ones(k + 1, width, device=arms.device)
    masks[torch.arange(1, k + 1, device=arms.device), arms] = 0.0
    handle = model.get_submodule(layer).register_forward_hook(_replicate_with_masks(masks))
    try:
        outputs = model(*batch.inputs)
    finally:
        handle.remove()
    targets = batch.targets.repeat(k + 1, *([1] * (batch.targets.dim() - 1)))
    per_copy = loss(outputs, targets).view(k + 1, -1).mean(dim=1)
    return per_copy[1:] - per_copy[0], per_copy[0]
