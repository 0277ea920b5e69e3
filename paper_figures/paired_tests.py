"""Paired tests over datasets on real data (scipy's Wilcoxon signed-rank, zero
differences split): one-sided in each direction, and the two one-sided tests (TOST)
of equivalence within +-ROPE."""
from __future__ import annotations

import numpy as np
from scipy import stats


def _wilcoxon(difference: np.ndarray, alternative: str) -> float:
    if len(difference) == 0 or np.all(difference == 0):
        return np.nan
    return float(stats.wilcoxon(difference, alternative=alternative,
                                zero_method="zsplit").pvalue)


def paired_p(difference: np.ndarray) -> tuple[float, float]:
    """(p for median > 0, p for median < 0) of paired differences; NaN when all are 0."""
    difference = np.asarray(difference, dtype=np.float64)
    return _wilcoxon(difference, "greater"), _wilcoxon(difference, "less")


def tost_p(difference: np.ndarray, rope: float) -> float:
    """p of "the median difference lies inside (-rope, rope)": the larger of the one-sided
    p-values of median > -rope and median < rope (Schuirmann's two one-sided tests)."""
    difference = np.asarray(difference, dtype=np.float64)
    if len(difference) == 0:
        return np.nan
    above = _wilcoxon(difference + rope, "greater")
    below = _wilcoxon(difference - rope, "less")
    return float(max(np.nan_to_num(above, nan=1.0), np.nan_to_num(below, nan=1.0)))
