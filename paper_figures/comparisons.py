"""A claim's comparisons on real data: per comparison the paired differences, the raw
and Holm-adjusted p-values, the Bayesian posterior and the four-way outcome
(paper_figures/verdicts.py); the claim's verdict and its truly weakest comparison."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from paper_figures.bayes import Posterior, signed_rank
from paper_figures.paired_tests import paired_p, tost_p
from paper_figures.stats import holm
from paper_figures.verdicts import (
    EQUIVALENCE,
    OUTCOMES,
    WORSE,
    Comparison,
    Requirement,
    claim_verdict,
    flatten,
    outcomes,
)


@dataclass
class Tested:
    """``differences[i]``: datasets-long array of (better - worse + margin) of comparison i,
    in metric units, oriented so that positive is the claimed direction."""

    comparisons: list[Comparison]
    differences: list[np.ndarray]
    p_for: np.ndarray
    p_against: np.ndarray
    p_equivalent: np.ndarray
    outcomes: np.ndarray
    verdict: str
    scores: pd.DataFrame
    rope: float
    # Bayesian posteriors by comparison index, computed only where a decision or a table
    # cell needs one (baycomp takes ~70 ms a call; the table makes ~1,000 comparisons)
    known: dict[int, Posterior] = field(default_factory=dict)

    def posterior(self, index: int) -> Posterior:
        if index not in self.known:
            c = self.comparisons[index]
            self.known[index] = signed_rank(self.scores[c.better].to_numpy(float),
                                            self.scores[c.worse].to_numpy(float), self.rope)
        return self.known[index]

    @property
    def holm_for(self) -> np.ndarray:
        return holm(self.p_for)

    @property
    def holm_against(self) -> np.ndarray:
        return holm(self.p_against)

    def counts(self) -> dict[str, int]:
        return {o: int((self.outcomes == o).sum()) for o in OUTCOMES}

    def within_rope(self, index: int) -> bool:
        """A worse comparison whose difference is practically nil."""
        return (self.outcomes[index] == WORSE
                and np.nan_to_num(self.posterior(index).equivalent) >= EQUIVALENCE)

    def weakest(self) -> int:
        """Index of the comparison furthest from significance in the claimed direction:
        the largest raw p (untestable counts as 1), ties broken by the smaller mean
        difference, then by order."""
        raw = np.nan_to_num(self.p_for, nan=1.0)
        means = np.array([d.mean() if len(d) else 0.0 for d in self.differences])
        return int(np.lexsort((np.arange(len(raw)), means, -raw))[0])


def evaluate(scores: pd.DataFrame, requirements: tuple[Requirement, ...], rope: float,
             alpha: float) -> Tested:
    """``scores``: datasets x methods, higher is better, in metric units."""
    comparisons, _ = flatten(requirements)
    differences = [scores[c.better].to_numpy(float) - scores[c.worse].to_numpy(float) + c.margin
                   for c in comparisons]
    pairs = [paired_p(d) for d in differences]
    p_for = np.array([p for p, _ in pairs], dtype=float)
    p_against = np.array([p for _, p in pairs], dtype=float)
    # equivalence is about the raw difference, not the margin-shifted one
    raw = [d - c.margin for d, c in zip(differences, comparisons)]
    p_equivalent = np.array([tost_p(d, rope) for d in raw], dtype=float)
    tested = Tested(comparisons, differences, p_for, p_against, p_equivalent,
                    np.array([]), "", scores, rope)
    # The posterior decides only comparisons neither significant nor TOST-equivalent;
    # skipping the rest gives the same outcomes (outcomes() ORs the two equivalence tests).
    undecided_so_far = ~(holm(p_for) < alpha) & ~(holm(p_against) < alpha) & ~(
        holm(p_equivalent) < alpha)
    bayes = np.array([tested.posterior(i).equivalent if undecided_so_far[i] else np.nan
                      for i in range(len(comparisons))], dtype=float)
    tested.outcomes = outcomes(p_for, p_against, p_equivalent, bayes, alpha)
    tested.verdict = claim_verdict(tested.outcomes, requirements)
    return tested
