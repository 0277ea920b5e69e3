"""A small Vision Transformer (Dosovitskiy et al. 2021): non-overlapping
patches embedded by a strided conv, learned position embeddings, pre-LN
blocks (mabbench.models.transformer), mean over tokens, LayerNorm, classifier.
Mean pooling instead of a class token: the same accuracy at this size, one
token fewer.

Arms (Torch-Pruning's graph, mabbench.pruning.groups): every block's
attention heads (``blocks.<i>.attn.heads``) and MLP neurons
(``blocks.<i>.mlp.fc1``).
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.models.transformer import blocks, init_weights


class ViT(nn.Module):
    """Input (B, C, H, W), H = W = ``info["image_size"]`` divisible by ``patch``;
    output (B, n_outputs) logits. (side / patch)^2 tokens of width ``dim``."""

    def __init__(self, n_outputs: int, info: dict[str, Any], patch: int = 4, dim: int = 64,
                 depth: int = 4, heads: int = 4, mlp: int = 128, name: str = "vit") -> None:
        super().__init__()
        self.in_channels, self.side = int(info["in_channels"]), int(info["image_size"])
        if patch < 1 or self.side % patch:
            raise ConfigError(f"model.patch={patch} must divide the image side {self.side}")
        tokens = (self.side // patch) ** 2
        self.patch = nn.Conv2d(self.in_channels, dim, patch, stride=patch)
        self.position = nn.Parameter(torch.zeros(1, tokens, dim))
        self.blocks = blocks(depth, dim, heads, mlp, causal=False, max_len=tokens)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_outputs)
        self.apply(init_weights)
        nn.init.normal_(self.position, 0.0, 0.02)
        self.prunable = None  # heads and MLP neurons: the graph's removable groups
        self.keep = ("head",)

    def example_inputs(self) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(2, self.in_channels, self.side, self.side),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.patch(x).flatten(2).transpose(1, 2) + self.position
        return self.head(self.norm(self.blocks(tokens).mean(dim=1)))
