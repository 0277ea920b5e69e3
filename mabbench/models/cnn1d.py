"""A 1-D CNN for signals such as MNIST-1D (Greydanus 2020 uses three strided
convolutions, 25 channels, then a linear read-out; we add one hidden fully
connected layer so the paper-style FC arms exist too).

Input (B, L) with L = ``info["in_features"]``: conv(1->c, 5, stride 2) relu
conv(c->c, 3, stride 2) relu conv(c->c, 3, stride 2) relu flatten fc(->fc)
relu fc(->classes). Arms: the channels of conv1..conv3 and the neurons of
fc1; every prunable layer is followed only by ReLU / flatten, both zero at
zero, so masking a unit equals removing it.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn


class CNN1d(nn.Module):

    def __init__(self, n_outputs: int, info: dict[str, Any], channels: int = 25, fc: int = 100,
                 name: str = "cnn1d") -> None:
        super().__init__()
        length = int(info["in_features"])
        self.conv1 = nn.Conv1d(1, channels, kernel_size=5, stride=2, padding=2)
        self.act1 = nn.ReLU()
        self.conv2 = nn.Conv1d(channels, channels, kernel_size=3, stride=2, padding=1)
        self.act2 = nn.ReLU()
        self.conv3 = nn.Conv1d(channels, channels, kernel_size=3, stride=2, padding=1)
        self.act3 = nn.ReLU()
        with torch.no_grad():  # the flattened width follows from the signal length
            flat = self.features(torch.zeros(1, length)).shape[1]
        self.fc1 = nn.Linear(flat, fc)
        self.act4 = nn.ReLU()
        self.out = nn.Linear(fc, n_outputs)
        self.prunable = ("conv1", "conv2", "conv3", "fc1")

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act1(self.conv1(x.unsqueeze(1)))
        x = self.act2(self.conv2(x))
        x = self.act3(self.conv3(x))
        return torch.flatten(x, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.act4(self.fc1(self.features(x))))
