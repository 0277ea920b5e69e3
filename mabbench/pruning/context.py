"""What a pruning method is given, and what it hands back."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Optional

import torch
from torch import nn

from mabbench.tasks.base import Split

# (outputs, targets) -> per-example loss, shape (batch,)
PerExampleLoss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class PruningContext:
    """Everything a method may use. ``prune`` is the split every ranking is
    computed from; a method never sees the select or test splits."""

    model: nn.Module  # the dense model, eval mode, on ``device``
    widths: dict[str, int]  # prunable layer name -> number of arms, in scope
    prune: Split
    loss: PerExampleLoss
    cfg: object  # PruningConfig
    seed: int
    device: torch.device
    # beside the dense model (results/dense/...): per-dense-model caches such
    # as the oracle's scores; None = do not cache
    cache_dir: Optional[Path] = None

    @cached_property
    def split_flops(self) -> float:
        """FLOPs of one dense forward over the whole prune split (counted once)."""
        return split_forward_flops(self.model, self.prune)


@dataclass
class PruningCost:
    """Compute a method spent to produce its ranking, on shared axes.

    ``pulls``: arm evaluations (one masked loss of one arm on one batch).
    ``forward_flops``: matmul/conv FLOPs of every pass it ran on the model
    (torch's FlopCounterMode): forwards, plus backwards for gradient methods.
    ``seconds``: wall time of ``rank``.
    ``forward_passes``: ``forward_flops`` over the FLOPs of one dense forward
    of the whole pruning split (``split_forward_flops``): methods of every
    kind on one axis, in units a reader can picture (1 = one pass over it).
    """

    pulls: int = 0
    forward_flops: float = 0.0
    seconds: float = 0.0
    forward_passes: float = 0.0

    def count_passes(self, ctx: "PruningContext") -> "PruningCost":
        """Fill ``forward_passes`` from ``forward_flops`` for ``ctx``'s model and split."""
        dense = ctx.split_flops
        self.forward_passes = self.forward_flops / dense if dense > 0 else 0.0
        return self


@torch.no_grad()
def split_forward_flops(model: nn.Module, split: Split, rows: int = 256) -> float:
    """Matmul/conv FLOPs of one dense forward over every row of ``split``,
    counted on its first ``rows`` rows and scaled (every row costs the same:
    inputs are fixed-shape tensors)."""
    from torch.utils.flop_counter import FlopCounterMode

    n = len(split)
    head = split.subset(torch.arange(min(rows, n), device=split.targets.device))
    with FlopCounterMode(display=False) as counter:
        model(*head.inputs)
    return float(counter.get_total_flops()) * n / max(len(head), 1)


@dataclass
class Ranking:
    """Arms in pruning order: ``order[layer]`` lists arm indices, first-to-prune first.

    ``global_order`` (scope=global) interleaves layers: (layer, arm) pairs.
    ``scores[layer]`` are the method's per-arm importance (higher = keep).
    """

    order: dict[str, list[int]]
    scores: dict[str, list[float]] = field(default_factory=dict)
    global_order: Optional[list[tuple[str, int]]] = None
    cost: PruningCost = field(default_factory=PruningCost)
