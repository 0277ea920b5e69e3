"""Mean ranks, Friedman test, Nemenyi post-hoc and critical difference (Demsar 2006)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scikit_posthocs as sp
from scipy import stats


@dataclass
class RankTest:
    """``scores``: blocks x methods (higher is better); ``ranks``: same shape, 1 = best,
    ties averaged; ``mean_ranks``: per method, ascending; ``nemenyi``: methods x methods
    p-values (None when the test cannot run)."""

    scores: pd.DataFrame
    ranks: pd.DataFrame
    mean_ranks: pd.Series
    chi2: float
    p_value: float
    critical_difference: float
    nemenyi: pd.DataFrame | None

    @property
    def n_blocks(self) -> int:
        return self.scores.shape[0]

    @property
    def n_methods(self) -> int:
        return self.scores.shape[1]


def critical_difference(n_methods: int, n_blocks: int, alpha: float) -> float:
    """Nemenyi CD = q_alpha sqrt(k (k + 1) / (6 N)), q_alpha the studentized range / sqrt 2."""
    if n_methods < 2 or n_blocks < 1:
        return math.nan
    q_alpha = stats.studentized_range.ppf(1 - alpha, n_methods, np.inf) / math.sqrt(2)
    return float(q_alpha * math.sqrt(n_methods * (n_methods + 1) / (6 * n_blocks)))


def rank_test(scores: pd.DataFrame, alpha: float) -> RankTest:
    """Friedman over blocks (rows) then Nemenyi; needs >= 2 blocks and >= 3 methods."""
    ranks = scores.rank(axis=1, ascending=False, method="average")
    mean_ranks = ranks.mean(axis=0)
    mean_ranks = mean_ranks.iloc[np.lexsort((mean_ranks.index.to_numpy(), mean_ranks.to_numpy()))]
    chi2, p_value, nemenyi = math.nan, math.nan, None
    if scores.shape[0] >= 2 and scores.shape[1] >= 3:
        chi2, p_value = stats.friedmanchisquare(*(scores[c].to_numpy() for c in scores.columns))
        chi2, p_value = float(chi2), float(p_value)
        if math.isfinite(chi2):
            nemenyi = sp.posthoc_nemenyi_friedman(scores.to_numpy())
            nemenyi.index = nemenyi.columns = scores.columns
    cd = critical_difference(scores.shape[1], scores.shape[0], alpha)
    return RankTest(scores, ranks, mean_ranks, chi2, p_value, cd, nemenyi)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment over the last axis (family = that axis): sort
    ascending, multiply the i-th smallest by (m - i), carry the running maximum, cap
    at 1. NaN (an untestable comparison) is treated as 1."""
    p = np.nan_to_num(np.asarray(p_values, dtype=np.float64), nan=1.0)
    m = p.shape[-1]
    if m == 0:
        return p
    order = np.argsort(p, axis=-1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=-1) * (m - np.arange(m))
    ranked = np.minimum(np.maximum.accumulate(ranked, axis=-1), 1.0)
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, ranked, axis=-1)
    return adjusted
