"""Arm sets: the units a method ranks, and every place a unit is masked.

An arm set is a family of arms that share one width: unit j of the set is
masked by zeroing index j at each of its mask points (a module's output and
the dimension that indexes the units there), and removed by slicing every
layer coupled to it. Three kinds:

- ``unit``: the output units of one Linear/Conv layer (its neurons or
  channels), masked at the layer or the BatchNorm after it. The zoo's classic
  models declare these by hand (``model.prunable``, ``model.mask_after``).
- ``coupled``: a dependency group of Torch-Pruning's graph with more than one
  producing layer, e.g. a ResNet stage's residual-stream channel: the stem or
  shortcut and every block's conv2 write it, so the channel is masked after
  each of their BatchNorms and is then zero in the whole stage. A block's
  internal channel or a transformer MLP neuron is a ``unit`` group of the graph.
- ``head``: an attention head, masked at its attention module's ``heads``
  point (its output, (B, T, heads, head_dim), before the output projection)
  and removed as its rows of the ``qkv`` Linear and the ``proj`` input slice.

A model opts into graph-built arms by defining ``example_inputs()`` (what the
graph traces); ``prunable`` then restricts the sets by name (None: all). Any
module with ``num_heads``, ``qkv``, ``proj`` and ``heads`` adds its heads.
Groups that masking cannot reproduce are left out: those through a LayerNorm
(its statistics see every channel: a transformer's residual stream) or those
of a ``qkv`` layer (its channels are a head's queries, keys and values, pruned
as heads). A set's name is its first producing layer in module order.
"""
from __future__ import annotations

import copy
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from mabbench.config.errors import ConfigError

PRUNABLE_TYPES = (nn.Linear, nn.modules.conv._ConvNd)
NORMS_ACROSS_UNITS = (nn.LayerNorm, nn.GroupNorm)  # statistics over every channel


@dataclass(frozen=True)
class MaskPoint:
    module: str  # whose output is masked
    dim: int  # dimension of that output indexing the set's units


@dataclass(frozen=True)
class ArmSet:
    name: str
    kind: str  # "unit", "coupled" or "head" (module doc)
    width: int
    points: tuple[MaskPoint, ...]
    layers: tuple[str, ...]  # the producing Linear/Conv layers; a head: (qkv, proj)


def unit_dim(module: nn.Module) -> int:
    """Dimension of a layer's output that indexes its units: -1 for Linear, 1 for Conv."""
    return -1 if isinstance(module, nn.Linear) else 1


def unit_count(module: nn.Module) -> int:
    return int(module.out_features if isinstance(module, nn.Linear) else module.out_channels)


def is_attention(module: nn.Module) -> bool:
    return all(hasattr(module, key) for key in ("num_heads", "qkv", "proj", "heads"))


def head_sets(model: nn.Module) -> list[ArmSet]:
    """One head set per attention module (see module doc)."""
    return [ArmSet(f"{name}.heads", "head", int(module.num_heads),
                   (MaskPoint(f"{name}.heads", 2),), (f"{name}.qkv", f"{name}.proj"))
            for name, module in model.named_modules() if is_attention(module)]


def tp():
    """torch_pruning loads when a graph is needed, not at start-up."""
    import torch_pruning

    return torch_pruning


def _pop_from(running: list[str]) -> Callable:
    def hook(_module, _args, _output) -> None:  # None: the output is left as it is
        running.pop()

    return hook


@contextmanager
def _running_modules(model: nn.Module) -> Iterator[list[str]]:
    """The names of the modules whose forward is running, innermost last (the
    model itself is ``""``). A forward that raises never pops, so after a
    failed trace the list names where it failed."""
    running: list[str] = []
    handles = []
    for name, module in model.named_modules():
        handles.append(module.register_forward_pre_hook(
            lambda _m, _a, name=name: running.append(name)))
        handles.append(module.register_forward_hook(_pop_from(running)))
    try:
        yield running
    finally:
        for handle in handles:
            handle.remove()


