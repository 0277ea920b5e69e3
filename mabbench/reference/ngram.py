"""An interpolated bigram language model (Jelinek & Mercer 1980): the simple
comparator of a next-token row.

    P(w | v) = lam * c(v, w) / c(v) + (1 - lam) * P1(w),   P1 add-one unigram

Counts from the train windows only; ``lam`` chosen on select by perplexity.
It reads the task's own windows (inputs (N, T) previous tokens, targets (N, T)
next tokens), so it predicts exactly what the network predicts.
"""
from __future__ import annotations

import torch

from mabbench.tasks.base import Split

LAMBDAS = (0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95)


def bigram_log_probs(train: Split, vocab: int, lam: float) -> torch.Tensor:
    """(vocab, vocab) table: row v = log P(. | v)."""
    previous, following = train.inputs[0].flatten(), train.targets.flatten()
    counts = torch.zeros(vocab, vocab, dtype=torch.float64)
    counts.index_put_((previous, following), torch.ones_like(previous, dtype=torch.float64),
                      accumulate=True)
    unigram = (counts.sum(dim=0) + 1.0) / (counts.sum() + vocab)
    rows = counts.sum(dim=1, keepdim=True)
    conditional = torch.where(rows > 0, counts / rows.clamp_min(1.0), unigram)
    return torch.log(lam * conditional + (1.0 - lam) * unigram)


def scores(table: torch.Tensor, data: Split) -> dict[str, float]:
    """Perplexity and next-token accuracy of ``table`` on ``data``."""
    previous, following = data.inputs[0].flatten(), data.targets.flatten()
    perplexity = torch.exp(-table[previous, following].mean()).item()
    accuracy = (table.argmax(dim=1)[previous] == following).double().mean().item()
    return {"perplexity": perplexity, "token_accuracy": accuracy}


def fit_bigram(train: Split, select: Split, vocab: int) -> tuple[float, torch.Tensor]:
    """(lam, table) with the lowest select perplexity."""
    tables = {lam: bigram_log_probs(train, vocab, lam) for lam in LAMBDAS}
    best = min(tables, key=lambda lam: scores(tables[lam], select)["perplexity"])
    return best, tables[best]
