"""Transforms of a pull's loss change into a safe-removal reward in [0, 1].

``delta`` = loss with the arm masked - loss without, on the same mini-batch;
``base`` = the unmasked mini-batch loss. Scaling by ``scale * base`` makes the
reward unit-free, so one setting serves cross-entropy and MSE alike. A
removal that does not change the loss gets reward 0.5 under both transforms.
"""
from __future__ import annotations

import torch

from mabbench.registry import Registry

REWARDS: Registry = Registry("reward transform")


@REWARDS.register("sigmoid")
def sigmoid_reward(delta: torch.Tensor, base: torch.Tensor, scale: float) -> torch.Tensor:
    """sigma(-delta / (scale * base)): smooth, never saturates exactly."""
    return torch.sigmoid(-delta / (scale * base).clamp_min(1e-12))


@REWARDS.register("linear")
def linear_reward(delta: torch.Tensor, base: torch.Tensor, scale: float) -> torch.Tensor:
    """clip(0.5 - delta / (2 * scale * base), 0, 1): linear, saturates at +-scale*base."""
    return (0.5 - delta / (2 * scale * base).clamp_min(1e-12)).clamp(0.0, 1.0)
