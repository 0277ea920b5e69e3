"""Physical removal: a genuinely smaller model, not a mask."""
from __future__ import annotations

import copy

import torch
import torch_pruning as tp
from torch import nn


def compact(model: nn.Module, remove: dict[str, list[int]], example_inputs: tuple) -> nn.Module:
    """A copy of ``model`` without the listed output units of each layer.

    Coupled layers (the consumer's input columns, norms) are found by
    Torch-Pruning's dependency graph, so the copy's outputs equal those of the
    dense model with the same units masked.
    """
    small = copy.deepcopy(model)
    graph = tp.DependencyGraph().build_dependency(small, example_inputs=example_inputs)
    for name, units in remove.items():
        if not units:
            continue
        layer = small.get_submodule(name)
        prune_fn = (tp.prune_conv_out_channels if isinstance(layer, nn.modules.conv._ConvNd)
                    else tp.prune_linear_out_channels)
        group = graph.get_pruning_group(layer, prune_fn, idxs=sorted(units))
        group.prune()
    return small


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_macs(model: nn.Module, example_inputs: tuple) -> int:
    """Multiply-accumulates of one forward on one example."""
    from torch.utils.flop_counter import FlopCounterMode

    single = tuple(x[:1] for x in example_inputs)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(*single)
    return counter.get_total_flops() // 2
