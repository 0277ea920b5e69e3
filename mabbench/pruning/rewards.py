"""Transforms of a pull's loss change into a safe-removal reward in [0, 1].

``delta`` = loss with the arm masked - loss without, on the same mini-batch;
``base`` = the unmasked mini-batch loss. Scaling by ``scale * base`` makes the
reward unit-free, so one setting serves cross-entropy and MSE alike. A
removal that does not change the loss gets reward 0.5 under the signed
transforms (``sigmoid``, ``linear``: the protocol's -Delta) and 1 under
``unsigned``.

Why ``unsigned`` exists: under a signed reward, an arm whose removal *lowers*
the mini-batch loss outranks a dead arm (Delta = 0). On small validation sets
those arms are often working units whose val loss change is noise; removing
many of them together hurts (LeNet fc1 on digits, one-shot: the 25% most
negative-Delta units removed leave 0.69 test accuracy, the 25% smallest-|Delta|
units 0.96, random 0.95). ``unsigned`` scores any change as unsafe.
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


@REWARDS.register("unsigned")
def unsigned_reward(delta: torch.Tensor, base: torch.Tensor, scale: float) -> torch.Tensor:
    """2 sigma(-|delta| / (scale * base)): 1 for no change, falling with any change."""
    return 2.0 * torch.sigmoid(-delta.abs() / (scale * base).clamp_min(1e-12))
