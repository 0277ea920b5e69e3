"""Text classifiers over (B, max_len) token ids (0 = padding).

- ``EmbeddingBagMLP``: mean of word embeddings -> hidden Linear(s) -> logits.
- ``TextCNN``: embeddings -> Conv1d -> ReLU -> max over time -> Linear -> logits.
- ``LSTMClassifier``: embeddings -> LSTM -> last hidden state -> Linear -> logits.

Arms are the output units of the layers named in ``prunable``. Each is followed
only by ReLU / max-pool (zero at zero) and its output reaches the rest of the
network through nothing else (no skip connection), so masking a unit equals
removing it, and the pull engine's batched replication stays exact.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from mabbench.tasks.text import PAD


class EmbeddingBagMLP(nn.Module):
    """(B, L) ids -> mean embedding (B, embed_dim) -> hidden0.. (ReLU) -> (B, n_outputs)."""

    def __init__(self, n_outputs: int, info: dict[str, Any], embed_dim: int = 64,
                 hidden: list[int] = (64,), name: str = "embedding_bag") -> None:
        super().__init__()
        # padding_idx entries are left out of the mean (PyTorch's EmbeddingBag rule).
        self.embed = nn.EmbeddingBag(int(info["vocab_size"]), embed_dim, mode="mean",
                                     padding_idx=PAD)
        widths = [embed_dim, *hidden]
        self.prunable = tuple(f"hidden{i}" for i in range(len(hidden)))
        for i, (w_in, w_out) in enumerate(zip(widths, widths[1:])):
            self.add_module(f"hidden{i}", nn.Linear(w_in, w_out))
            self.add_module(f"act{i}", nn.ReLU())
        self.out = nn.Linear(widths[-1], n_outputs)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids)
        for i in range(len(self.prunable)):
            x = getattr(self, f"act{i}")(getattr(self, f"hidden{i}")(x))
        return self.out(x)


class TextCNN(nn.Module):
    """(B, L) ids -> (B, embed_dim, L) -> conv (B, channels, L') -> max over time
    (B, channels) -> fc (B, hidden) -> (B, n_outputs). Arms: conv channels, fc units."""

    def __init__(self, n_outputs: int, info: dict[str, Any], embed_dim: int = 64,
                 channels: int = 64, kernel_size: int = 5, hidden: int = 64,
                 name: str = "text_cnn") -> None:
        super().__init__()
        self.embed = nn.Embedding(int(info["vocab_size"]), embed_dim, padding_idx=PAD)
        self.conv = nn.Conv1d(embed_dim, channels, kernel_size, padding=kernel_size // 2)
        self.act_conv = nn.ReLU()
        self.pool = nn.AdaptiveMaxPool1d(1)
        self.fc = nn.Linear(channels, hidden)
        self.act_fc = nn.ReLU()
        self.out = nn.Linear(hidden, n_outputs)
        self.prunable = ("conv", "fc")

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids).transpose(1, 2)
        x = self.pool(self.act_conv(self.conv(x))).flatten(1)
        return self.out(self.act_fc(self.fc(x)))


class LSTMClassifier(nn.Module):
    """(B, L) ids -> LSTM over the unpadded tokens -> last hidden state (B, lstm)
    -> fc (B, hidden) -> (B, n_outputs). Arms: fc units (the LSTM is kept whole)."""

    def __init__(self, n_outputs: int, info: dict[str, Any], embed_dim: int = 64,
                 lstm: int = 64, hidden: int = 64, name: str = "lstm") -> None:
        super().__init__()
        self.embed = nn.Embedding(int(info["vocab_size"]), embed_dim, padding_idx=PAD)
        self.lstm = nn.LSTM(embed_dim, lstm, batch_first=True)
        self.fc = nn.Linear(lstm, hidden)
        self.act_fc = nn.ReLU()
        self.out = nn.Linear(hidden, n_outputs)
        self.prunable = ("fc",)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        lengths = (ids != PAD).sum(dim=1).clamp_min(1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(ids), lengths, batch_first=True,
                                                   enforce_sorted=False)
        _, (last, _) = self.lstm(packed)
        return self.out(self.act_fc(self.fc(last[-1])))
