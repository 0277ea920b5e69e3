"""The claims' statistics on constructed data: each verdict of the one rule comes out
where it must, Holm and the exact signed-rank test match textbook values, and the
Monte Carlo power behaves (false-positive rate <= alpha, power grows with N)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from paper_figures.bayes import signed_rank
from paper_figures.claims import (best_mean_rank, beats, competitive_with_references,
                                  several_beat)
from paper_figures.power import claim_power, one_rank_shift
from paper_figures.signed_rank import p_greater
from paper_figures.stats import holm
from paper_figures.verdicts import (CONTRADICTED, INCONCLUSIVE, REPRODUCED, Comparison,
                                    Requirement, decide, evaluate_claim)

SIX = ["epsilon_greedy", "softmax", "ucb1", "thompson", "hedge", "exp3"]
KINDS = {m: "bandit" for m in SIX} | {"none": "unpruned", "magnitude": "baseline",
                                      "greedy": "baseline", "svm": "reference",
                                      "linear": "reference", "knn": "reference"}


def scores(n: int, shifts: dict[str, float], seed: int = 0, noise: float = 0.01) -> pd.DataFrame:
    """n datasets x methods: a dataset level, plus each method's shift, plus noise."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(0.6, 0.9, size=(n, 1))
    data = level + np.array(list(shifts.values())) + rng.normal(0, noise, (n, len(shifts)))
    return pd.DataFrame(data, columns=list(shifts), index=[f"d{i}" for i in range(n)])


def verdict(design, frame: pd.DataFrame, pool: list[str]) -> str:
    methods, requirements = design(pool, frame, KINDS)
    return evaluate_claim(frame[methods], requirements, 0.05).verdict


def test_holm_matches_the_textbook_example():
    # sorted 0.01, 0.03, 0.04 -> 0.03, 0.06, max(0.06, 0.04) = 0.06
    assert holm(np.array([0.01, 0.04, 0.03])) == pytest.approx([0.03, 0.06, 0.06])
    assert holm(np.array([0.5, np.nan])) == pytest.approx([1.0, 1.0])


def test_exact_signed_rank_equals_scipy():
    rng = np.random.default_rng(3)
    differences = rng.normal(0.2, 1.0, size=(6, 15))
    ours = p_greater(differences)
    theirs = [stats.wilcoxon(d, alternative="greater", method="exact").pvalue
              for d in differences]
    assert ours == pytest.approx(theirs, rel=1e-12)


@pytest.mark.parametrize("shift, expected", [(0.05, REPRODUCED), (-0.05, CONTRADICTED),
                                             (0.0, INCONCLUSIVE)])
def test_best_mean_rank_gives_each_verdict(shift, expected):
    frame = scores(30, {m: (shift if m == "ucb1" else 0.0) for m in SIX})
    assert verdict(best_mean_rank(("ucb1",)), frame, SIX) == expected


def test_best_mean_rank_is_contradicted_by_one_better_rival_only():
    shifts = {m: 0.0 for m in SIX} | {"ucb1": 0.05, "thompson": 0.10}
    assert verdict(best_mean_rank(("ucb1",)), scores(30, shifts), SIX) == CONTRADICTED


def test_a_clear_win_on_few_datasets_stays_inconclusive():
    # Five wins out of five: the smallest one-sided signed-rank p is 1/32 > 0.05 / 5.
    frame = scores(5, {m: (0.1 if m == "ucb1" else 0.0) for m in SIX})
    assert verdict(best_mean_rank(("ucb1",)), frame, SIX) == INCONCLUSIVE


@pytest.mark.parametrize("shift, expected", [(0.03, REPRODUCED), (-0.03, CONTRADICTED),
                                             (0.0, INCONCLUSIVE)])
def test_beats_gives_each_verdict(shift, expected):
    frame = scores(20, {m: 0.0 for m in SIX} | {"none": -shift})
    assert verdict(beats("ucb1", "none"), frame, SIX) == expected


