"""Packaged tabular and regression data sets: shapes, classes, no NaN, splits
fixed by the seed, preprocessing fitted on train only, and an MLP that beats a
trivial predictor."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from mabbench.bench.dense import trivial_score
from mabbench.models import build_model
from mabbench.tasks import load_splits
from mabbench.tasks.frames import FrameEncoder, frame_splits
from mabbench.trial.curve import score
from mabbench.trial.training import train

# dataset -> (task, rows in total, features after encoding, classes or 1)
PACKAGED = {
    "breast_cancer": ("tabular", 569, 30, 2),
    "wine": ("tabular", 178, 13, 3),
    "iris": ("tabular", 150, 4, 3),
    "pima": ("tabular", 532, 7, 2),
    "spam7": ("tabular", 4601, 6, 2),
    "titanic": ("tabular", 1309, 6, 2),  # age, sex (2), passengerClass (3)
    "diabetes": ("regression", 442, 10, 1),
    "boston": ("regression", 506, 13, 1),
    "auto_mpg": ("regression", 392, 9, 1),  # 6 numeric + origin one-hot (3)
    "computer_hardware": ("regression", 209, 6, 1),
    "concrete": ("regression", 1030, 8, 1),
}


@pytest.mark.parametrize("dataset", sorted(PACKAGED))
def test_packaged_dataset_loads_with_its_shape_and_classes(make_cfg, dataset):
    task, rows, features, outputs = PACKAGED[dataset]
    splits = load_splits(make_cfg(f"task={task}", f"dataset={dataset}"))
    parts = (splits.train, splits.prune, splits.select, splits.test)
    assert sum(len(p) for p in parts) == rows
    assert splits.info["in_features"] == features and splits.n_outputs == outputs
    for part in parts:
        assert part.inputs[0].shape == (len(part), features)
        assert not torch.isnan(part.inputs[0]).any() and not torch.isnan(part.targets.float()).any()
    if task == "tabular":
        assert splits.train.targets.dtype == torch.int64
        for part in parts:  # stratified: every class in every split
            assert set(part.targets.tolist()) == set(range(outputs))
    else:
        assert splits.train.targets.dtype == torch.float32
        assert abs(splits.train.targets.mean().item()) < 1e-5  # standardised on train
    # features standardised by train statistics only
    assert splits.train.inputs[0].mean(0).abs().max() < 1e-4


def test_split_is_fixed_by_the_seed(make_cfg):
    first = load_splits(make_cfg("dataset=pima", "seed=0"))
    again = load_splits(make_cfg("dataset=pima", "seed=0"))
    other = load_splits(make_cfg("dataset=pima", "seed=1"))
    assert torch.equal(first.test.inputs[0], again.test.inputs[0])
    assert not torch.equal(first.test.inputs[0], other.test.inputs[0])


def test_encoder_learns_from_train_rows_only():
    train = pd.DataFrame({"x": [1.0, np.nan, 3.0, 5.0], "colour": ["red", "blue", None, "red"]})
    test = pd.DataFrame({"x": [np.nan, 100.0], "colour": ["green", "blue"]})
    encoder = FrameEncoder.fit(train)
    assert encoder.categorical == {"colour": ["<missing>", "blue", "red"]}
    raw = encoder._raw(test)
    assert raw[0, 0] == 3.0  # the train median fills a gap, never a test value
    assert raw[0, 1:].tolist() == [0.0, 0.0, 0.0]  # a category unseen in train: all zeros
    assert raw[1, 1:].tolist() == [0.0, 1.0, 0.0]


def test_identifier_like_text_columns_are_not_one_hot_encoded(make_cfg):
    cfg = make_cfg()
    rows = 300
    frame = pd.DataFrame({"name": [f"id{i}" for i in range(rows)], "x": np.arange(rows) % 7,
                          "y": ["a", "b", "c"] * (rows // 3)})
    splits = frame_splits(frame, "y", "classification", cfg.task.split, 0)
    assert splits.info["in_features"] == 1  # x only; 300 distinct names dropped


@pytest.mark.parametrize("task", ["tabular", "regression"])
def test_dense_mlp_beats_a_trivial_predictor(make_cfg, task):
    cfg = make_cfg(f"task={task}", "task.train.epochs=20")
    splits = load_splits(cfg)
    torch.manual_seed(0)
    model = train(build_model(cfg.model, splits), splits.train, cfg.task.train, cfg.task.loss, 0)
    trained = score(model, splits.test, cfg.task.metric)
    trivial = trivial_score(splits, cfg.task.metric)
    margin = 0.2 if task == "tabular" else 0.25  # accuracy points / R^2 over majority / mean
    assert trained > trivial + margin, (trained, trivial)