def _where(model: nn.Module, running: list[str]) -> str:
    """Where a trace failed, for the one-line error. Torch-Pruning retries a
    failed ``model(*inputs)`` as ``model(inputs)``, so ``running`` may hold one
    unpopped stack per attempt, each starting at the model (``""``): the first
    attempt's is the one that says what is wrong."""
    starts = [i for i, name in enumerate(running) if name == ""]
    if len(starts) > 1:
        running = running[:starts[1]]
    if not running:  # the forward finished: the graph itself could not be built
        return ""
    if running[-1] == "":
        return f" in {type(model).__name__}.forward, outside any submodule"
    layer = running[-1]
    return f" at layer {layer!r} ({type(model.get_submodule(layer)).__name__})"


def dependency_graph(model: nn.Module, example_inputs: tuple):
    """Torch-Pruning's graph of ``model`` (traced once on ``example_inputs``),
    or ConfigError naming the model, the layer whose forward failed (the
    innermost one running; none if the forward ran and the graph could not be
    built) and the first line of the tracer's error."""
    running: list[str] = []
    try:
        # the graph is read from autograd: trace with gradients on, whatever the caller's mode
        with warnings.catch_warnings(), torch.inference_mode(False), torch.enable_grad(), \
                _running_modules(model) as running:
            # Embedding tables are "unwrapped parameters" to Torch-Pruning; only
            # the chosen groups are pruned, and tests check masked == compacted.
            warnings.filterwarnings("ignore", message="Unwrapped parameters detected")
            return tp().DependencyGraph().build_dependency(model,
                                                           example_inputs=tuple(example_inputs))
    except Exception as error:  # tracing failures are the model's: say whose, and where
        cause = error
        while cause.__context__ is not None:  # the first failure, not the tracer's retry's
            cause = cause.__context__
        first = (str(cause).splitlines() or [""])[0]  # one line, whatever the tracer says
        raise ConfigError(f"model {type(model).__name__}: Torch-Pruning cannot trace it"
                          f"{_where(model, running)} ({type(cause).__name__}: {first})") from error


def _graph_sets(model: nn.Module) -> list[ArmSet]:
    """The dependency groups of a copy of ``model`` (eval: tracing must not
    update BatchNorm statistics) that masking reproduces."""
    traced = copy.deepcopy(model).eval()
    for module in traced.modules():  # a caller's hooks (masks, probes) are copied too: not ours
        module._forward_hooks.clear()
        module._forward_pre_hooks.clear()
    device = next(traced.parameters()).device
    inputs = tuple(x.to(device) for x in model.example_inputs())
    graph = dependency_graph(traced, inputs)
    names = {module: name for name, module in traced.named_modules()}
    order = {name: i for i, name in enumerate(names.values())}
    keep = [traced.get_submodule(name) for name in getattr(model, "keep", ())]
    heads = {module.qkv for module in traced.modules() if is_attention(module)}
    sets = []
    for group in graph.get_all_groups(ignored_layers=keep, root_module_types=list(PRUNABLE_TYPES)):
        targets = [dep.target.module for dep, _ in group]
        producers = sorted({names[dep.target.module] for dep, _ in group
                            if isinstance(dep.target.module, PRUNABLE_TYPES)
                            and dep.handler.__name__ == "prune_out_channels"}, key=order.get)
        if (not producers or any(isinstance(m, NORMS_ACROSS_UNITS) for m in targets)
                or any(traced.get_submodule(p) in heads for p in producers)):
            continue
        points = tuple(MaskPoint(_after_norm(graph, traced.get_submodule(p), names) or p,
                                 unit_dim(traced.get_submodule(p))) for p in producers)
        sets.append(ArmSet(producers[0], "unit" if len(producers) == 1 else "coupled",
                           unit_count(traced.get_submodule(producers[0])), points,
                           tuple(producers)))
    return sorted(sets, key=lambda s: order[s.name])


