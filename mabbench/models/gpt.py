"""A small decoder-only language model (Radford et al. 2019, GPT-2's layout):
token and position embeddings, causal pre-LN blocks
(mabbench.models.transformer), a final LayerNorm and a vocabulary head whose
weight is the token embedding's (tied).

Logits come as (B, vocab, T): classes on dim 1, torch's convention for
per-position cross-entropy, so the task's losses and metrics read them as
they read (B, classes). Arms (mabbench.pruning.groups): every block's
attention heads and MLP neurons.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from mabbench.models.transformer import blocks, init_weights


class GPT(nn.Module):
    """Input (B, T) token ids, T <= ``info["max_len"]``; output (B, vocab, T)
    next-token logits. ``n_outputs`` is the vocabulary (the head is tied)."""

    def __init__(self, n_outputs: int, info: dict[str, Any], dim: int = 64, depth: int = 2,
                 heads: int = 4, mlp: int = 256, name: str = "gpt") -> None:
        super().__init__()
        self.vocab, self.max_len = int(info["vocab_size"]), int(info["max_len"])
        self.token = nn.Embedding(self.vocab, dim)
        self.position = nn.Embedding(self.max_len, dim)
        self.blocks = blocks(depth, dim, heads, mlp, causal=True, max_len=self.max_len)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, self.vocab, bias=False)
        self.apply(init_weights)
        self.head.weight = self.token.weight  # tied: one table in and out
        self.prunable = None
        self.keep = ("head",)

    def example_inputs(self) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(2, self.max_len, dtype=torch.long),)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        where = torch.arange(ids.shape[1], device=ids.device)
        x = self.blocks(self.token(ids) + self.position(where))
        return self.head(self.norm(x)).transpose(1, 2)
