"""Arms: which units of a model can be pruned, and where a unit is masked.

The convention every model in the zoo follows (the one place it is written):

- ``model.prunable: tuple[str, ...]`` names submodules (``nn.Linear`` or
  ``nn.Conv1d/2d/3d``) whose *output units* are arms: a Linear's output
  neurons (its last output dimension), a Conv's output channels (dim 1).
- ``model.mask_after: dict[str, str]`` (optional) maps a prunable layer to the
  submodule whose output is masked when one of its units is pulled. Default:
  the layer itself. Masking a unit must equal removing it, so a layer followed
  by something that is not zero at zero (BatchNorm, LayerNorm) names that
  module: ``{"conv1": "bn1"}``. ReLU, GELU, pooling, dropout and flatten are
  zero at zero and need no entry.
- A model that defines ``example_inputs()`` gets its arms from Torch-Pruning's
  dependency graph instead (coupled residual channels, block-internal
  channels, MLP neurons) plus its attention heads, and ``prunable`` (None:
  all) restricts them by name: mabbench.pruning.groups. An arm set may then
  be masked at several points (a residual stream: after every BatchNorm that
  writes it).
- Batched pulls replicate the masked output (k + 1) times along the batch
  dimension, so everything downstream of it must treat dim 0 as the batch and
  consume only that output (no skip connection around it from below it). A
  model that cannot promise this sets ``batched_pulls = False``; the engine
  also checks it on a few rows at start-up and falls back to one forward per
  arm (slower, never wrong) for any layer where the two disagree.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.pruning.groups import ArmSet, MaskPoint, arm_sets, mask_hook, unit_count, unit_dim

__all__ = ["ArmSet", "MaskPoint", "arm_points", "masked", "prunable_widths", "unit_count",
           "unit_dim"]


def arm_points(model: nn.Module, layer: str) -> tuple[MaskPoint, ...]:
    """Where arm set ``layer``'s units are masked: (module name, unit dim) pairs."""
    return arm_sets(model)[layer].points


def prunable_widths(model: nn.Module, chosen: Sequence[str] | None = None) -> dict[str, int]:
    """``{arm set: number of arms}`` for ``chosen`` sets (None: all offered).

    Raises ConfigError naming the offending layer and listing what is prunable.
    """
    offered = arm_sets(model)
    name = type(model).__name__
    if not offered:
        raise ConfigError(f"model {name} declares no prunable layers (model.prunable is empty)")
    listed = ", ".join(offered)
    if chosen is not None and len(chosen) == 0:
        raise ConfigError(f"pruning.layers is empty; prunable layers of {name}: {listed}")
    for layer in chosen or ():
        if layer not in offered:
            raise ConfigError(f"pruning.layers: {layer!r} is not a prunable layer of {name}; "
                              f"prunable: {listed}")
    return {layer: offered[layer].width for layer in (chosen or offered)}


@contextmanager
def masked(model: nn.Module, remove: dict[str, Sequence[int]]) -> Iterator[nn.Module]:
    """``model`` with the listed units of each arm set zeroed at all its mask
    points, for the duration of the block: what compaction must reproduce."""
    handles = []
    device = next(model.parameters()).device
    for layer, units in remove.items():
        chosen = arm_sets(model)[layer]
        keep = torch.ones(chosen.width, device=device)
        keep[list(units)] = 0.0
        for point in chosen.points:
            handles.append(model.get_submodule(point.module).register_forward_hook(
                mask_hook(keep, point.dim)))
    try:
        yield model
    finally:
        for handle in handles:
            handle.remove()
