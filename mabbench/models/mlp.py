"""Multi-layer perceptron for tabular classification and regression."""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}


class MLP(nn.Module):
    """in_features -> hidden[0] -> ... -> n_outputs; every hidden Linear is prunable.

    Hidden layers are named ``hidden0``, ``hidden1``, ...; the arms of
    ``hidden<i>`` are its output neurons (masking one zeroes its activation).
    ``dropout`` > 0 adds ``drop<i>`` after each activation (the 2017 Keras
    models' Dropout(0.5)); it is the identity in eval mode, so masking a unit
    still equals removing it.
    """

    def __init__(self, n_outputs: int, info: dict[str, Any], hidden: list[int],
                 activation: str = "relu", dropout: float = 0.0, name: str = "mlp") -> None:
        super().__init__()
        widths = [int(info["in_features"]), *hidden]
        self.prunable = tuple(f"hidden{i}" for i in range(len(hidden)))
        for i, (w_in, w_out) in enumerate(zip(widths, widths[1:])):
            self.add_module(f"hidden{i}", nn.Linear(w_in, w_out))
            self.add_module(f"act{i}", ACTIVATIONS[activation]())
            if dropout > 0:
                self.add_module(f"drop{i}", nn.Dropout(dropout))
        self.out = nn.Linear(widths[-1], n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i in range(len(self.prunable)):
            x = getattr(self, f"act{i}")(getattr(self, f"hidden{i}")(x))
            if hasattr(self, f"drop{i}"):
                x = getattr(self, f"drop{i}")(x)
        return self.out(x)
