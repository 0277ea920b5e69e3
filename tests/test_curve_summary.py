"""What a record says about its curve: the selected point (dense a candidate),
areas, the metric at matched MACs, the trivial predictor and the console warning."""
from __future__ import annotations

import pytest
import torch

from mabbench.tasks.base import Split, Splits
from mabbench.trial.curve_summary import (
    area_under_curve,
    metric_at_macs,
    select_point,
    trivial_scores,
)
from mabbench.trial.report import headline, trivial_warning

DENSE = {"sparsity": 0.0, "select": 0.90, "test": 0.88, "macs": 1000, "params": 100}
CURVE = [DENSE,
         {"sparsity": 0.25, "select": 0.90, "test": 0.86, "macs": 700, "params": 75},
         {"sparsity": 0.5, "select": 0.70, "test": 0.72, "macs": 400, "params": 50}]


def test_dense_model_is_a_candidate_and_ties_go_to_the_sparser_point():
    assert select_point(CURVE)["sparsity"] == 0.25  # tie on select: fewer units wins
    better_dense = [DENSE | {"select": 0.95}, *CURVE[1:]]
    assert select_point(better_dense)["sparsity"] == 0.0


def test_area_is_the_trapezoid_from_the_dense_end():
    # test: 0.25 * (0.88 + 0.86) / 2 + 0.25 * (0.86 + 0.72) / 2
    assert area_under_curve(CURVE, "test") == pytest.approx(0.2175 + 0.1975)
    assert area_under_curve(list(reversed(CURVE)), "select") == pytest.approx(
        0.25 * 0.90 + 0.25 * 0.80)


def test_metric_at_matched_macs_interpolates_between_levels():
    got = metric_at_macs(CURVE, [1.0, 0.55, 0.4, 0.25])
    assert got["1"] == pytest.approx(0.88)
    assert got["0.55"] == pytest.approx((0.86 + 0.72) / 2)  # halfway from 700 to 400 MACs
    assert got["0.4"] == pytest.approx(0.72)
    assert got["0.25"] is None  # the curve never gets that cheap


def _splits(train_targets, select_targets, n_outputs):
    def split(targets):
        targets = torch.as_tensor(targets)
        return Split((torch.zeros(len(targets), 1),), targets)

    return Splits(split(train_targets), split(train_targets), split(select_targets),
                  split(select_targets), n_outputs)


def test_trivial_predictor_is_fitted_on_train_and_scored_like_a_point():
    classes = trivial_scores(_splits([0, 1, 1, 1], [1, 0, 0, 0, 1], 2), "accuracy")
    assert classes["predictor"] == "majority class" and classes["select"] == pytest.approx(0.4)
    mean = trivial_scores(_splits([0.0, 2.0], [0.0, 2.0, 4.0], 1), "r2")
    # train mean 1: residuals 1, 1, 9 over a total sum of squares of 8
    assert mean["predictor"] == "train mean" and mean["select"] == pytest.approx(1 - 11 / 8)


def _record(target_select: float, selected: dict) -> dict:
    target = {"sparsity": 0.5, "select": target_select, "test": 0.3, "params": 50}
    return {"task": "image", "dataset": "digits", "model": "lenet", "policy": "thompson",
            "seed": 0, "metric": "accuracy", "dense": DENSE, "selected": selected,
            "target": target, "cost": {"pulls": 10, "seconds": 0.5},
            "split_sizes": {"train": 8, "prune": 4, "select": 3, "test": 4},
            "trivial": {"predictor": "majority class", "select": 0.4, "test": 0.4},
            "path": "results/x/result.json"}


def test_headline_shows_dense_selected_and_target_and_warns_once_below_trivial():
    bad = _record(0.23, DENSE)
    text = headline(bad)
    assert [line.split()[0] for line in text.splitlines()[1:4]] == ["dense", "selected", "target"]
    warnings = [line for line in text.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and "target" in warnings[0] and "majority class" in warnings[0]
    assert "rows: train 8, prune 4, select 3, test 4" in text
    # the dense model selected and a target above the trivial score: no warning
    assert trivial_warning(_record(0.6, DENSE)) is None


def test_trivial_predictor_of_a_language_row_is_the_commonest_train_token():
    # targets (N, T) token ids; outputs (N, vocab, T): the score is token accuracy
    train = torch.tensor([[3, 3, 1], [3, 2, 0]])
    select = torch.tensor([[3, 0, 3], [1, 1, 1]])
    token = trivial_scores(_splits(train, select, 4), "token_accuracy")
    assert token["predictor"] == "most frequent train token"
    assert token["select"] == pytest.approx(2 / 6) and token["test"] == pytest.approx(2 / 6)
