"""End-to-end Memory Network (Sukhbaatar, Szlam, Weston & Fergus 2015) for bAbI.

Sentences are bags of word embeddings weighted by position encoding (PE), plus
a learned temporal encoding per memory slot. Each of ``hops`` hops attends
over the memories with the controller state u, reads o = sum_i p_i c_i and
sets u <- u + o. Embeddings are tied "adjacent" as in the paper: the output
embedding of hop k is the input embedding of hop k + 1, and the query uses
the first input embedding.

The answer module is ``answer_hidden`` (Linear -> ReLU) then ``out``. Its
hidden neurons are the arms: everything after them consumes only their output
(no skip connection around them), so masking one equals removing it and the
batched pulls stay exact. (The original maps u straight to the answer with
one matrix; the hidden layer is the one place a unit can be removed without
touching the tied embeddings.)
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

EMPTY_SLOT = -1e9  # attention logit of a padded memory slot


def position_encoding(sentence_length: int, dim: int) -> torch.Tensor:
    """(L, d) weights l_kj = (1 - j/J) - (k/d)(1 - 2j/J), 1-based j, k (paper, section 4.1)."""
    j = torch.arange(1, sentence_length + 1, dtype=torch.float32)[:, None]
    k = torch.arange(1, dim + 1, dtype=torch.float32)[None, :]
    big_j = float(sentence_length)
    return (1 - j / big_j) - (k / dim) * (1 - 2 * j / big_j)


class MemN2N(nn.Module):
    """Inputs: story (B, M, L) and query (B, L) int64 word ids (0 = padding);
    output (B, n_outputs) logits over the answers."""

    def __init__(self, n_outputs: int, info: dict[str, Any], embedding_dim: int = 32,
                 hops: int = 3, hidden: int = 64, name: str = "memnet") -> None:
        super().__init__()
        vocab, memory = int(info["vocab_size"]), int(info["memory_size"])
        length = int(info["sentence_length"])
        self.hops = hops
        # embeddings[k]: input memory embedding of hop k and output embedding of hop k-1
        self.embeddings = nn.ModuleList(
            nn.Embedding(vocab, embedding_dim, padding_idx=0) for _ in range(hops + 1))
        # temporal[k].weight[i]: the learned vector of memory slot i (i = 0: latest statement)
        self.temporal = nn.ModuleList(nn.Embedding(memory, embedding_dim) for _ in range(hops + 1))
        self.register_buffer("encoding", position_encoding(length, embedding_dim))
        for embedding in (*self.embeddings, *self.temporal):
            nn.init.normal_(embedding.weight, std=0.1)
        with torch.no_grad():
            for embedding in self.embeddings:
                embedding.weight[0].zero_()  # padding words add nothing
        self.answer_hidden = nn.Linear(embedding_dim, hidden)
        self.answer_act = nn.ReLU()
        self.out = nn.Linear(hidden, n_outputs)
        self.prunable = ("answer_hidden",)

    def _memories(self, story: torch.Tensor, hop: int) -> torch.Tensor:
        """(B, M, L) ids -> (B, M, d) sentence vectors of embedding ``hop``."""
        words = self.embeddings[hop](story) * self.encoding  # (B, M, L, d)
        return words.sum(dim=2) + self.temporal[hop].weight

    def forward(self, story: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
        empty = (story == 0).all(dim=2)  # (B, M)
        u = (self.embeddings[0](query) * self.encoding).sum(dim=1)  # (B, d)
        for hop in range(self.hops):
            keys, values = self._memories(story, hop), self._memories(story, hop + 1)
            logits = torch.einsum("bmd,bd->bm", keys, u).masked_fill(empty, EMPTY_SLOT)
            attention = torch.softmax(logits, dim=1)
            u = u + torch.einsum("bm,bmd->bd", attention, values)
        return self.out(self.answer_act(self.answer_hidden(u)))
