"""CIFAR-style residual network (He et al. 2016, section 4.2): a 3x3 stem, three
stages of ``(depth - 2) / 6`` basic blocks (16, 32, 64 channels times
``width``), global average pooling and the classifier. ResNet-20 by default;
depth 56 is the standard table of Torch-Pruning's DepGraph, ShrinkBench and
PruningBench. Shortcuts that change the width or the side are a 1x1 conv and
BatchNorm (option B), so every stage's residual stream is a channel group of its own.

Arms come from Torch-Pruning's dependency graph (mabbench.pruning.groups), not
a hand-written list: each block's internal channel (conv1 -> bn1 -> relu ->
conv2), and each stage's residual-stream channel, which couples the stem or
the stage's shortcut and every block's conv2 (masked after their BatchNorms,
so the channel is zero in the whole stage). ``example_inputs`` gives the graph
a forward to trace.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.models.residual import add_branch

STAGE_WIDTHS = (16, 32, 64)


class BasicBlock(nn.Module):
    """conv3x3 -> BN -> ReLU -> conv3x3 -> BN, plus the shortcut, then ReLU."""

    def __init__(self, width_in: int, width: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(width_in, width, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.act1 = nn.ReLU()
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.shortcut = nn.Sequential()
        if stride != 1 or width_in != width:
            self.shortcut = nn.Sequential(nn.Conv2d(width_in, width, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(width))
        self.act2 = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))
        return self.act2(add_branch(self.shortcut(x), out))  # a round may fan out in ``out``


class ResNet(nn.Module):
    """Input (B, C, H, W) with C = ``info["in_channels"]``, H = W = ``info["image_size"]``;
    output (B, n_outputs) logits. ``depth`` = 6 n + 2 (20, 32, 44, 56, 110);
    ``width`` multiplies the stage widths (1: 16/32/64 channels)."""

    def __init__(self, n_outputs: int, info: dict[str, Any], depth: int = 20, width: int = 1,
                 name: str = "resnet") -> None:
        super().__init__()
        if depth < 8 or (depth - 2) % 6:
            raise ConfigError(f"model.depth={depth}: a CIFAR ResNet has depth 6n + 2 "
                              f"(20, 32, 44, 56, 110)")
        if width < 1:
            raise ConfigError(f"model.width={width}: expected a positive integer")
        self.in_channels, self.side = int(info["in_channels"]), int(info["image_size"])
        widths = [w * width for w in STAGE_WIDTHS]
        self.conv1 = nn.Conv2d(self.in_channels, widths[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.act1 = nn.ReLU()
        blocks, width_in = (depth - 2) // 6, widths[0]
        for stage, out in enumerate(widths, start=1):
            layers = []
            for block in range(blocks):
                stride = 2 if stage > 1 and block == 0 else 1
                layers.append(BasicBlock(width_in, out, stride))
                width_in = out
            self.add_module(f"layer{stage}", nn.Sequential(*layers))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width_in, n_outputs)
        self.prunable = None  # every group the dependency graph finds (pruning.layers restricts)
        self.keep = ("fc",)  # the classifier's outputs are the classes

    def example_inputs(self) -> tuple[torch.Tensor, ...]:
        """Two rows of zeros of the input's shape: what the dependency graph traces."""
        return (torch.zeros(2, self.in_channels, self.side, self.side),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.pool(x), 1))
