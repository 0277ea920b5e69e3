"""Arms: which units of a model can be pruned, and where a unit is masked.

The convention every model in the zoo follows (the one place it is written):

- ``model.prunable: tuple[str, ...]`` names submodules (``nn.Linear`` or
  ``nn.Conv1d/2d/3d``) whose *output units* are arms: a Linear's output
  neurons (its last output dimension), a Conv's output channels (dim 1).
- ``model.mask_after: dict[str, str]`` (optional) maps a prunable layer to the
  submodule whose output is masked when one of its units is pulled. Default:
  the layer itself. Masking a unit must equal removing it, so a layer followed
  by something that is not zero at zero (BatchNorm, LayerNorm) names that
  module: ``{"conv1": "bn1"}``. ReLU, pooling, dropout and flatten are zero at
  zero and need no entry.
- Batched pulls replicate the masked output (k + 1) times along the batch
  dimension, so everything downstream of it must treat dim 0 as the batch and
  consume only that output (no skip connection around it from below it). A
  model that cannot promise this sets ``batched_pulls = False``; the engine
  also checks it on a few rows at start-up and falls back to one forward per
  arm (slower, never wrong) for any layer where the two disagree.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

import torch
from torch import nn

from mabbench.config.errors import ConfigError

PRUNABLE_TYPES = (nn.Linear, nn.modules.conv._ConvNd)


def declared_prunable(model: nn.Module) -> list[str]:
    return list(getattr(model, "prunable", ()) or ())


def unit_count(module: nn.Module) -> int:
    """Number of arms of a prunable layer (out_features or out_channels)."""
    return int(module.out_features if isinstance(module, nn.Linear) else module.out_channels)


def unit_dim(module: nn.Module) -> int:
    """Dimension of the layer's output that indexes its units: -1 for Linear, 1 for Conv."""
    return -1 if isinstance(module, nn.Linear) else 1


def mask_point(model: nn.Module, layer: str) -> str:
    """Name of the submodule whose output is masked for ``layer``'s arms."""
    return dict(getattr(model, "mask_after", {}) or {}).get(layer, layer)


def prunable_widths(model: nn.Module, chosen: Optional[Sequence[str]] = None) -> dict[str, int]:
    """``{layer: number of arms}`` for ``chosen`` layers (None: all declared).

    Raises ConfigError naming the offending layer and listing what is prunable.
    """
    declared = declared_prunable(model)
    name = type(model).__name__
    if not declared:
        raise ConfigError(f"model {name} declares no prunable layers (model.prunable is empty)")
    modules = dict(model.named_modules())
    for layer in declared:
        if layer not in modules or not isinstance(modules[layer], PRUNABLE_TYPES):
            raise ConfigError(f"model {name}: prunable layer {layer!r} is not a Linear or Conv "
                              f"submodule")
        target = mask_point(model, layer)
        if target not in modules:
            raise ConfigError(f"model {name}: mask_after[{layer!r}]={target!r} is not a submodule")
    listed = ", ".join(declared)
    if chosen is not None and len(chosen) == 0:
        raise ConfigError(f"pruning.layers is empty; prunable layers of {name}: {listed}")
    for layer in chosen or ():
        if layer not in declared:
            raise ConfigError(f"pruning.layers: {layer!r} is not a prunable layer of {name}; "
                              f"prunable: {listed}")
    return {layer: unit_count(modules[layer]) for layer in (chosen or declared)}



@contextmanager
def masked(model: nn.Module, remove: dict[str, Sequence[int]]) -> Iterator[nn.Module]:
    """``model`` with the listed units of each layer zeroed at their mask
    points, for the duration of the block: what compaction must reproduce."""
    handles = []
    for layer, units in remove.items():
        module = model.get_submodule(layer)
        keep = torch.ones(unit_count(module), device=next(model.parameters()).device)
        keep[list(units)] = 0.0
        dim = unit_dim(module)

        def hook(_module, _args, output, keep=keep, dim=dim):
            shape = [1] * output.dim()
            shape[dim % output.dim()] = keep.shape[0]
            return output * keep.view(shape)

        point = model.get_submodule(mask_point(model, layer))
        handles.append(point.register_forward_hook(hook))
    try:
        yield model
    finally:
        for handle in handles:
            handle.remove()
