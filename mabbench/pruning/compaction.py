"""Physical removal: a genuinely smaller model, not a mask.

Torch-Pruning's DependencyGraph finds what is coupled to a layer's output
units (the consumer's input columns or channels, a BatchNorm's statistics, a
flatten's blocks of columns, every layer of a residual stage) and slices them
all, so the copy's outputs equal the dense model's with the same units masked
(arms.masked). An attention head is removed as its rows of the ``qkv`` Linear
(its queries, keys and values) and its columns of ``proj``'s input, and the
attention module's ``num_heads`` drops by one. A test checks masked ==
compacted for every model in conf/model/.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence

from torch import nn

from mabbench.pruning.groups import ArmSet, arm_sets, dependency_graph, tp


def _prune_fn(layer: nn.Module):
    if isinstance(layer, nn.Linear):
        return tp().prune_linear_out_channels
    return tp().prune_conv_out_channels


def remove_heads(model: nn.Module, arm_set: ArmSet, heads: Sequence[int]) -> None:
    """Slice ``heads`` out of the attention module of ``arm_set`` (kind "head"), in place."""
    attention = model.get_submodule(arm_set.name.rpartition(".")[0])
    dim = attention.head_dim
    columns = [h * dim + i for h in heads for i in range(dim)]  # of the (heads, dim) output
    width = attention.num_heads * dim  # qkv rows are (q, k, v) x heads x dim
    tp().prune_linear_out_channels(attention.qkv, [part * width + c for part in range(3)
                                                   for c in columns])
    tp().prune_linear_in_channels(attention.proj, columns)
    attention.num_heads -= len(heads)


def compact(model: nn.Module, remove: dict[str, list[int]], example_inputs: tuple) -> nn.Module:
    """A copy of ``model`` without the listed units of each arm set.

    ``example_inputs``: a few rows of real inputs (tuple, one tensor per model
    argument), used to trace the graph. ``model`` is left untouched.
    """
    small = copy.deepcopy(model).eval()
    if not any(remove.values()):
        return small
    sets = arm_sets(model)
    heads = {name: units for name, units in remove.items() if sets[name].kind == "head"}
    channels = {name: units for name, units in remove.items() if name not in heads and units}
    if channels:
        try:
            graph = dependency_graph(small, example_inputs)
        except Exception as error:  # tracing failures are the model's, say whose
            raise ValueError(f"compaction: {error}") from error
        for name, units in channels.items():
            layer = small.get_submodule(sets[name].layers[0])
            group = graph.get_pruning_group(layer, _prune_fn(layer),
                                            idxs=sorted(int(u) for u in units))
            group.prune()
    for name, units in heads.items():  # after the graph: it traced the model whole
        if units:
            remove_heads(small, sets[name], sorted(int(u) for u in units))
    return small
