"""The exact Wilcoxon signed-rank test, vectorised over many paired samples at once.

The Monte Carlo power estimates (paper_figures/power.py) run the same test as the
claims table thousands of times; ``scipy.stats.wilcoxon`` per sample would take
minutes. For continuous differences (no zeros, no ties: what the simulation draws)
the one-sided p-value is read from the exact null distribution of W+, the sum of the
ranks of the positive differences, which equals scipy's ``method="exact"``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def null_tail(n: int) -> np.ndarray:
    """``tail[w] = P(W+ >= w)`` under H0 for ``n`` non-zero, untied differences,
    w = 0 .. n(n+1)/2: each rank is positive with probability 1/2 independently, so
    the counts of W+ are the subset-sum counts of {1..n}."""
    top = n * (n + 1) // 2
    counts = np.zeros(top + 1, dtype=np.float64)
    counts[0] = 1.0
    for rank in range(1, n + 1):
        counts[rank:] = counts[rank:] + counts[:-rank].copy()
    probabilities = counts / 2.0 ** n
    return np.cumsum(probabilities[::-1])[::-1]


def w_plus(differences: np.ndarray) -> np.ndarray:
    """W+ of each row of ``differences`` (samples x n), ranks of |d| from 1."""
    ranks = np.argsort(np.argsort(np.abs(differences), axis=-1), axis=-1) + 1
    return np.where(differences > 0, ranks, 0).sum(axis=-1)


def p_greater(differences: np.ndarray) -> np.ndarray:
    """One-sided exact p of median difference > 0, per row (samples x n, n >= 1)."""
    n = differences.shape[-1]
    return null_tail(n)[w_plus(differences)]


def p_less(differences: np.ndarray) -> np.ndarray:
    """One-sided exact p of median difference < 0, per row."""
    return p_greater(-differences)
