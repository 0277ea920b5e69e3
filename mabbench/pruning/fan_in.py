"""Where a batched round replicates its rows, when not at the mask point.

A batched pull replicates a layer's masked output (k + 1) times along the
batch (mabbench.pruning.engine). Inside a residual block that breaks: the
skip connection still carries B rows from below the mask point, and the sum
of B and (k + 1) B rows fails (or broadcasts wrongly). Replicating the input
of the enclosing block instead (a ResNet BasicBlock, a transformer block)
makes both branches carry every copy; the mask point then masks each copy
((k + 1) B rows, as for a later point of a coupled group). The engine tries
the mask point's ancestors from the innermost out at start-up and keeps the
first whose rounds equal one masked forward per copy: the block and what
lies above it run per copy, the network below it once.
"""
from __future__ import annotations

import torch
from torch import nn


def ancestors(point: str) -> list[str]:
    """Enclosing module names of ``point``, innermost first, the model ("") last."""
    parts = point.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, -1, -1)]


def replicate_hook(copies: int, batch: int):
    """Forward pre-hook: every tensor argument of ``batch`` rows -> ``copies`` x
    ``batch`` rows, copy-major (copy c is rows [c B, (c + 1) B))."""

    def hook(module: nn.Module, args: tuple) -> tuple:
        return tuple(arg.repeat(copies, *([1] * (arg.dim() - 1)))
                     if isinstance(arg, torch.Tensor) and arg.dim() and arg.shape[0] == batch
                     else arg for arg in args)

    return hook
