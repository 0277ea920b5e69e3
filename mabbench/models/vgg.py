"""Small VGG-style CNN with BatchNorm (Simonyan & Zisserman 2015; Ioffe & Szegedy
2015) for CIFAR-10/100 and SVHN, sized for CPU by default.

Stages of 3x3 conv -> BatchNorm -> ReLU blocks, each stage ending in a 2x2
max-pool, then hidden Linear -> ReLU layers and the classifier. Arms: every
conv's output channels (``conv1``, ``conv2`` ...) and every hidden Linear's
neurons (``fc1`` ...).

A conv is followed by BatchNorm, which is not zero at zero, so masking a
channel at the conv's output would not equal removing it. ``mask_after`` tells
the pruning engine to mask the BatchNorm's output instead (the ReLU keeps it
zero): that equals removing the conv channel together with its BatchNorm
channel, which is what Torch-Pruning's dependency graph does.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn


class VGG(nn.Module):
    """Input (B, C, H, W) with C = ``info["in_channels"]``, H = W = ``info["image_size"]``;
    output (B, n_outputs) logits. ``stages``: conv widths per stage, e.g.
    [[32, 32], [64, 64], [128, 128]] turns 32x32 images into 128 x 4 x 4 features."""

    def __init__(self, n_outputs: int, info: dict[str, Any], stages: list[list[int]],
                 fc: list[int], name: str = "vgg") -> None:
        super().__init__()
        channels, side = int(info["in_channels"]), int(info["image_size"])
        self._plan: list[str] = []  # submodule names in forward order
        self.mask_after: dict[str, str] = {}
        prunable = []
        width, conv = channels, 0
        for stage, widths in enumerate(stages, start=1):
            for out in widths:
                conv += 1
                self.add_module(f"conv{conv}", nn.Conv2d(width, out, 3, padding=1, bias=False))
                self.add_module(f"bn{conv}", nn.BatchNorm2d(out))
                self.add_module(f"act{conv}", nn.ReLU())
                self._plan += [f"conv{conv}", f"bn{conv}", f"act{conv}"]
                self.mask_after[f"conv{conv}"] = f"bn{conv}"
                prunable.append(f"conv{conv}")
                width = out
            if side >= 2:  # tiny inputs (8x8 digits) stop pooling at 1x1
                self.add_module(f"pool{stage}", nn.MaxPool2d(2))
                self._plan.append(f"pool{stage}")
                side //= 2
        flat = width * side * side
        for i, out in enumerate(fc, start=1):
            self.add_module(f"fc{i}", nn.Linear(flat, out))
            self.add_module(f"fc_act{i}", nn.ReLU())
            prunable.append(f"fc{i}")
            flat = out
        self.n_fc = len(fc)
        self.out = nn.Linear(flat, n_outputs)
        self.prunable = tuple(prunable)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for name in self._plan:
            x = getattr(self, name)(x)
        x = torch.flatten(x, 1)
        for i in range(1, self.n_fc + 1):
            x = getattr(self, f"fc_act{i}")(getattr(self, f"fc{i}")(x))
        return self.out(x)
