"""Greedy activation-variation pruning (the paper's greedy baseline): units
whose activation varies least on the prune split go first.

Importance = variance of the unit's *activation* - its output after the
activation function - over every prune row (and every spatial/time position
for conv channels), accumulated in float64 over one pass in
``pruning.batch_size`` batches. A near-constant unit carries no information
downstream (its effect is a bias); a dead ReLU unit (pre-activation always
negative) varies by exactly 0 after the ReLU and goes first, however much its
pre-activation varies.

Where the activation is: the first parameter-free, shape-preserving modules
that consume the layer's mask-point output (ReLU, Tanh, GELU, eval-mode
Dropout ...), found by tracing one forward on a few prune rows: MLP
``hidden<i>`` -> ``act<i>``, LeNet ``conv1`` -> ``act1`` (before the pool),
VGG ``conv<i>`` -> ``bn<i>`` -> ``act<i>``. A layer with no such consumer
(an activation applied functionally) is measured at its mask point.
Cost: the forwards.
"""
from __future__ import annotations

import torch
from torch import nn

from baselines.base import Scorer, prune_batches
from mabbench.pruning.arms import arm_points
from mabbench.pruning.context import PruningContext, PruningCost
from mabbench.pruning.cost import FlopMeter


class _Moments:
    """Running count, sum and sum of squares per unit."""

    def __init__(self, width: int, dim: int, device: torch.device) -> None:
        self.dim, self.n = dim, 0
        self.sum = torch.zeros(width, dtype=torch.float64, device=device)
        self.sq = torch.zeros(width, dtype=torch.float64, device=device)

    def hook(self, module, args, output: torch.Tensor) -> None:
        units = output.detach().double().movedim(self.dim % output.dim(), -1)
        units = units.reshape(-1, units.shape[-1])
        self.n += units.shape[0]
        self.sum += units.sum(dim=0)
        self.sq += units.pow(2).sum(dim=0)

    def variance(self) -> torch.Tensor:
        mean = self.sum / max(self.n, 1)
        return (self.sq / max(self.n, 1) - mean.pow(2)).clamp_min(0.0)


def activation_points(model: nn.Module, layers: list[str], example: tuple) -> dict[str, str]:
    """Per layer, the name of the module whose output is the unit's activation
    (at the layer's first mask point; ``point_activations``)."""
    first = {layer: arm_points(model, layer)[0].module for layer in layers}
    found = point_activations(model, sorted(set(first.values())), example)
    return {layer: found[point] for layer, point in first.items()}


@torch.no_grad()
def point_activations(model: nn.Module, points: list[str], example: tuple) -> dict[str, str]:
    """Per mask point, the name of the module whose output is the unit's activation:
    the last of the parameter-free, shape-preserving modules that consume the
    point's output in turn (the mask point itself if none does)."""
    found = {point: point for point in points}
    produced: dict[int, str] = {}  # id(tensor) -> mask point whose activation chain made it
    alive: list[torch.Tensor] = []  # keeps traced tensors alive so their ids stay unique
    calls: dict[str, int] = {}

    def hook(name: str):
        def trace(module: nn.Module, args, output) -> None:
            calls[name] = calls.get(name, 0) + 1
            if not isinstance(output, torch.Tensor):
                return
            if name in found:
                root = name
            else:
                source = args[0] if args and isinstance(args[0], torch.Tensor) else None
                root = None if source is None else produced.get(id(source))
                elementwise = (source is not None and output.shape == source.shape
                               and next(module.parameters(recurse=False), None) is None)
                if root is None or not elementwise:
                    return
                found[root] = name
            produced[id(output)] = root
            alive.append(output)
        return trace

    handles = [module.register_forward_hook(hook(name))
               for name, module in model.named_modules()
               if name in found or not list(module.children())]
    try:
        model(*example)
    finally:
        for handle in handles:
            handle.remove()
    # an activation module shared by several layers (or called twice) would mix
    # their units: measure those at the mask point instead
    return {point: (found[point] if calls.get(found[point], 0) == 1 else point)
            for point in points}


class GreedyActivation(Scorer):
    name = "greedy"

    @torch.no_grad()
    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        model = ctx.model
        # one accumulator per mask point: a coupled group (a residual channel)
        # varies by the sum of its points' variances
        moments = {(layer, p.module): _Moments(width, p.dim, ctx.device)
                   for layer, width in ctx.widths.items() for p in arm_points(model, layer)}
        probe = tuple(x[:4] for x in ctx.prune.inputs)
        points = point_activations(model, sorted({point for _, point in moments}), probe)
        handles = [model.get_submodule(points[point]).register_forward_hook(m.hook)
                   for (_, point), m in moments.items()]
        meter = FlopMeter()
        try:
            for batch in prune_batches(ctx, ctx.cfg.batch_size):
                with meter.measure():
                    model(*batch.inputs)
        finally:
            for handle in handles:
                handle.remove()
        cost.forward_flops += meter.flops
        return {layer: sum(m.variance() for (owner, _), m in moments.items()
                           if owner == layer).cpu() for layer in ctx.widths}
