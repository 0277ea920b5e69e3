"""One rule for every claim, four outcomes per comparison, four verdicts per claim.

A claim is made of requirements; a requirement lists comparisons "A is better than B"
(optionally "A is not worse than B by more than ``margin``": non-inferiority) and how many
of them must hold. Each comparison, over datasets (paired), gets one outcome:

- better: Holm-corrected one-sided Wilcoxon signed-rank significant in the claimed direction;
- worse: significant against it (``within_rope`` flags a worse one whose difference is
  practically nil: Bayesian P(equivalent) >= ``EQUIVALENCE``);
- equivalent: neither, and practically equivalent: Bayesian signed-rank P(within ROPE)
  >= ``EQUIVALENCE`` (Benavoli et al. 2017), or Holm-corrected two one-sided tests at
  +-ROPE significant;
- undecided: none of these.

The claim is *reproduced* when every requirement has ``at_least`` better comparisons;
*contradicted* when some requirement has more worse comparisons than it can spare;
*practically equivalent* when some requirement can no longer be met because its
equivalent and worse comparisons leave too few to be better (the claimed advantage is
decided absent, within the ROPE); *undecided* otherwise. Holm runs over all of a claim's
comparisons, once per direction and once for the equivalence tests.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paper_figures.stats import holm

BETTER, EQUIVALENT, WORSE, UNDECIDED = "better", "equivalent", "worse", "undecided"
OUTCOMES = (BETTER, EQUIVALENT, WORSE, UNDECIDED)
REPRODUCED, CONTRADICTED = "reproduced", "contradicted"
PRACTICALLY_EQUIVALENT, UNDECIDED_CLAIM = "practically equivalent", "undecided"
# Posterior mass inside the ROPE that counts as a decision (Benavoli et al. 2017).
EQUIVALENCE = 0.95


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


def outcomes(p_for: np.ndarray, p_against: np.ndarray, p_equivalent: np.ndarray,
             posterior_equivalent: np.ndarray, alpha: float) -> np.ndarray:
    """One outcome per comparison from raw one-sided p-values (claimed direction, against
    it, two one-sided equivalence tests; NaN = untestable) and the Bayesian P(equivalent)
    (NaN = not computed); Holm over the comparisons given, per family."""
    better = holm(p_for) < alpha
    worse = (holm(p_against) < alpha) & ~better
    bayes = np.nan_to_num(np.asarray(posterior_equivalent, float), nan=0.0) >= EQUIVALENCE
    equivalent = (bayes | (holm(p_equivalent) < alpha)) & ~better & ~worse
    return np.where(better, BETTER, np.where(worse, WORSE,
                                             np.where(equivalent, EQUIVALENT, UNDECIDED)))


def claim_verdict(found: np.ndarray, requirements: tuple[Requirement, ...]) -> str:
    """The claim's verdict from its comparisons' outcomes (``flatten`` order)."""
    _, groups = flatten(requirements)
    found = np.asarray(found)
    met, contradicted, settled = True, False, False
    for group, requirement in zip(groups, requirements):
        spare = len(group) - requirement.at_least  # comparisons that may fail
        met &= bool((found[group] == BETTER).sum() >= requirement.at_least)
        contradicted |= bool((found[group] == WORSE).sum() > spare)
        settled |= bool(np.isin(found[group], (WORSE, EQUIVALENT)).sum() > spare)
    if contradicted:
        return CONTRADICTED
    if met:
        return REPRODUCED
    return PRACTICALLY_EQUIVALENT if settled else UNDECIDED_CLAIM
