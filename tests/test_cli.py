"""The command line as a user meets it: `python -m mabbench ...`."""
from __future__ import annotations

import pytest
from conftest import TINY, run_cli

from mabbench.config.errors import ConfigError
from mabbench.experiments.preflight import preflight, preflight_sweep


def test_default_run_prints_headline_and_resumes(tmp_path):
    results = tmp_path / "results"
    args = [*TINY, f"runtime.results_dir={results}"]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert "dense    accuracy" in first.stdout and "selected accuracy" in first.stdout
    assert "target   accuracy" in first.stdout
    written = list(results.glob("runs/tabular/breast_cancer/ucb1/*/seed=0/result.json"))
    assert len(written) == 1 and str(written[0]) in first.stdout
    second = run_cli(*args)
    assert second.returncode == 0 and "already done" in second.stdout
    # a re-run prints the stored summary, and the path once
    assert "selected accuracy" in second.stdout and second.stdout.count(str(written[0])) == 1
    # ... line for line as the first run printed it (a record read back from JSON has
    # its keys sorted: row counts and MAC fractions must not change order)
    def summary(out):
        return [line for line in out.splitlines() if line.startswith(("tabular/", "  dense",
                                                                      "  at MACs", "  selected"))]
    assert summary(second.stdout) == summary(first.stdout) and len(summary(first.stdout)) == 4
    assert list(tmp_path.iterdir()) == [results]  # nothing in the working directory


@pytest.mark.parametrize("override, available", [
    ("task=nosuchtask", "tabular"), ("policy=nosuchpolicy", "ucb1"), ("launcher=nope", "joblib"),
    ("model=nosuchmodel", "mlp"), ("dataset=nosuchdata", "iris"),
])
def test_unknown_option_of_a_group_lists_the_options(override, available):
    with pytest.raises(ConfigError) as caught:
        preflight([override])
    message = str(caught.value)
    assert message.startswith(f"{override}: no such ") and available in message
    assert "schema" not in message and "\n" not in message


# Keys no schema has: each must be refused, not run under a new hash.
@pytest.mark.parametrize("override, names", [
    ("pruning.sparsity=1.5", "pruning.sparsity"),
    ("pruning.sparsity=-0.1", "pruning.sparsity"),
    ("pruning.budget_per_arm=-1", "pruning.budget_per_arm"),
    ("seed=abc", "seed"),
    ("seed=1.5", "seed"),
    ("seed=-2", "seed"),
    ("policy.cc=3", "policy.cc"),
    ("+policy.cc=3", "+policy.cc=3"),
    ("pruning.sparsityy=0.5", "pruning.sparsityy"),
    ("+pruning.sparsityy=0.3", "+pruning.sparsityy=0.3"),
    ("++pruning.sparsityy=0.3", "++pruning.sparsityy=0.3"),
    ("+runtime.threadz=2", "+runtime.threadz=2"),
    ("+foo=1", "+foo=1"),
    ("polcy=ucb1", "polcy=ucb1"),
    ("+experiment=nope", "+experiment=nope"),
    ("+pruning.reward.scal=1", "+pruning.reward.scal=1"),
])
def test_bad_values_name_the_key(override, names):
    with pytest.raises(ConfigError) as caught:
        preflight([override])
    message = str(caught.value)
    assert names in message and "\n" not in message


def test_misspelt_key_suggests_the_real_one():
    with pytest.raises(ConfigError, match=r"did you mean pruning\.sparsity\?"):
        preflight(["+pruning.sparsityy=0.3"])


def test_keys_a_schema_declares_may_be_added():
    preflight(["+experiment=smoke"])  # an experiment file is a group, not a key
    preflight(["++pruning.sparsity=0.3"])  # ++ on a declared key only sets it


def test_bad_value_on_the_command_line_is_one_line_and_writes_nothing(tmp_path):
    done = run_cli("pruning.sparsity=1.5", f"runtime.results_dir={tmp_path / 'r'}", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: pruning.sparsity=1.5: must be in [0, 1)"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, names", [
    (["+pruning.sparsityy=0.3"], "+pruning.sparsityy=0.3"),
    (["-m", "policy=ucb1,nope"], "policy=nope: no such policy"),
    (["-m", "seed=0,1", "pruning.sparsity=0.5,1.5"], "pruning.sparsity=1.5"),
    (["-m", "+experiment=nope", "seed=0,1"], "+experiment=nope"),
    (["-m", "launcher=nope", "seed=0,1"], "launcher=nope"),
])
def test_strict_overrides_single_and_multirun_exit_2_writing_nothing(tmp_path, args, names):
    done = run_cli(*args, f"runtime.results_dir={tmp_path / 'r'}", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and names in lines[0], lines
    assert list(tmp_path.iterdir()) == []


def test_multirun_expands_jobs_as_hydra_does():
    sweep = preflight_sweep(["policy=ucb1,magnitude", "seed=0,1"])
    assert sweep.jobs == [["policy=ucb1", "seed=0"], ["policy=ucb1", "seed=1"],
                          ["policy=magnitude", "seed=0"], ["policy=magnitude", "seed=1"]]


def test_required_value_left_unset_is_named():
    with pytest.raises(ConfigError, match=r"dataset\.path.*is required"):
        preflight(["task=text", "dataset=text_csv"])
