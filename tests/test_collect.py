"""The one results table: a real trial's record becomes one row per curve level with
its hyper-parameters as columns; parquet and csv round-trip; broken records and bad
arguments are reported in one line."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import TINY, compose_config

from mabbench.store.collect import collect, main
from mabbench.trial.run import run_trial
from paper_figures.load import load_store


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """Two seeds of one tiny trial, run once for the module."""
    root = tmp_path_factory.mktemp("collect") / "results"
    for seed in (0, 1):
        run_trial(compose_config([*TINY, "pruning.oracle_rho=false", f"seed={seed}"], root))
    return root


@pytest.fixture
def results(stored, tmp_path):
    """A private copy of the stored results, so a test may break it."""
    shutil.copytree(stored, tmp_path / "results")
    return tmp_path / "results"


def test_one_row_per_trial_and_level_with_config_columns(results):
    table, problems = collect(results)
    assert problems == []
    assert table["path"].nunique() == 2
    # dense (sparsity 0) + the two levels, per trial
    assert sorted(table.loc[table["seed"] == 0, "sparsity"]) == [0.0, 0.25, 0.5]
    assert table.groupby("path")["is_dense"].sum().tolist() == [1, 1]
    target = table[table["is_target"]]
    assert (target["sparsity"] == 0.5).all() and len(target) == 2
    assert table.groupby("path")["is_selected"].sum().tolist() == [1, 1]
    # hyper-parameters come from each run's config.yaml, flattened
    assert (table["cfg.pruning.budget_per_arm"] == 2.0).all()
    assert (table["cfg.task.train.epochs"] == 30).all()
    assert json.loads(table["cfg.pruning.levels"].iloc[0]) == [0.25, 0.5]
    # each level's own numbers: a pruned level has fewer parameters than dense
    seed0 = table[table["seed"] == 0].set_index("sparsity")
    assert seed0.loc[0.5, "params"] < seed0.loc[0.0, "params"]
    record = json.loads((results / seed0["path"].iloc[0]).read_text())
    assert seed0.loc[0.5, "test"] == record["target"]["test"]
    # the trivial predictor's scores (the claims' row inclusion), not its name
    assert (seed0["trivial_select"] == record["trivial"]["select"]).all()
    assert "trivial_predictor" not in table


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_cli_writes_a_table_that_reads_back(results, tmp_path, suffix, capsys):
    out = tmp_path / f"table{suffix}"
    assert main(["--results", str(results), "--out", str(out)]) == 0
    assert "6 rows (2 trials" in capsys.readouterr().out
    back = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    table, _ = collect(results)
    assert list(back.columns) == list(table.columns)
    pd.testing.assert_series_equal(back["test"], table["test"])


def test_broken_record_is_named_and_skipped(results, capsys):
    extra = results / "runs" / "tabular" / "x" / "ucb1" / "abc" / "seed=0"
    extra.mkdir(parents=True)
    (extra / "result.json").write_text("{not json")
    table, problems = collect(results)
    assert table["path"].nunique() == 2
    assert len(problems) == 1 and problems[0].startswith("runs/tabular/x/ucb1/abc/seed=0")


def test_bad_arguments_fail_in_one_line_and_write_nothing(results, tmp_path):
    for args, needle in ((["--results", str(results), "--out", str(tmp_path / "t.xlsx")],
                          "expected a .parquet or .csv"),
                         (["--results", str(tmp_path / "none"), "--out", str(tmp_path / "t.csv")],
                          "no runs/ folder")):
        done = subprocess.run([sys.executable, "-m", "mabbench.store.collect", *args],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and needle in done.stderr
    assert not list(tmp_path.glob("t.*"))


def test_figures_read_through_the_table(results, tmp_path):
    """paper_figures' runs view puts each trial's points side by side from the table."""
    store = load_store(results)
    assert len(store.runs) == 2 and len(store.curve) == 6
    row = store.runs[store.runs["seed"] == 0].iloc[0]
    record = json.loads((results / row["path"]).read_text())
    assert row["target_test"] == record["target"]["test"]
    assert row["selected_select"] == record["selected"]["select"]
    assert row["dense_params"] == record["dense"]["params"]
    shutil.rmtree(results / "runs")
    with pytest.raises(FileNotFoundError, match="no runs/ folder"):
        load_store(results)
