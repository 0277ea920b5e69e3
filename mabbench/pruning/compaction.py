"""Physical removal: a genuinely smaller model, not a mask.

Torch-Pruning's DependencyGraph finds what is coupled to a layer's output
units (the consumer's input columns or channels, a BatchNorm's statistics, a
flatten's blocks of columns) and slices them all, so the copy's outputs equal
the dense model's with the same units masked (arms.masked). A test checks
that for every model in conf/model/.
"""
from __future__ import annotations

import copy
import warnings

from torch import nn


def _prune_fn(layer: nn.Module):
    if isinstance(layer, nn.Linear):
        return _tp().prune_linear_out_channels
    return _tp().prune_conv_out_channels


def compact(model: nn.Module, remove: dict[str, list[int]], example_inputs: tuple) -> nn.Module:
    """A copy of ``model`` without the listed output units of each layer.

    ``example_inputs``: a few rows of real inputs (tuple, one tensor per model
    argument), used to trace the graph. ``model`` is left untouched.
    """
    small = copy.deepcopy(model).eval()
    if not any(remove.values()):
        return small
    try:
        with warnings.catch_warnings():
            # Embedding(Bag) tables are "unwrapped parameters" to Torch-Pruning; we
            # only prune the declared groups, and a test checks masked == compacted.
            warnings.filterwarnings("ignore", message="Unwrapped parameters detected")
            graph = _tp().DependencyGraph().build_dependency(small,
                                                          example_inputs=tuple(example_inputs))
    except Exception as error:  # tracing failures are the model's, say whose
        raise ValueError(f"compaction: cannot trace {type(model).__name__} with Torch-Pruning "
                         f"({type(error).__name__}: {error})") from error
    for name, units in remove.items():
        if not units:
            continue
        layer = small.get_submodule(name)
        group = graph.get_pruning_group(layer, _prune_fn(layer), idxs=sorted(int(u) for u in units))
        group.prune()
    return small


def _tp():
    """torch_pruning loads when a model is compacted, not at start-up."""
    import torch_pruning

    return torch_pruning
