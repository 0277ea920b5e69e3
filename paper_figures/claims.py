"""The claims table: each claim of the paper's abstract (PROTOCOL.md), the statistic that
tests it on our results, its p-value, and a verdict decided by fixed rules stated here.

Verdict rules (alpha = --alpha):
- "best mean rank" claims: reproduced when the claimed method(s) rank best among the
  bandit policies and the Friedman test over those policies is significant; not
  reproduced when a policy ranks better and Nemenyi says so significantly; otherwise
  inconclusive (too few datasets to tell the methods apart).
- "beats" claims: paired one-sided Wilcoxon signed-rank over datasets: reproduced when
  p(greater) < alpha, not reproduced when p(less) < alpha, otherwise inconclusive.
- anything whose methods or datasets are missing: inconclusive, saying what is missing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from paper_figures.inputs import POINTS, Inputs
from paper_figures.rank_tables import RANK_TABLES, score_matrix
from paper_figures.render import fmt, fmt_p, write_table
from paper_figures.stats import rank_test, wilcoxon_greater

NAME = "claims"
REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = "reproduced", "not reproduced", "inconclusive"
UNPRUNED, MAGNITUDE, GREEDY = "none", "magnitude", "greedy"


@dataclass
class Verdict:
    test: str
    statistic: str
    p_value: float
    verdict: str


def scores_for(inputs: Inputs, table: str) -> tuple[pd.DataFrame, dict]:
    return score_matrix(inputs, RANK_TABLES[table], table)


def bandits(scores: pd.DataFrame, kinds: dict) -> pd.DataFrame:
    return scores[[m for m in scores.columns if kinds.get(m) == "bandit"]]


def best_among_policies(claimed: tuple[str, ...]) -> Callable[[pd.DataFrame, dict, float], Verdict]:
    """The claimed policies hold the top len(claimed) mean ranks among bandit policies."""
    def evaluate(scores: pd.DataFrame, kinds: dict, alpha: float) -> Verdict:
        policies = bandits(scores, kinds)
        name = "Friedman over bandit policies, Nemenyi post-hoc"
        missing = [c for c in claimed if c not in policies.columns]
        if missing or policies.shape[0] < 2 or policies.shape[1] <= len(claimed):
            why = (f"missing {', '.join(missing)}" if missing else
                   f"{policies.shape[0]} datasets x {policies.shape[1]} policies")
            return Verdict(name, f"cannot test ({why})", np.nan, INCONCLUSIVE)
        test = rank_test(policies, alpha)
        order = list(test.mean_ranks.index)
        top = order[:len(claimed)]
        listed = order[:len(claimed) + 2] + [c for c in claimed if c not in order[:len(claimed) + 2]]
        shown = ", ".join(f"{m} {test.mean_ranks[m]:.2f}" for m in listed)  # claimed ones always
        statistic = (f"mean ranks (1 = best, {test.n_blocks} datasets, {test.n_methods} "
                     f"policies): {shown}; chi2 = {fmt(test.chi2, 2)}")
        if set(top) == set(claimed):
            verdict = REPRODUCED if test.p_value < alpha else INCONCLUSIVE
            return Verdict(name, statistic, test.p_value, verdict)
        beaten = any(test.nemenyi is not None and test.nemenyi.loc[better, c] < alpha
                     for c in claimed for better in order[:order.index(c)])
        return Verdict(name, statistic, test.p_value, NOT_REPRODUCED if beaten else INCONCLUSIVE)
    return evaluate


def beats(method: str, other: str) -> Callable[[pd.DataFrame, dict, float], Verdict]:
    def evaluate(scores: pd.DataFrame, kinds: dict, alpha: float) -> Verdict:
        name = f"paired one-sided Wilcoxon signed-rank over datasets, {method} > {other}"
        if method not in scores or other not in scores or len(scores) < 1:
            missing = [m for m in (method, other) if m not in scores]
            return Verdict(name, f"cannot test (missing {', '.join(missing) or 'datasets'})",
                           np.nan, INCONCLUSIVE)
        mean_diff, p_greater, p_less = wilcoxon_greater(scores[method], scores[other])
        wins = int((scores[method] > scores[other]).sum())
        statistic = (f"mean difference {fmt(mean_diff)}; {method} better on {wins} of "
                     f"{len(scores)} datasets")
        if p_greater < alpha:
            verdict = REPRODUCED
        elif p_less < alpha:
            verdict = NOT_REPRODUCED
        else:
            verdict = INCONCLUSIVE
        return Verdict(name, statistic, p_greater, verdict)
    return evaluate


def competitive_with_references(method: str) -> Callable[[pd.DataFrame, dict, float], Verdict]:
    """Competitive = mean rank no worse than the median comparator's and not significantly
    worse than the best comparator (Friedman + Nemenyi over the method and comparators).
    When the critical difference exceeds the largest possible rank gap (k - 1), no pair
    could ever differ significantly, so "not significantly worse" says nothing: inconclusive."""
    def evaluate(scores: pd.DataFrame, kinds: dict, alpha: float) -> Verdict:
        name = "Friedman over the method and the classical comparators, Nemenyi post-hoc"
        references = [m for m in scores.columns if kinds.get(m) == "reference"]
        if method not in scores or len(references) < 2 or len(scores) < 2:
            return Verdict(name, f"cannot test ({len(scores)} datasets, {len(references)} "
                           f"comparators, {method} {'present' if method in scores else 'missing'})",
                           np.nan, INCONCLUSIVE)
        test = rank_test(scores[[method, *references]], alpha)
        ranks = test.mean_ranks
        best = min(references, key=lambda m: (ranks[m], m))
        median = float(np.median([ranks[m] for m in references]))
        p_best = np.nan if test.nemenyi is None else float(test.nemenyi.loc[method, best])
        statistic = (f"{method} mean rank {ranks[method]:.2f}; best comparator {best} "
                     f"{ranks[best]:.2f}; median comparator {median:.2f}; "
                     f"Nemenyi p({method}, {best}) = {fmt_p(p_best)}; CD = "
                     f"{fmt(test.critical_difference, 2)} (N = {test.n_blocks})")
        worse_than_best = ranks[method] > ranks[best] and p_best < alpha
        if worse_than_best:
            verdict = NOT_REPRODUCED
        elif not test.critical_difference < test.n_methods - 1:
            verdict = INCONCLUSIVE
        elif ranks[method] <= median:
            verdict = REPRODUCED
        else:
            verdict = INCONCLUSIVE
        return Verdict(name, statistic, p_best, verdict)
    return evaluate


def several_beat_baselines(baselines: tuple[str, ...], at_least: int = 2):
    """At least ``at_least`` bandit policies rank better than each baseline, Nemenyi p < alpha."""
    def evaluate(scores: pd.DataFrame, kinds: dict, alpha: float) -> Verdict:
        name = "Friedman over all methods, Nemenyi post-hoc: policies better than each baseline"
        policies = [m for m in scores.columns if kinds.get(m) == "bandit"]
        missing = [b for b in baselines if b not in scores]
        if missing or not policies or len(scores) < 2:
            return Verdict(name, f"cannot test (missing {', '.join(missing) or 'data'}; "
                           f"{len(scores)} datasets)", np.nan, INCONCLUSIVE)
        test = rank_test(scores[[*policies, *baselines]], alpha)
        if test.nemenyi is None:
            return Verdict(name, "cannot test (Friedman not computable)", np.nan, INCONCLUSIVE)
        counts = {b: sum(test.mean_ranks[p] < test.mean_ranks[b] and test.nemenyi.loc[p, b] < alpha
                         for p in policies) for b in baselines}
        statistic = "; ".join(f"{n} of {len(policies)} policies significantly beat {b}"
                              for b, n in counts.items())
        if all(n >= at_least for n in counts.values()):
            verdict = REPRODUCED
        else:
            verdict = NOT_REPRODUCED if test.p_value < alpha else INCONCLUSIVE
        return Verdict(name, statistic + f"; chi2 = {fmt(test.chi2, 2)}", test.p_value, verdict)
    return evaluate


# (claim as the abstract states it, the rank table whose data tests it, the test)
CLAIMS = [
    ("Tabular: UCB1 has the best mean rank among pruning policies", "rank_tabular_accuracy",
     best_among_policies(("ucb1",))),
    ("Tabular: UCB1 beats the unpruned network", "rank_tabular_accuracy",
     beats("ucb1", UNPRUNED)),
    ("Regression: UCB1 has the best mean rank (R^2) among pruning policies",
     "rank_regression_r2", best_among_policies(("ucb1",))),
    ("Regression: UCB1 is competitive with standard regressors by R^2", "rank_regression_r2",
     competitive_with_references("ucb1")),
    ("Deep learning: UCB1 and Thompson Sampling rank best", "rank_deep_learning",
     best_among_policies(("ucb1", "thompson"))),
    (("Deep learning: several policies significantly beat the unpruned model, magnitude "
      "pruning and greedy activation-variation pruning"), "rank_deep_learning",
     several_beat_baselines((UNPRUNED, MAGNITUDE, GREEDY))),
]


def make(inputs: Inputs) -> list[Path]:
    rows = []
    for number, (claim, table, evaluate) in enumerate(CLAIMS, start=1):
        scores, kinds = scores_for(inputs, table)
        if scores.size == 0:
            verdict = Verdict("-", f"no records for {table}", np.nan, INCONCLUSIVE)
        else:
            verdict = evaluate(scores, kinds, inputs.alpha)
        rows.append([str(number), claim, verdict.test, verdict.statistic, fmt_p(verdict.p_value),
                     verdict.verdict])
    caption = (f"Each claim of the paper's abstract tested on these results (test metric at "
               f"{POINTS[inputs.point]}, mean over seeds per dataset, alpha = {inputs.alpha:g}). "
               f"Verdict rules: paper_figures/claims.py.")
    return write_table(inputs.out, "claims", "Claims of the paper and whether they reproduce",
                       caption, ["#", "claim", "test", "statistic", "p", "verdict"], rows)
