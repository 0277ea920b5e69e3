"""One rule for every claim: a claim is a set of directed comparisons over datasets, each
tested with a paired one-sided Wilcoxon signed-rank test, Holm-corrected over the claim.

A claim is made of requirements; a requirement lists comparisons "A is better than B"
(optionally "A is not worse than B by more than ``margin``": non-inferiority) and how many
of them must hold. With alpha the significance level:

- reproduced: every requirement has at least ``at_least`` comparisons significant in the
  claimed direction;
- contradicted: some requirement can no longer be met, because more than
  ``len(comparisons) - at_least`` of its comparisons are significant *against* the claim;
- inconclusive: neither (the power of the rule is reported beside it).

Holm's correction runs over all comparisons of the claim, once per direction. The same
``decide`` function serves the real data (scipy's signed-rank, ties handled by zsplit)
and the Monte Carlo power estimate (paper_figures/power.py, vectorised exact test).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from paper_figures.stats import holm

REPRODUCED, CONTRADICTED, INCONCLUSIVE = "reproduced", "contradicted", "inconclusive"


@dataclass(frozen=True)
class Comparison:
    """``better`` is claimed better than ``worse`` (by more than ``-margin``: a positive
    margin turns it into non-inferiority)."""

    better: str
    worse: str
    margin: float = 0.0


@dataclass(frozen=True)
class Requirement:
    comparisons: tuple[Comparison, ...]
    at_least: int


def flatten(requirements: tuple[Requirement, ...]) -> tuple[list[Comparison], list[np.ndarray]]:
    """All comparisons of a claim in order, and each requirement's indices into them."""
    comparisons, groups = [], []
    for requirement in requirements:
        start = len(comparisons)
        comparisons += list(requirement.comparisons)
        groups.append(np.arange(start, len(comparisons)))
    return comparisons, groups


def decide(p_for: np.ndarray, p_against: np.ndarray, requirements: tuple[Requirement, ...],
           alpha: float) -> np.ndarray:
    """Verdicts for raw one-sided p-values of shape (..., m), m = all comparisons of the
    claim in ``flatten`` order; returns an array of verdict strings of shape (...)."""
    _, groups = flatten(requirements)
    significant_for = holm(p_for) < alpha
    significant_against = holm(p_against) < alpha
    met = np.ones(significant_for.shape[:-1], dtype=bool)
    impossible = np.zeros_like(met)
    for group, requirement in zip(groups, requirements):
        met &= significant_for[..., group].sum(axis=-1) >= requirement.at_least
        impossible |= (significant_against[..., group].sum(axis=-1)
                       > len(group) - requirement.at_least)
    return np.where(impossible, CONTRADICTED, np.where(met, REPRODUCED, INCONCLUSIVE))


def paired_p(difference: np.ndarray) -> tuple[float, float]:
    """(p for median > 0, p for median < 0) of paired differences; NaN when all are 0."""
    difference = np.asarray(difference, dtype=np.float64)
    if len(difference) == 0 or np.all(difference == 0):
        return np.nan, np.nan
    greater = stats.wilcoxon(difference, alternative="greater", zero_method="zsplit").pvalue
    less = stats.wilcoxon(difference, alternative="less", zero_method="zsplit").pvalue
    return float(greater), float(less)


@dataclass
class Tested:
    """The comparisons of one claim on real data: raw and Holm-adjusted p per direction."""

    comparisons: list[Comparison]
    p_for: np.ndarray
    p_against: np.ndarray
    verdict: str

    @property
    def holm_for(self) -> np.ndarray:
        return holm(self.p_for)

    @property
    def holm_against(self) -> np.ndarray:
        return holm(self.p_against)

    def weakest(self) -> Comparison:
        """The comparison furthest from significance in the claimed direction."""
        return self.comparisons[int(np.argmax(np.nan_to_num(self.holm_for, nan=1.0)))]


def evaluate_claim(scores: pd.DataFrame, requirements: tuple[Requirement, ...],
               alpha: float) -> Tested:
    """``scores``: datasets x methods, higher is better."""
    comparisons, _ = flatten(requirements)
    pairs = [paired_p(scores[c.better].to_numpy() - scores[c.worse].to_numpy() + c.margin)
             for c in comparisons]
    p_for = np.array([p for p, _ in pairs])
    p_against = np.array([p for _, p in pairs])
    return Tested(comparisons, p_for, p_against,
                  str(decide(p_for, p_against, requirements, alpha)))
