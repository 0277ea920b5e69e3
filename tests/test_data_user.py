"""Users' own data: a CSV / Parquet table for tabular and regression, a CSV of
texts for text; bad paths and columns give one line naming the key."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mabbench.config.errors import ConfigError
from mabbench.tasks import load_splits
from mabbench.trial.run import run_trial


def _table(rows: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=rows)
    return pd.DataFrame({
        "id": [f"row{i}" for i in range(rows)],
        "x": x,
        "colour": rng.choice(["red", "blue", None], size=rows),
        "price": 3.0 * x + rng.normal(scale=0.1, size=rows),
        "label": np.where(x > 0, "high", "low"),
    })


def test_csv_table_for_tabular_classification(make_cfg, tmp_path):
    path = tmp_path / "mine.csv"
    _table().to_csv(path, index=False)
    cfg = make_cfg(f"dataset=csv", f"dataset.path={path}", "dataset.target=label",
                   "dataset.drop=[id,price]")
    splits = load_splits(cfg)
    assert cfg.dataset.family == "tabular"
    assert splits.n_outputs == 2 and splits.info["classes"] == ["high", "low"]
    assert splits.info["in_features"] == 4  # x + colour one-hot (blue, red, <missing>)
    assert sum(len(s) for s in (splits.train, splits.prune, splits.select, splits.test)) == 120


def test_parquet_table_for_regression(make_cfg, tmp_path):
    path = tmp_path / "mine.parquet"
    _table().to_parquet(path)
    splits = load_splits(make_cfg("task=regression", "dataset=csv", f"dataset.path={path}",
                                  "dataset.target=price", "dataset.drop=[id,label]"))
    assert splits.n_outputs == 1 and splits.info["target_std"] > 1.0


def test_text_csv_with_a_held_out_file(make_cfg, tmp_path):
    texts = pd.DataFrame({"review": ["good tasty coffee", "awful stale tea"] * 20,
                          "stars": ["5", "1"] * 20})
    texts.to_csv(tmp_path / "train.csv", index=False)
    texts.head(6).to_csv(tmp_path / "test.csv", index=False)
    splits = load_splits(make_cfg("task=text", "dataset=text_csv",
                                  f"dataset.path={tmp_path / 'train.csv'}", "dataset.text=review",
                                  "dataset.label=stars",
                                  f"dataset.test_path={tmp_path / 'test.csv'}"))
    assert len(splits.test) == 6 and len(splits.train) + len(splits.prune) + len(splits.select) == 40
    assert splits.info["classes"] == ["1", "5"]


@pytest.mark.parametrize("overrides, expected", [
    (["dataset.path=/no/such.csv", "dataset.target=label"],
     "dataset.path='/no/such.csv': no such file"),
    (["dataset.target=nope"], "dataset.target='nope'"),
])
def test_bad_user_table_is_one_line(make_cfg, tmp_path, overrides, expected):
    path = tmp_path / "mine.csv"
    _table().to_csv(path, index=False)
    cfg = make_cfg("dataset=csv", f"dataset.path={path}", *overrides)
    with pytest.raises(ConfigError) as error:
        load_splits(cfg)
    assert expected in str(error.value) and "\n" not in str(error.value)


def test_a_trial_on_a_missing_user_file_fails_in_one_line_and_writes_nothing(make_cfg, tmp_path):
    cfg = make_cfg("dataset=csv", f"dataset.path={tmp_path / 'absent.csv'}", "dataset.target=y")
    with pytest.raises(ConfigError, match="no such file"):
        run_trial(cfg)
    assert not Path(cfg.runtime.results_dir).exists()
