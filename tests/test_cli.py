"""The command line as a user meets it: `python -m mabbench ...`."""
from __future__ import annotations

import pytest

from conftest import TINY, run_cli
from mabbench.errors import ConfigError
from mabbench.preflight import preflight


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
    assert list(tmp_path.iterdir()) == [results]  # nothing in the working directory


def test_unavailable_task_and_policy_list_the_choices(tmp_path):
    done = run_cli("task=nosuchtask", "policy=nosuchpolicy", f"runtime.results_dir={tmp_path}",
                   cwd=tmp_path)
    assert done.returncode != 0
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "available tasks:" in message and "tabular" in message
    assert "available policies:" in message and "ucb1" in message
    assert "_schema" not in message and "schema" not in message.split("available")[1]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("override, names", [
    ("pruning.sparsity=1.5", "pruning.sparsity"),
    ("pruning.sparsity=-0.1", "pruning.sparsity"),
    ("pruning.budget_per_arm=-1", "pruning.budget_per_arm"),
    ("seed=abc", "seed"),
    ("seed=1.5", "seed"),
    ("seed=-2", "seed"),
    ("policy.cc=3", "policy.cc"),
    ("pruning.sparsityy=0.5", "pruning.sparsityy"),
])
def test_bad_values_name_the_key(override, names):
    with pytest.raises(ConfigError) as caught:
        preflight([override])
    message = str(caught.value)
    assert names in message and "\n" not in message


def test_bad_value_on_the_command_line_is_one_line_and_writes_nothing(tmp_path):
    done = run_cli("pruning.sparsity=1.5", f"runtime.results_dir={tmp_path / 'r'}", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: pruning.sparsity=1.5: must be in [0, 1)"
    assert list(tmp_path.iterdir()) == []


def test_required_value_left_unset_is_named():
    with pytest.raises(ConfigError, match=r"dataset\.path.*is required"):
        preflight(["task=text", "dataset=text_csv"])
