"""Paired tests over datasets on real data (scipy's Wilcoxon signed-rank, zero
differences split): one-sided in each direction, and the two one-sided tests (TOST)
of equivalence within +-ROPE."""
from __future__ import annotations

import numpy as np
from scipy import stats

# scipy's "auto" method runs a permutation test over every sign flip for at most this
# many differences with ties or zeros (2**13 < its 9,999 resamples, so it is exact)
EXACT_FLIPS_UP_TO = 13


def _wilcoxon(difference: np.ndarray, alternative: str) -> float:
    if len(difference) == 0 or np.all(difference == 0):
        return np.nan
    magnitudes = np.abs(difference)
    tied = (magnitudes == 0).any() or len(np.unique(magnitudes)) < len(magnitudes)
    if tied and len(difference) <= EXACT_FLIPS_UP_TO:
        return _every_sign_flip(difference, alternative)
    return float(stats.wilcoxon(difference, alternative=alternative,
                                zero_method="zsplit").pvalue)


def _every_sign_flip(difference: np.ndarray, alternative: str) -> float:
    """scipy's exact permutation p-value for few tied or zero differences, with every
    sign flip as one matrix product instead of one Python call per flip (the deep
    claims' rows run thousands of these). W+ sums the ranks of |d| (ties averaged) of
    the positive differences, half the rank of each zero (zsplit); its null takes all
    2**n sign patterns. The observed W+ is compared with scipy's relative tolerance."""
    ranks = stats.rankdata(np.abs(difference))
    zeros = difference == 0
    fixed = ranks[zeros].sum() / 2.0  # a zero is on both sides, whatever its sign
    free = ranks[~zeros]
    observed = free[difference[~zeros] > 0].sum() + fixed
    n = len(difference)
    patterns = (np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1  # 1 = positive
    # flipping a zero changes nothing, so each pattern of the free ranks repeats
    null = patterns[:, ~zeros].astype(np.float64) @ free + fixed
    tolerance = abs(np.finfo(np.float64).eps * 100 * observed)
    hits = null >= observed - tolerance if alternative == "greater" else (
        null <= observed + tolerance)
    return float(np.count_nonzero(hits) / 2 ** n)


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
