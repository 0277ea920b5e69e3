"""LeNet-style CNN (LeCun et al. 1998, Caffe's LeNet as in the 2017 code) for
digits and MNIST: conv(in->20, 5) pool conv(20->50, 5) pool fc(->500) relu fc.

The arms are the output channels of ``conv1`` and ``conv2`` and the 500
neurons of ``fc1`` (the layer the 2017 code pruned). Every prunable layer is
followed only by ReLU / max-pool / flatten, all zero at zero, so masking a unit
equals removing it.
"""
from __future__ import annotations

from typing import Any, Optional

import torch
from torch import nn

# Below this side length two unpadded 5x5 convolutions and 2x2 pools leave
# nothing (8x8 digits would shrink to 4x4, 2x2, then fail).
SMALLEST_UNPADDED_SIDE = 16


class LeNet(nn.Module):
    """Input (B, C, H, W) with C = ``info["in_channels"]``, H = W = ``info["image_size"]``;
    output (B, n_outputs) logits.

    ``padding`` of both convolutions: ``None`` keeps the classic 0 for images of
    side >= 16 (MNIST 28x28 -> 4x4x50, CIFAR 32x32 -> 5x5x50) and uses 2 ("same")
    for smaller ones (digits 8x8 -> 2x2x50).
    """

    def __init__(self, n_outputs: int, info: dict[str, Any], conv1: int = 20, conv2: int = 50,
                 fc: int = 500, padding: Optional[int] = None, name: str = "lenet") -> None:
        super().__init__()
        channels, side = int(info["in_channels"]), int(info["image_size"])
        if padding is None:
            padding = 0 if side >= SMALLEST_UNPADDED_SIDE else 2
        self.conv1 = nn.Conv2d(channels, conv1, kernel_size=5, padding=padding)
        self.act1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(conv1, conv2, kernel_size=5, padding=padding)
        self.act2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        with torch.no_grad():  # the flattened width follows from the image size
            flat = self.features(torch.zeros(1, channels, side, side)).shape[1]
        self.fc1 = nn.Linear(flat, fc)
        self.act3 = nn.ReLU()
        self.out = nn.Linear(fc, n_outputs)
        self.prunable = ("conv1", "conv2", "fc1")

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.act1(self.conv1(x)))
        x = self.pool2(self.act2(self.conv2(x)))
        return torch.flatten(x, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.act3(self.fc1(self.features(x))))
