"""The claims table: each claim of the paper's abstract (PROTOCOL.md) tested on our
results, once on the paper's six policies (as the paper did) and once on all methods.

Every verdict comes from one rule (paper_figures/verdicts.py): Holm-corrected one-sided
Wilcoxon signed-rank tests of the comparisons the claim makes; *reproduced* when they are
significant in the claimed direction, *contradicted* when significant against it,
*inconclusive* otherwise. Beside each verdict: N (datasets), k (methods in the pool),
Friedman + Nemenyi with its critical difference (the paper's analysis), the Bayesian
signed-rank posterior of the weakest comparison with a stated ROPE, and the Monte Carlo
power of the rule (and of Friedman) to detect a one-rank advantage at this N and k.
Datasets of the development suite (used to choose defaults) never enter a claim.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from paper_figures.bayes import signed_rank
from paper_figures.discrimination import non_discriminating
from paper_figures.inputs import POINTS, Inputs
from paper_figures.power import claim_power
from paper_figures.rank_tables import RANK_TABLES, score_matrix
from paper_figures.render import fmt, fmt_p, write_table
from paper_figures.stats import rank_test
from paper_figures.verdicts import INCONCLUSIVE, Comparison, Requirement, evaluate_claim

NAME = "claims"
PAPER_SIX = ("epsilon_greedy", "softmax", "ucb1", "thompson", "hedge", "exp3")
PRUNING_KINDS = ("bandit", "baseline")
UNPRUNED, MAGNITUDE, GREEDY = "none", "magnitude", "greedy"
# Region of practical equivalence of the Bayesian test, in metric units: one point of
# accuracy, 0.01 of R^2 (also the non-inferiority margin of "competitive" claims).
ROPE = 0.01

# A claim's design: (methods in its pool, its requirements), or a reason it cannot be tested.
Design = tuple[list[str], tuple[Requirement, ...]] | str


def pool_methods(pool: str, scores: pd.DataFrame, kinds: dict) -> list[str]:
    """The policies a claim is judged among: the paper's six, or every pruning method."""
    if pool == "paper":
        return [m for m in PAPER_SIX if m in scores]
    return [m for m in scores.columns if kinds.get(m) in PRUNING_KINDS]


def missing(names, scores: pd.DataFrame) -> list[str]:
    return [n for n in names if n not in scores]


def best_mean_rank(claimed: tuple[str, ...]):
    """Each claimed policy beats every other policy of the pool."""
    def design(pool: list[str], scores: pd.DataFrame, kinds: dict) -> Design:
        if missing(claimed, scores) or len(pool) <= len(claimed):
            return f"missing {', '.join(missing(claimed, scores)) or 'rivals'}"
        rivals = [m for m in pool if m not in claimed]
        comparisons = tuple(Comparison(c, r) for c in claimed for r in rivals)
        return pool, (Requirement(comparisons, len(comparisons)),)
    return design


def beats(method: str, other: str):
    def design(pool: list[str], scores: pd.DataFrame, kinds: dict) -> Design:
        if missing((method, other), scores):
            return f"missing {', '.join(missing((method, other), scores))}"
        methods = [*pool, *([] if other in pool else [other])]
        return methods, (Requirement((Comparison(method, other),), 1),)
    return design


def competitive_with_references(method: str):
    """Not worse than at least half of the classical comparators by more than the ROPE."""
    def design(pool: list[str], scores: pd.DataFrame, kinds: dict) -> Design:
        references = [m for m in scores.columns if kinds.get(m) == "reference"]
        if method not in scores or len(references) < 2:
            return f"{len(references)} comparators, {method} " \
                   f"{'present' if method in scores else 'missing'}"
        comparisons = tuple(Comparison(method, r, margin=ROPE) for r in references)
        return [method, *references], (Requirement(comparisons, math.ceil(len(references) / 2)),)
    return design


def several_beat(baselines: tuple[str, ...], at_least: int = 2):
    """At least ``at_least`` policies of the pool beat each baseline."""
    def design(pool: list[str], scores: pd.DataFrame, kinds: dict) -> Design:
        policies = [m for m in pool if kinds.get(m) == "bandit" and m not in baselines]
        if missing(baselines, scores) or len(policies) < at_least:
            return f"missing {', '.join(missing(baselines, scores)) or 'policies'}"
        requirements = tuple(Requirement(tuple(Comparison(p, b) for p in policies), at_least)
                             for b in baselines)
        return [*policies, *baselines], requirements
    return design


@dataclass(frozen=True)
class Claim:
    text: str
    table: str  # the rank table whose scores test it
    design: Callable[[list[str], pd.DataFrame, dict], Design]
    pools: tuple[str, ...] = ("paper", "all")


CLAIMS = [
    Claim("Tabular: UCB1 has the best mean rank among pruning policies",
          "rank_tabular_accuracy", best_mean_rank(("ucb1",))),
    Claim("Tabular: UCB1 beats the unpruned network", "rank_tabular_accuracy",
          beats("ucb1", UNPRUNED)),
    Claim("Regression: UCB1 has the best mean rank (R^2) among pruning policies",
          "rank_regression_r2", best_mean_rank(("ucb1",))),
    Claim("Regression: UCB1 is competitive with standard regressors by R^2",
          "rank_regression_r2", competitive_with_references("ucb1"), ("comparators",)),
    Claim("Deep learning: UCB1 and Thompson Sampling rank best", "rank_deep_learning",
          best_mean_rank(("ucb1", "thompson"))),
    Claim("Deep learning: several policies significantly beat the unpruned model, magnitude "
          "pruning and greedy activation-variation pruning", "rank_deep_learning",
          several_beat((UNPRUNED, MAGNITUDE, GREEDY))),
]
POOL_LABELS = {"paper": "paper's six", "all": "all methods", "comparators": "comparators"}


