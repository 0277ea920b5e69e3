"""Unsigned oracle: |leave-one-out loss change| of every arm on the whole pruning split.

Importance = |delta_j|, with delta_j the signed oracle's (baselines/oracle.py),
read from the same cache beside the dense model: never recomputed. The units
whose removal alone changes the loss least, in either direction, go first.
It is the target of the ``unsigned`` reward, as the signed oracle is of the
signed ones: a unit whose removal *lowers* the pruning-split loss is treated
as doing something (usually fitting noise of a small split), not as free.
"""
from __future__ import annotations

import torch

from baselines.oracle import Oracle


def unsigned(deltas: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {layer: delta.abs() for layer, delta in deltas.items()}


class OracleUnsigned(Oracle):
    """The signed oracle's scores made absolute; its cost is the oracle's
    (what computing it took, even when read from the cache)."""

    name = "oracle_unsigned"

    def transform(self, deltas: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return unsigned(deltas)
