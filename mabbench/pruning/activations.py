"""Activations kept for every row of the prune split, so pulls skip the layers below.

Every pull of a layer on the incremental path needs, for its batch's rows,
only the input and output of the layer's next linear operation N (see
mabbench.pruning.incremental); both are the same for every arm and every
round until a unit is retired. One forward over the prune split, with the
retired units masked, captures them for every such layer at once; a round then
gathers its rows and runs only what lies above N (mabbench.pruning.suffix).

Retiring any unit may change them, so the engine clears the cache and the next
round rebuilds it: one forward of the split per retirement stage, counted in
the engine's FLOPs like every other forward it runs.
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from mabbench.tasks.base import Split

CHUNK_ROWS = 256  # rows per forward while capturing (bounds the forward's peak memory)


class ActivationCache:
    """``{layer: (N's input, N's output)}`` over every row of ``source``, built on demand."""

    def __init__(self, source: Split, modules: dict[str, nn.Module]) -> None:
        self.source = source
        self.modules = modules  # layer -> its next linear operation N
        self.entries: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        self.builds = 0

    def clear(self) -> None:
        self.entries = {}

    def rows(self, layer: str, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        inputs, outputs = self.entries[layer]
        # index_select, not [rows]: the same gather for less dispatch (a round's ops are small)
        return inputs.index_select(0, rows), outputs.index_select(0, rows)

    @torch.no_grad()
    def build(self, model: nn.Module, masking: Callable[[int], list]) -> None:
        """One forward over the source rows, in chunks, capturing every layer's N.

        ``masking(rows)`` registers the hooks that zero retired units for a
        forward of ``rows`` rows and returns their handles. Capture hooks are
        registered first, so they see N's output before any mask at N applies
        (a round subtracts a unit's term first and masks after, as a forward does).
        """
        captured: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = {
            layer: [] for layer in self.modules}
        n = len(self.source)
        device = self.source.targets.device
        for start in range(0, n, CHUNK_ROWS):
            chunk = self.source.subset(torch.arange(start, min(start + CHUNK_ROWS, n),
                                                    device=device))
            handles = [module.register_forward_hook(
                # clones: an in-place op above N (ReLU(inplace=True)) must not change them
                lambda _m, args, output, layer=layer: captured[layer].append(
                    (args[0].clone(), output.clone()))) for layer, module in self.modules.items()]
            handles += masking(len(chunk))
            try:
                model(*chunk.inputs)
            finally:
                for handle in handles:
                    handle.remove()
        self.entries = {layer: (torch.cat([i for i, _ in parts]), torch.cat([o for _, o in parts]))
                        for layer, parts in captured.items()}
        self.builds += 1
