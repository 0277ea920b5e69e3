"""The offline deep-learning suite (conf/suite/deep.yaml): every row composes,
loads offline, builds its model and scores a batch; MNIST-1D is seeded,
balanced, cached and leaves global random state alone; a 1-D CNN trial runs
end to end."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from mabbench.config.errors import ConfigError
from mabbench.models import build_model
from mabbench.tasks import load_splits
from mabbench.tasks.base import Split
from mabbench.tasks.mnist1d import generate
from mabbench.trial.run import run_trial
from mabbench.trial.validate import validate

SUITE = Path(__file__).resolve().parent.parent / "conf" / "suite" / "deep.yaml"
ROWS = {row["name"]: row for row in yaml.safe_load(SUITE.read_text())["rows"]}


def test_the_deep_suite_has_paper_scale_rows():
    keys = {tuple(row["overrides"][:3]) for row in ROWS.values()}
    assert len(ROWS) >= 12 and len(keys) == len(ROWS)  # no row twice


@pytest.mark.parametrize("row", sorted(ROWS))
def test_every_deep_row_loads_offline_and_its_model_scores_a_batch(make_cfg, row, monkeypatch):
    monkeypatch.setenv("MABBENCH_OFFLINE", "1")  # a row that needs a download fails here
    cfg = make_cfg(*ROWS[row]["overrides"])
    validate(cfg)  # the checks run_trial makes first: model/task, budgets, sizes
    splits = load_splits(cfg)
    roles = [v for v in vars(splits).values() if isinstance(v, Split)]
    assert all(len(part) > 0 for part in roles)
    model = build_model(cfg.model, splits).eval()
    batch = tuple(x[:4] for x in splits.train.inputs)
    with torch.no_grad():
        assert model(*batch).shape[:2] == (4, splits.n_outputs)  # a language model: (4, vocab, T)
    assert splits.n_outputs >= 2


def test_mnist1d_is_seeded_balanced_and_leaves_global_random_state_alone():
    random.seed(7)
    np.random.seed(7)
    expected = (random.random(), np.random.rand())
    random.seed(7)
    np.random.seed(7)
    data = generate(5000, 42)
    assert (random.random(), np.random.rand()) == expected
    assert data["x"].shape == (4000, 40) and data["x_test"].shape == (1000, 40)
    assert np.bincount(np.concatenate([data["y"], data["y_test"]])).tolist() == [500] * 10
    small = generate(500, 42)["x"]
    assert np.array_equal(generate(500, 42)["x"], small)
    assert not np.array_equal(generate(500, 43)["x"], small)


def test_mnist1d_keeps_the_published_test_set_and_reads_its_cache(make_cfg):
    cfg = make_cfg("task=image", "dataset=mnist1d", "model=cnn1d", "seed=0")
    first = load_splits(cfg)
    cached = list((Path(cfg.runtime.data_dir) / "mnist1d").glob("*.npz"))
    assert len(cached) == 1
    other = load_splits(make_cfg("task=image", "dataset=mnist1d", "model=cnn1d", "seed=1"))
    assert len(first.test) == 1000 and torch.equal(first.test.targets, other.test.targets)
    assert not torch.equal(first.prune.targets, other.prune.targets)  # the seed draws the rest
    assert first.info == {"in_features": 40}


def test_a_babi_task_dataset_refuses_another_task_number(make_cfg):
    with pytest.raises(ConfigError, match="dataset=babi_qa2 is bAbI task 2"):
        load_splits(make_cfg("task=reasoning", "dataset=babi_qa2", "dataset.task=3"))


def test_cnn1d_on_mnist1d_trial_runs_and_prunes_physically(make_cfg):
    cfg = make_cfg("task=image", "dataset=mnist1d", "model=cnn1d", "policy=ucb1",
                   "task.train.epochs=1", "pruning.budget_per_arm=1")
    record = run_trial(cfg)
    assert record.get("status", "done") == "done"
    assert record["target"]["params"] < record["dense"]["params"]
    assert set(record["layers"]) == {"conv1", "conv2", "conv3", "fc1"}
