"""Transforms of a pull into a safe-removal reward in [0, 1].

Every transform takes the engine's ``Pulled`` (see mabbench/pruning/engine.py)
and ``scale``, and returns a (k,) reward per pulled arm.

Loss-based transforms read ``delta`` = loss with the arm masked - loss without,
on the same mini-batch, and ``base`` = the unmasked mini-batch loss. Scaling by
``scale * base`` makes the reward unit-free, so one setting serves
cross-entropy and MSE alike. A removal that does not change the loss gets
reward 0.5 under the signed transforms (``sigmoid``, ``linear``: the
protocol's -Delta) and 1 under ``unsigned``.

Why ``unsigned`` exists: under a signed reward, an arm whose removal *lowers*
the mini-batch loss outranks a dead arm (Delta = 0). On small pruning splits
those arms are often working units whose loss change is noise; removing
many of them together hurts (LeNet fc1 on digits, one-shot: the 25% most
negative-Delta units removed leave 0.69 test accuracy, the 25% smallest-|Delta|
units 0.96, random 0.95). ``unsigned`` scores any change as unsafe.

``accuracy`` is the 2017 code's reward, max(0, Delta_accuracy + 0.2) with
Delta_accuracy = masked - unmasked accuracy on the pull's mini-batch (clipped
to [0, 1]; ``scale`` is unused). It needs the engine to score each copy's
per-example correctness, so it declares ``per_example_metric``; a task without
classes (regression) cannot use it (validate.py says so in one line).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mabbench.config.registry import Registry

if TYPE_CHECKING:  # tensor methods only below: validate.py reads this registry without torch
    import torch

REWARDS: Registry = Registry("reward transform")

# The 2017 reward's offset: an arm whose removal costs up to 20 points of
# mini-batch accuracy still earns a positive reward.
ACCURACY_OFFSET = 0.2


def correct(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-example 0/1 correctness of a classifier, shape (batch,): its mean is accuracy."""
    return (outputs.argmax(dim=1) == targets).to(outputs.dtype)


@REWARDS.register("sigmoid")
def sigmoid_reward(pulled, scale: float) -> torch.Tensor:
    """sigma(-delta / (scale * base)): smooth, never saturates exactly."""
    return (-pulled.delta / (scale * pulled.base).clamp_min(1e-12)).sigmoid()


@REWARDS.register("linear")
def linear_reward(pulled, scale: float) -> torch.Tensor:
    """clip(0.5 - delta / (2 * scale * base), 0, 1): linear, saturates at +-scale*base."""
    return (0.5 - pulled.delta / (2 * scale * pulled.base).clamp_min(1e-12)).clamp(0.0, 1.0)


@REWARDS.register("unsigned")
def unsigned_reward(pulled, scale: float) -> torch.Tensor:
    """2 sigma(-|delta| / (scale * base)): 1 for no change, falling with any change."""
    return 2.0 * (-pulled.delta.abs() / (scale * pulled.base).clamp_min(1e-12)).sigmoid()


@REWARDS.register("accuracy")
def accuracy_reward(pulled, scale: float) -> torch.Tensor:
    """clip(Delta_accuracy + 0.2, 0, 1) on the pull's mini-batch (the 2017 reward)."""
    if pulled.metric_delta is None:
        raise ValueError("the accuracy reward needs a PullEngine built with metric=correct")
    return (pulled.metric_delta + ACCURACY_OFFSET).clamp(0.0, 1.0)


accuracy_reward.per_example_metric = correct
