"""Per-layer normalisation of importance scores before a global ranking pools layers.

A method whose scores carry each layer's own scale (magnitude: the L1 norm grows with
fan-in; greedy: activation variance, with the layer's activation scale) cannot be ranked across
layers as it is: LeNet's conv1 filters have 25 weights, fc1's rows 800, so a raw global
magnitude ranking removes conv1 first and collapses at 5% sparsity. Dividing each
layer's scores by their mean magnitude (Molchanov et al. 2017's layer-wise
normalisation; Torch-Pruning's ``normalizer="mean"``) makes the pool compare units
relative to their layer. Scores that are already on one scale across layers (the
loss-change estimates of the bandits, oracles, Shapley and Taylor) use ``none``:
on digits/LeNet mean-normalising Taylor lowered its test accuracy at 50% from
0.937 to 0.855, while it lifted magnitude from 0.261 to 0.728. Within a layer every
normaliser keeps the order.
"""
from __future__ import annotations

import torch

from mabbench.config.registry import Registry

NORMALIZERS: Registry = Registry("global normalizer")


@NORMALIZERS.register("none")
def unchanged(score: torch.Tensor) -> torch.Tensor:
    return score


@NORMALIZERS.register("mean")
def by_mean(score: torch.Tensor) -> torch.Tensor:
    """score / mean |score| of the layer (a layer of zeros stays zeros)."""
    return score / score.abs().mean().clamp_min(1e-12)


@NORMALIZERS.register("max")
def by_max(score: torch.Tensor) -> torch.Tensor:
    """score / max |score| of the layer."""
    return score / score.abs().max().clamp_min(1e-12)