def _after_norm(graph, layer: nn.Module, names: dict) -> str | None:
    """The BatchNorm that alone consumes ``layer``'s output (mask after it: it
    is not zero at zero), else None."""
    outputs = graph.module2node[layer].outputs
    if len(outputs) == 1 and isinstance(outputs[0].module, nn.modules.batchnorm._BatchNorm):
        return names[outputs[0].module]
    return None


def _declared_sets(model: nn.Module) -> list[ArmSet]:
    """Hand-declared ``prunable`` layers (module doc), each a ``unit`` set."""
    name = type(model).__name__
    modules = dict(model.named_modules())
    after = dict(getattr(model, "mask_after", {}) or {})
    sets = []
    for layer in getattr(model, "prunable", ()) or ():
        if layer not in modules or not isinstance(modules[layer], PRUNABLE_TYPES):
            raise ConfigError(f"model {name}: prunable layer {layer!r} is not a Linear or Conv "
                              f"submodule")
        point = after.get(layer, layer)
        if point not in modules:
            raise ConfigError(f"model {name}: mask_after[{layer!r}]={point!r} is not a submodule")
        sets.append(ArmSet(layer, "unit", unit_count(modules[layer]),
                           (MaskPoint(point, unit_dim(modules[layer])),), (layer,)))
    return sets


# model -> its graph's arm sets (tracing is the cost; hand-declared sets are
# read afresh, so a changed ``prunable`` is always seen)
_GRAPH_SETS: weakref.WeakKeyDictionary[nn.Module, list[ArmSet]] = weakref.WeakKeyDictionary()


def arm_sets(model: nn.Module) -> dict[str, ArmSet]:
    """``{name: ArmSet}`` of every arm set ``model`` offers, in module order
    (a dependency graph is traced once per model object)."""
    if not callable(getattr(model, "example_inputs", None)):
        return {s.name: s for s in _declared_sets(model)}
    offered = _GRAPH_SETS.get(model)
    if offered is None:
        order = {name: i for i, (name, _) in enumerate(model.named_modules())}
        offered = _GRAPH_SETS[model] = sorted(_graph_sets(model) + head_sets(model),
                                              key=lambda s: order[s.name])
    declared = getattr(model, "prunable", None)
    if declared is None:
        return {s.name: s for s in offered}
    by_name = {s.name: s for s in offered}
    missing = [layer for layer in declared if layer not in by_name]
    if missing:
        raise ConfigError(
            f"model {type(model).__name__}: prunable {missing[0]!r} is no arm set of its "
            f"dependency graph (groups through a LayerNorm or of a qkv layer are not "
            f"removable by masking); arm sets: {', '.join(by_name)}")
    return {layer: by_name[layer] for layer in declared}


def norms_after(model: nn.Module) -> dict[str, str]:
    """``{layer: the BatchNorm right after it}`` for every layer whose output
    only that BatchNorm reads, so the two fold into one (mabbench.pruning.deploy).
    Hand-declared models name them in ``mask_after``; a graph-built model's are
    read off its graph (all groups, whatever ``prunable`` restricts: a kept
    layer's BatchNorm folds too, e.g. a ResNet's stem or shortcuts). A model
    without BatchNorm is not traced."""
    if not callable(getattr(model, "example_inputs", None)):
        return dict(getattr(model, "mask_after", {}) or {})
    if not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()):
        return {}
    arm_sets(model)  # traces once per model object
    return {layer: point.module for s in _GRAPH_SETS[model] if s.kind != "head"
            for layer, point in zip(s.layers, s.points, strict=True) if point.module != layer}


def mask_hook(keep: torch.Tensor, dim: int) -> Callable:
    """Forward hook: output times ``keep`` (width,) along ``dim``."""

    def hook(_module, _args, output):
        shape = [1] * output.dim()
        shape[dim % output.dim()] = keep.shape[0]
        return output * keep.view(shape)

    return hook
