"""A run folder re-runs as itself (issue 21, item 9): ``rerun.yaml`` composes
back to a config with the record's config and dense hashes and its numbers."""
from __future__ import annotations

import json

from conftest import run_cli

from mabbench.trial.run import run_trial


def test_run_folder_reruns_with_the_records_hashes(make_cfg, tmp_path):
    # non-default keys in several typed sections: each must hash as before
    cfg = make_cfg("dataset=iris", "policy=epsilon_greedy", "policy.epsilon=0.2",
                   "pruning.oracle_rho=false", "pruning.latency.repeats=0",
                   "task.split.select=0.2")
    first = run_trial(cfg)
    folder = tmp_path / "results" / "runs" / "tabular" / "iris" / "epsilon_greedy" \
        / first["config_hash"] / "seed=0"
    elsewhere = tmp_path / "again"
    done = run_cli("--config-dir", str(folder), "--config-name", "rerun",
                   f"runtime.results_dir={elsewhere}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    again = json.loads(next(elsewhere.glob("runs/**/result.json")).read_text())
    assert (again["config_hash"], again["dense_hash"]) == (first["config_hash"],
                                                           first["dense_hash"])
    scores = ("sparsity", "select", "test", "params", "macs")  # not seconds
    for mine, theirs in zip([again["dense"], *again["curve"]], [first["dense"], *first["curve"]]):
        assert {k: mine[k] for k in scores} == {k: theirs[k] for k in scores}
    assert not (tmp_path / "outputs").exists()  # Hydra wrote nothing into the cwd
