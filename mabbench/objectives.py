"""Losses (per example, for training and pulls) and metrics (higher is better)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from mabbench.registry import Registry

LOSSES: Registry = Registry("loss")
METRICS: Registry = Registry("metric")


@LOSSES.register("cross_entropy")
def cross_entropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(outputs, targets, reduction="none")


@LOSSES.register("mse")
def mse(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return (outputs.reshape(targets.shape) - targets).pow(2)


@METRICS.register("accuracy")
def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    return (outputs.argmax(dim=1) == targets).double().mean().item()


@METRICS.register("r2")
def r2(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot."""
    predicted = outputs.reshape(targets.shape).double()
    targets = targets.double()
    ss_res = (targets - predicted).pow(2).sum()
    ss_tot = (targets - targets.mean()).pow(2).sum().clamp_min(1e-12)
    return (1.0 - ss_res / ss_tot).item()
