"""The claims' statistics on constructed data: each of the four outcomes per comparison
and each of the four verdicts per claim comes out where it must; Holm and the exact
signed-rank test match textbook values; the minimum detectable effect matches the
normal approximation; the claims file loads and takes any subject."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from paper_figures import claim_forms
from paper_figures.bayes import signed_rank
from paper_figures.claim_file import load, with_subject
from paper_figures.claim_scores import Scores, by_source
from paper_figures.comparisons import evaluate
from paper_figures.power import minimum_detectable, power_at
from paper_figures.signed_rank import p_greater
from paper_figures.stats import holm
from paper_figures.verdicts import (
    BETTER,
    CONTRADICTED,
    EQUIVALENT,
    PRACTICALLY_EQUIVALENT,
    REPRODUCED,
    UNDECIDED,
    UNDECIDED_CLAIM,
    WORSE,
    Comparison,
    Requirement,
    claim_verdict,
)

SIX = ["epsilon_greedy", "softmax", "ucb1", "thompson", "hedge", "exp3"]
KINDS = {m: "bandit" for m in SIX} | {"none": "unpruned", "magnitude": "baseline",
                                      "greedy": "baseline", "svm": "reference",
                                      "linear": "reference", "knn": "reference"}
CLAIMS = load()
ROPE, ALPHA = 0.01, 0.05


def scores(n: int, shifts: dict[str, float], seed: int = 0, noise: float = 0.01) -> pd.DataFrame:
    """n datasets x methods: a dataset level, plus each method's shift, plus noise."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(0.6, 0.9, size=(n, 1))
    data = level + np.array(list(shifts.values())) + rng.normal(0, noise, (n, len(shifts)))
    return pd.DataFrame(data, columns=list(shifts), index=[f"d{i}" for i in range(n)])


def claim(number: int, claims=CLAIMS):
    return next(c for c in claims.claims if c.id == str(number))


def verdict(number: int, frame: pd.DataFrame, pool: str = "paper", claims=CLAIMS) -> str:
    design = claim_forms.design(claim(number, claims), pool, claims, frame, KINDS)
    assert not isinstance(design, str), design
    methods, requirements = design
    return evaluate(frame[methods], requirements, ROPE, ALPHA).verdict


def one(frame: pd.DataFrame):
    return evaluate(frame, (Requirement((Comparison("a", "b"),), 1),), ROPE, ALPHA)


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


@pytest.mark.parametrize("n, shift, noise, expected", [
    (30, 0.05, 0.01, BETTER),        # clearly ahead
    (30, -0.05, 0.01, WORSE),        # clearly behind
    (30, 0.0005, 0.001, EQUIVALENT),  # a difference far inside the ROPE
    (6, 0.03, 0.05, UNDECIDED),      # too few, too noisy to say anything
])
def test_each_of_the_four_outcomes_comes_out(n, shift, noise, expected):
    tested = one(scores(n, {"a": shift, "b": 0.0}, noise=noise))
    assert tested.outcomes.tolist() == [expected]


def test_a_significant_loss_inside_the_rope_is_worse_and_flagged():
    # consistently 0.002 behind: significant, yet practically nil
    tested = one(scores(30, {"a": -0.002, "b": 0.0}, noise=0.0005))
    assert tested.outcomes.tolist() == [WORSE] and tested.within_rope(0)
    assert not one(scores(30, {"a": -0.05, "b": 0.0})).within_rope(0)


def test_equivalence_by_tost_alone_counts():
    """Differences spread so the posterior is unsure, but tightly inside +-ROPE in median:
    the two one-sided tests decide."""
    frame = scores(40, {"a": 0.0, "b": 0.0}, noise=0.004)
    tested = one(frame)
    assert tested.p_equivalent[0] < ALPHA and tested.outcomes[0] == EQUIVALENT


@pytest.mark.parametrize("found, expected", [
    ([BETTER, BETTER], REPRODUCED),
    ([BETTER, WORSE], CONTRADICTED),
    ([BETTER, EQUIVALENT], PRACTICALLY_EQUIVALENT),
    ([BETTER, UNDECIDED], UNDECIDED_CLAIM),
])
def test_claim_verdicts_from_outcomes(found, expected):
    requirements = (Requirement((Comparison("a", "b"), Comparison("a", "c")), 2),)
    assert claim_verdict(np.array(found), requirements) == expected


def test_a_requirement_with_room_to_spare_survives_one_equivalent():
    requirements = (Requirement(tuple(Comparison(p, "b") for p in "xyz"), 2),)
    assert claim_verdict(np.array([BETTER, BETTER, EQUIVALENT]), requirements) == REPRODUCED
    assert claim_verdict(np.array([BETTER, EQUIVALENT, EQUIVALENT]),
                         requirements) == PRACTICALLY_EQUIVALENT


@pytest.mark.parametrize("shift, noise, expected", [
    (0.05, 0.01, REPRODUCED), (-0.05, 0.01, CONTRADICTED),
    (0.0, 0.001, PRACTICALLY_EQUIVALENT), (0.0, 0.05, UNDECIDED_CLAIM)])
def test_best_mean_rank_claim_gives_each_verdict(shift, noise, expected):
    # six datasets: the smallest p, 1/64, times Holm's 5 stays above alpha
    frame = scores(30 if noise < 0.05 else 6, {m: (shift if m == "ucb1" else 0.0) for m in SIX},
                   noise=noise)
    assert verdict(1, frame) == expected


def test_several_beat_needs_two_policies_per_baseline():
    base = {"none": 0.0, "magnitude": 0.0, "greedy": 0.0}
    two_good = {m: 0.0 for m in SIX} | {"ucb1": 0.05, "thompson": 0.05}
    assert verdict(6, scores(30, two_good | base)) == REPRODUCED
    baselines_win = {m: 0.0 for m in SIX} | {"none": 0.05, "magnitude": 0.0, "greedy": 0.0}
    assert verdict(6, scores(30, baselines_win)) == CONTRADICTED


