"""The pieces the zoo's transformers share (Vaswani et al. 2017, pre-LayerNorm
as in GPT-2 and ViT): multi-head attention with one ``qkv`` Linear, an MLP
of ``fc1`` -> GELU -> ``fc2``, and the block around them.

What pruning reads (mabbench.pruning.groups): an attention module offers its
heads through ``num_heads``, ``qkv``, ``proj`` and ``heads``, an identity
whose output (B, T, heads, head_dim) is where a head is masked: zeroing a
head's slice of ``proj``'s input equals removing its q, k, v rows and those
``proj`` columns (attention mixes tokens, never heads). ``fc1``'s neurons are
arms (GELU(0) = 0). The residual stream is not: LayerNorm's statistics see
every channel, so masking one is not removing it.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.models.residual import add_branch


class Attention(nn.Module):
    """(B, T, dim) -> (B, T, dim). ``causal``: token t attends to tokens <= t.
    The scores are plain matmuls (not a fused kernel) so FLOP counters see
    attention's per-token cost, and the result is the same on every device."""

    def __init__(self, dim: int, num_heads: int, causal: bool, max_len: int) -> None:
        super().__init__()
        if num_heads < 1 or dim % num_heads:
            raise ConfigError(f"model.heads={num_heads} must divide model.dim={dim}")
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.heads = nn.Identity()  # mask point of the heads (B, T, heads, head_dim)
        self.proj = nn.Linear(dim, dim)
        self.causal = causal
        future = torch.triu(torch.ones(max_len, max_len, dtype=torch.bool), diagonal=1)
        self.register_buffer("future", future, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows, tokens, _ = x.shape
        qkv = self.qkv(x).view(rows, tokens, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, heads, T, head_dim)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if self.causal:
            scores = scores.masked_fill(self.future[:tokens, :tokens], float("-inf"))
        out = self.heads((scores.softmax(dim=-1) @ v).transpose(1, 2))
        # rows from ``out``: a round may have replicated it at the heads (k + 1 copies)
        return self.proj(out.reshape(out.shape[0], tokens, self.num_heads * self.head_dim))


class MLP(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """x + attention(LN(x)), then + MLP(LN(.))."""

    def __init__(self, dim: int, num_heads: int, mlp: int, causal: bool, max_len: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, num_heads, causal, max_len)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, mlp)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = add_branch(x, self.attn(self.ln1(x)))  # a round may fan out inside a branch
        return add_branch(x, self.mlp(self.ln2(x)))


def blocks(depth: int, dim: int, heads: int, mlp: int, causal: bool, max_len: int
           ) -> nn.Sequential:
    return nn.Sequential(*(Block(dim, heads, mlp, causal, max_len) for _ in range(depth)))


def init_weights(module: nn.Module) -> None:
    """GPT-2's initialisation: N(0, 0.02) weights, zero biases (``model.apply``)."""
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)