def without_development_suite(scores: pd.DataFrame, inputs: Inputs) -> pd.DataFrame:
    """Drop blocks (datasets, or task/dataset/model rows) of the development suite."""
    excluded = set(inputs.claims_exclude)
    keep = [b for b in scores.index if not excluded & set(str(b).split("/"))]
    return scores.loc[keep]


def without_flat_rows(scores: pd.DataFrame, flat: set[str]) -> pd.DataFrame:
    """Drop the rows in ``flat``: deep-learning rows that rank methods by noise
    (discrimination.non_discriminating)."""
    return scores.loc[[b for b in scores.index if str(b) not in flat]]


def evidence(scores: pd.DataFrame, methods: list[str], requirements, alpha: float) -> list[str]:
    """N, k, the paper's Friedman/Nemenyi, Holm-Wilcoxon, Bayes, power, verdict."""
    pool = scores[methods]
    n, k = pool.shape
    friedman = rank_test(pool, alpha)
    claimed = {c.better for r in requirements for c in r.comparisons}
    order = list(friedman.mean_ranks.index)  # best first
    shown = [m for m in order if m in claimed][:2] + [m for m in order if m not in claimed][:1]
    ranks = ", ".join(f"{m} {friedman.mean_ranks[m]:.2f}" for m in shown)
    paper = (f"chi2 = {fmt(friedman.chi2, 2)}, p = {fmt_p(friedman.p_value)}; "
             f"CD = {fmt(friedman.critical_difference, 2)}; mean ranks {ranks}")
    tested = evaluate_claim(scores, requirements, alpha)
    weakest = tested.weakest()
    index = tested.comparisons.index(weakest)
    holm_line = (f"{sum(tested.holm_for < alpha)} of {len(tested.comparisons)} comparisons "
                 f"significant for, {sum(tested.holm_against < alpha)} against; weakest "
                 f"{weakest.better} > {weakest.worse}: p = {fmt_p(tested.holm_for[index])}")
    posterior = signed_rank(scores[weakest.better].to_numpy(), scores[weakest.worse].to_numpy(),
                            ROPE)
    bayes = (f"{weakest.better} vs {weakest.worse}: P(better) {fmt(posterior.better, 2)}, "
             f"P(equivalent) {fmt(posterior.equivalent, 2)}, P(worse) {fmt(posterior.worse, 2)}")
    power = claim_power(methods, requirements, n, alpha)
    return [str(n), str(k), paper, holm_line, bayes,
            f"{fmt(power.rule, 2)} (Friedman {fmt(power.friedman, 2)})", tested.verdict]


def claim_rows(number: int, claim: Claim, inputs: Inputs, flat: set[str]) -> list[list[str]]:
    scores, kinds = score_matrix(inputs, RANK_TABLES[claim.table], claim.table)
    if scores.size:
        scores = without_flat_rows(without_development_suite(scores, inputs), flat)
    rows = []
    for pool in claim.pools:
        design = (f"no records for {claim.table}" if scores.size == 0 else
                  claim.design(pool_methods(pool, scores, kinds), scores, kinds))
        head = [str(number), claim.text, POOL_LABELS[pool]]
        if isinstance(design, str):
            rows.append([*head, str(len(scores)), "-", f"cannot test ({design})", "-", "-", "-",
                         INCONCLUSIVE])
            continue
        methods, requirements = design
        rows.append([*head, *evidence(scores, methods, requirements, inputs.alpha)])
    return rows


def make(inputs: Inputs, name: str = NAME) -> list[Path]:
    """``<name>.md/.tex``: every claim at ``inputs.point``."""
    flat = non_discriminating(inputs)
    rows = [row for number, claim in enumerate(CLAIMS, start=1)
            for row in claim_rows(number, claim, inputs, flat)]
    excluded = ", ".join(inputs.claims_exclude) or "none"
    caption = (f"Each claim of the paper's abstract tested on these results (test metric at "
               f"{POINTS[inputs.point]}, mean over seeds per dataset, alpha = {inputs.alpha:g}), "
               f"on the paper's six policies and on all pruning methods. Verdict: Holm-corrected "
               f"one-sided Wilcoxon signed-rank over datasets (reproduced = significant for the "
               f"claim, contradicted = significant against it, else inconclusive). Bayesian "
               f"signed-rank ROPE = {ROPE:g}. Power: Monte Carlo probability that the rule "
               f"(Friedman) detects a true one-mean-rank advantage at this N and k. Development "
               f"suite left out: {excluded}; so are deep-learning rows that do not tell "
               f"methods apart (discrimination.md). Rules: paper_figures/verdicts.py, claims.py.")
    header = ["#", "claim", "pool", "N", "k", "Friedman, Nemenyi CD (paper)",
              "Holm-Wilcoxon", f"Bayesian signed-rank (ROPE {ROPE:g})", "power", "verdict"]
    return write_table(inputs.out, name, "Claims of the paper and whether they reproduce",
                       caption, header, rows)
