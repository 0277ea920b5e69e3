"""Global rankings of layer-scaled scores: normalised per layer before pooling, so a
layer with small raw scores (few incoming weights) is not emptied first."""
from __future__ import annotations

import pytest
import torch

from baselines.magnitude import Magnitude
from mabbench.config.errors import ConfigError
from mabbench.pruning.ranking import ranking_from_scores
from mabbench.trial.run import build_method

SCORES = {"small": torch.tensor([1.0, 2.0, 3.0, 4.0]),  # e.g. conv1: 25 weights a filter
          "large": torch.tensor([100.0, 200.0, 300.0, 400.0])}  # fc1: 800 weights a row


def first_four(normalizer: str) -> list[tuple[str, int]]:
    return ranking_from_scores(SCORES, "global", normalizer=normalizer).global_order[:4]


def test_raw_global_ranking_empties_the_small_layer_first():
    assert [layer for layer, _ in first_four("none")] == ["small"] * 4


def test_mean_normalised_global_ranking_takes_each_layer_relative_to_itself():
    assert sorted(first_four("mean")) == [("large", 0), ("large", 1), ("small", 0), ("small", 1)]


def test_normalising_keeps_the_order_within_a_layer_and_the_raw_scores():
    ranking = ranking_from_scores(SCORES, "global", normalizer="max")
    assert ranking.order == {"small": [0, 1, 2, 3], "large": [0, 1, 2, 3]}
    assert ranking.scores["large"] == [100.0, 200.0, 300.0, 400.0]


def test_layer_scaled_baselines_normalise_by_default_and_bandit_scale_ones_do_not(make_cfg):
    for name in ("magnitude", "greedy"):
        method, _ = build_method(make_cfg(f"policy={name}").policy)
        assert method.global_normalizer == "mean", name
    for name in ("random", "oracle", "oracle_unsigned", "taylor"):  # loss-change units
        method, _ = build_method(make_cfg(f"policy={name}").policy)
        assert method.global_normalizer == "none", name


def test_an_unknown_normalizer_is_one_line():
    with pytest.raises(ConfigError, match="policy.global_normalizer='nope'"):
        Magnitude(global_normalizer="nope")
