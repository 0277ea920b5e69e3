"""Classical comparators: fitted on the trial's own splits, selected on select, stored where
the figures read them; the reference experiment runs them through the trial config."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONF, REPO
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from sklearn.linear_model import Ridge
from sklearn.metrics import accuracy_score, f1_score, r2_score
from sklearn.neighbors import KNeighborsClassifier

import mabbench.reference.config  # noqa: F401  (registers the reference schemas)
from mabbench.config.errors import ConfigError
from mabbench.reference.comparators import features, targets
from mabbench.tasks import load_splits
from mabbench.trial.comparator import reference_dir, run_reference
from mabbench.trial.run import run_trial
from paper_figures.load import load_store


@pytest.fixture
def reference_cfg(tmp_path):
    def make(*overrides: str):
        GlobalHydra.instance().clear()
        with initialize_config_dir(str(CONF), version_base="1.3"):
            cfg = compose("reference_run", overrides=[*overrides,
                                                      f"runtime.results_dir={tmp_path / 'results'}",
                                                      f"runtime.data_dir={tmp_path / 'data'}"])
        GlobalHydra.instance().clear()
        return cfg
    return make


def test_knn_is_fit_on_the_trials_splits_and_chosen_on_select(reference_cfg):
    cfg = reference_cfg("reference=knn", "seed=1")
    record = run_reference(cfg)
    splits = load_splits(cfg)  # what `python -m mabbench ... seed=1` trains and scores on
    assert record["split_sizes"] == {role: len(getattr(splits, role))
                                     for role in ("train", "prune", "select", "test")}
    # Re-derive the choice independently: best select accuracy over the grid, first on ties.
    x_train, y_train = features(splits.train), targets(splits.train)
    val_scores = {k: accuracy_score(targets(splits.select), KNeighborsClassifier(n_neighbors=k)
                                    .fit(x_train, y_train).predict(features(splits.select)))
                  for k in cfg.reference.classifier.grid.n_neighbors}
    chosen = max(val_scores, key=lambda k: (val_scores[k], -k))
    assert record["dense"]["selected"] == {"n_neighbors": chosen}
    expected_test = accuracy_score(targets(splits.test), KNeighborsClassifier(n_neighbors=chosen)
                                   .fit(x_train, y_train).predict(features(splits.test)))
    assert record["dense"]["test"] == pytest.approx(expected_test)
    assert record["dense"]["select"] == pytest.approx(val_scores[chosen])
    assert record["dense"]["test"] > 0.9  # breast cancer is easy for k-NN
    expected_f1 = f1_score(targets(splits.test), KNeighborsClassifier(n_neighbors=chosen)
                           .fit(x_train, y_train).predict(features(splits.test)), average="macro")
    assert record["dense"]["test_macro_f1"] == pytest.approx(expected_f1)


def test_record_is_stored_where_the_rank_tables_read_it(reference_cfg):
    cfg = reference_cfg("reference=svm")
    record = run_reference(cfg)
    root = cfg.runtime.results_dir
    store = load_store(Path(root))
    row = store.runs.iloc[0]
    assert (row["task"], row["dataset"], row["policy"], row["kind"]) == (
        "tabular", "breast_cancer", "svm", "reference")
    assert row["selected_test"] == record["dense"]["test"]
    assert run_reference(cfg)["skipped"] is True  # re-running resumes


def test_a_damaged_comparator_result_is_recomputed_and_a_failure_recorded(reference_cfg,
                                                                           monkeypatch):
    cfg = reference_cfg("reference=knn")
    path = Path(run_reference(cfg)["path"])
    path.write_text(path.read_text()[:200])  # truncated: never trusted as done
    assert run_reference(cfg)["status"] == "done"
    assert "sha256" in json.loads(path.read_text())

    def broken(*args, **kwargs):
        raise RuntimeError("solver blew up")

    monkeypatch.setattr("mabbench.trial.comparator.fit_and_select", broken)
    failed = run_reference(reference_cfg("reference=knn", "seed=3"))
    assert failed["status"] == "failed" and "solver blew up" in failed["reason"]
    assert Path(failed["path"]).name == "failed.json"


def test_regressor_scores_r2_on_a_regression_task(reference_cfg):
    cfg = reference_cfg("task=regression", "dataset=diabetes", "reference=linear")
    record = run_reference(cfg)
    splits = load_splits(cfg)
    assert record["metric"] == "r2" and record["model"] == "Ridge"
    assert record["split_sizes"]["test"] == len(splits.test)
    assert 0.2 < record["dense"]["test"] < 0.8  # diabetes: linear models explain about half
    refit = r2_score(targets(splits.test), Ridge(**record["dense"]["selected"])
                     .fit(features(splits.train), targets(splits.train))
                     .predict(features(splits.test)))
    assert record["dense"]["test"] == pytest.approx(refit)


def test_classifier_only_comparator_refuses_a_regression_task(reference_cfg, tmp_path):
    cfg = reference_cfg("task=regression", "dataset=diabetes", "reference=naive_bayes")
    with pytest.raises(ConfigError, match="reference=naive_bayes has no regressor"):
        run_reference(cfg)
    assert not (tmp_path / "results" / "runs").exists()


def test_cli_runs_one_comparator(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mabbench.reference", "reference=lda", "seed=2",
         f"runtime.results_dir={tmp_path}"], cwd=REPO, capture_output=True, text=True,
        timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "reference=lda" in result.stdout
    written = list((tmp_path / "runs" / "tabular" / "breast_cancer" / "lda").rglob("result.json"))
    assert [p.parent.name for p in written] == ["seed=2"]


def test_a_comparator_composed_by_the_trial_config_keeps_its_identity(reference_cfg, make_cfg):
    """The reference experiment runs comparators as ``python -m mabbench +reference=<name>``;
    the record lands where ``python -m mabbench.reference reference=<name>`` puts it."""
    own = reference_cfg("reference=svm", "dataset=wine", "seed=1")
    through_trials = make_cfg("+reference=svm", "dataset=wine", "seed=1", tiny=False)
    assert reference_dir(through_trials).relative_to(through_trials.runtime.results_dir) == \
        reference_dir(own).relative_to(own.runtime.results_dir)
    record = run_trial(through_trials)
    assert record["kind"] == "reference" and record["policy"] == "svm"
    assert Path(record["path"]).parent == reference_dir(through_trials)