def test_competitive_is_non_inferiority_within_the_margin():
    refs = ["svm", "linear", "knn"]
    slightly_worse = scores(25, {"ucb1": -0.004, **{r: 0.0 for r in refs}}, noise=0.002)
    assert verdict(4, slightly_worse, "comparators") == REPRODUCED
    much_worse = scores(25, {"ucb1": -0.05, **{r: 0.0 for r in refs}}, noise=0.002)
    assert verdict(4, much_worse, "comparators") == CONTRADICTED


def test_weakest_is_the_largest_raw_p_not_the_first_of_many_holm_ones():
    # every Holm p is 1 against the claim, but 'c' is the one ucb1 trails most
    frame = scores(30, {"ucb1": 0.0, "a": 0.001, "b": 0.002, "c": 0.03}, noise=0.01)
    requirements = (Requirement(tuple(Comparison("ucb1", r) for r in "abc"), 3),)
    tested = evaluate(frame, requirements, ROPE, ALPHA)
    assert tested.comparisons[tested.weakest()].worse == "c"


def test_any_method_can_be_the_subject():
    mine = with_subject(CLAIMS, "my_policy")
    assert all(c.subject == ("my_policy",) for c in mine.claims)
    assert claim(6, mine).requirement == {"per_rival": 1}
    frame = scores(30, {m: 0.0 for m in SIX} | {"my_policy": 0.05, "none": 0.0,
                                                 "magnitude": 0.0, "greedy": 0.0})
    kinds = KINDS | {"my_policy": "bandit"}
    methods, requirements = claim_forms.design(claim(1, mine), "paper", mine, frame, kinds)
    assert "my_policy" in methods and all(c.better == "my_policy"
                                          for r in requirements for c in r.comparisons)
    assert evaluate(frame[methods], requirements, ROPE, ALPHA).verdict == REPRODUCED


def test_the_claims_file_holds_the_papers_six_claims_and_its_endpoints():
    assert [c.id for c in CLAIMS.claims] == ["1", "2", "3", "4", "5", "6"]
    assert {"macs_0.5", "auc_macs", "compression", "selected"} <= set(CLAIMS.endpoints)
    assert not CLAIMS.endpoints["compression"].higher_is_better
    assert CLAIMS.trivial_margin == 0.05 and CLAIMS.equal_pulls_reference == "uniform"


def test_rows_of_one_source_are_averaged_into_one():
    matrix = pd.DataFrame({"a": [0.1, 0.3, 0.5]}, index=["image/mnist5k/lenet",
                                                         "image/mnist5k/vgg", "text/x/cnn"])
    found = by_source(Scores(matrix, {"image/mnist5k/lenet": "mnist5k",
                                      "image/mnist5k/vgg": "mnist5k", "text/x/cnn": "x"},
                             {}, {}), {"mnist5k": "mnist"})
    assert found["a"].to_dict() == pytest.approx({"mnist": 0.2, "x": 0.5})


def test_minimum_detectable_effect_matches_the_normal_approximation():
    d = np.random.default_rng(1).normal(0, 1, 30)
    d = (d - d.mean()) / d.std(ddof=1) * 0.0057
    power = minimum_detectable(d, ROPE, ALPHA)
    # t-test approximation: (z_0.95 + z_0.8) sd / sqrt(N), Wilcoxon a few % larger
    approx = (stats.norm.ppf(0.95) + stats.norm.ppf(0.8)) * 0.0057 / math.sqrt(30)
    assert approx <= power.mde <= 1.15 * approx
    assert power_at(power.mde, power.sd, 30, ALPHA) == pytest.approx(0.8, abs=0.01)
    assert minimum_detectable(d[:4], ROPE, ALPHA).mde == math.inf  # 2^-4 > alpha
    assert minimum_detectable(d[:8], 0.003, ALPHA).at_rope < minimum_detectable(d, 0.003, ALPHA).at_rope


def test_bayesian_signed_rank_sides_with_the_data_and_is_seeded():
    better = np.linspace(0.80, 0.90, 20)
    clear = signed_rank(better + 0.05, better, rope=0.01)
    assert clear.better > 0.9
    equal = signed_rank(better + 0.001, better, rope=0.01)
    assert equal.equivalent > 0.9
    assert signed_rank(better + 0.05, better, 0.01) == clear


def test_development_suite_is_left_out_of_claims_by_default():
    from paper_figures.__main__ import parse

    excluded = parse([]).claims_exclude.split(",")
    assert {"iris", "digits"} <= set(excluded)  # conf/dev_suite.yaml
    assert parse(["--claims-exclude", ""]).claims_exclude == ""


def test_the_signed_rank_p_on_few_tied_differences_is_scipys_exact_permutation_p():
    """Deep claims have few rows and many ties (methods that all collapse to chance): the
    vectorised sign-flip enumeration must give scipy's exact permutation p, not an
    approximation of it."""
    from paper_figures.paired_tests import paired_p

    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(60):
        n = int(rng.integers(2, 11))
        d = np.round(rng.normal(0.005 * rng.integers(-2, 3), 0.02, n), int(rng.integers(2, 4)))
        d[rng.integers(0, n)] = 0.0 if rng.random() < 0.4 else d[0]  # a zero or a tie
        if np.all(d == 0):
            continue
        ours = paired_p(d)
        scipy_p = tuple(stats.wilcoxon(d, alternative=a, zero_method="zsplit").pvalue
                        for a in ("greater", "less"))
        assert ours == pytest.approx(scipy_p, abs=1e-15), d
        checked += 1
    assert checked >= 50