def test_competitive_is_non_inferiority_within_the_rope():
    refs = ["svm", "linear", "knn"]
    slightly_worse = scores(25, {"ucb1": -0.004, **{r: 0.0 for r in refs}}, noise=0.002)
    assert verdict(competitive_with_references("ucb1"), slightly_worse, SIX) == REPRODUCED
    much_worse = scores(25, {"ucb1": -0.05, **{r: 0.0 for r in refs}}, noise=0.002)
    assert verdict(competitive_with_references("ucb1"), much_worse, SIX) == CONTRADICTED


def test_several_beat_needs_two_policies_per_baseline():
    base = {"none": 0.0, "magnitude": 0.0, "greedy": 0.0}
    two_good = {m: 0.0 for m in SIX} | {"ucb1": 0.05, "thompson": 0.05}
    design = several_beat(("none", "magnitude", "greedy"))
    assert verdict(design, scores(30, two_good | base), SIX) == REPRODUCED
    one_good = {m: 0.0 for m in SIX} | {"ucb1": 0.05}
    assert verdict(design, scores(30, one_good | base), SIX) == INCONCLUSIVE
    baselines_win = {m: 0.0 for m in SIX} | {"none": 0.05, "magnitude": 0.0, "greedy": 0.0}
    assert verdict(design, scores(30, baselines_win), SIX) == CONTRADICTED


def test_decide_is_vectorised_over_simulations():
    requirements = (Requirement((Comparison("a", "b"), Comparison("a", "c")), 2),)
    p_for = np.array([[0.001, 0.001], [0.001, 0.9], [0.9, 0.9]])
    p_against = np.array([[0.9, 0.9], [0.9, 0.001], [0.5, 0.5]])
    assert decide(p_for, p_against, requirements, 0.05).tolist() == [
        REPRODUCED, CONTRADICTED, INCONCLUSIVE]


def test_one_rank_shift_gives_a_one_rank_gap():
    k, delta = 7, one_rank_shift(7)
    rng = np.random.default_rng(0)
    draws = rng.standard_normal((20000, k)) + np.r_[delta, np.zeros(k - 1)]
    ranks = np.argsort(np.argsort(-draws, axis=1), axis=1) + 1
    gap = ranks[:, 1:].mean() - ranks[:, 0].mean()
    assert gap == pytest.approx(1.0, abs=0.05)


def test_power_rises_with_datasets_and_respects_alpha_under_the_null():
    methods = SIX
    requirements = (Requirement(tuple(Comparison("ucb1", m) for m in SIX if m != "ucb1"), 5),)
    small = claim_power(methods, requirements, 6, 0.05)
    large = claim_power(methods, requirements, 60, 0.05)
    assert small.rule < large.rule and small.friedman < large.friedman
    null = claim_power(methods, requirements, 30, 0.05, gap=0.0)
    assert null.rule <= 0.05
    assert null.friedman == pytest.approx(0.05, abs=0.02)
    assert claim_power(methods, requirements, 30, 0.05) == claim_power(methods, requirements,
                                                                       30, 0.05)


def test_bayesian_signed_rank_sides_with_the_data_and_is_seeded():
    better = np.linspace(0.80, 0.90, 20)
    clear = signed_rank(better + 0.05, better, rope=0.01)
    assert clear.better > 0.9
    equal = signed_rank(better + 0.001, better, rope=0.01)
    assert equal.equivalent > 0.9
    assert signed_rank(better + 0.05, better, 0.01) == clear


def test_development_suite_is_left_out_of_claims_by_default():
    from types import SimpleNamespace

    from paper_figures.__main__ import parse
    from paper_figures.claims import without_development_suite

    excluded = parse([]).claims_exclude.split(",")
    assert {"iris", "digits"} <= set(excluded)  # conf/dev_suite.yaml
    frame = pd.DataFrame({"ucb1": [0.9, 0.8, 0.7]},
                         index=["iris", "image/digits/lenet", "breast_cancer"])
    kept = without_development_suite(frame, SimpleNamespace(claims_exclude=tuple(excluded)))
    assert list(kept.index) == ["breast_cancer"]
    assert parse(["--claims-exclude", ""]).claims_exclude == ""
