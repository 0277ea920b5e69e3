"""A user's own policy, defined outside mabbench (tests/user_policy/: one class,
one YAML), runs through ``python -m mabbench policy=<it>`` with no edit to
mabbench: the path README.md's "Compare a method of your own" documents."""
from __future__ import annotations

import json

import pytest
from conftest import REPO, TINY, run_cli

from mabbench.config.errors import ConfigError
from mabbench.experiments.preflight import preflight

USER = REPO / "tests" / "user_policy"


def test_user_policy_runs_through_the_command_line(tmp_path):
    searchpath = f"hydra.searchpath=[file://{USER / 'conf'}]"
    result = run_cli(*TINY, "policy=shrunk_thompson", searchpath, f"runtime.results_dir={tmp_path}",
                     f"runtime.data_dir={tmp_path / 'data'}", env={"PYTHONPATH": str(USER)})
    assert result.returncode == 0, result.stderr
    [record_path] = (tmp_path / "runs").glob("*/*/shrunk_thompson/*/seed=0/result.json")
    record = json.loads(record_path.read_text())
    assert record["kind"] == "bandit"  # wrapped in the pull engine like a built-in policy
    assert record["cost"]["pulls"] > 0
    assert len(record["curve"]) >= 2


def test_user_policy_passes_preflight_and_its_typos_do_not(monkeypatch):
    """The command line composes the config before Hydra runs (preflight), with
    the same overrides: the searchpath must reach it, and a misspelt key of
    the user's YAML is caught there, naming the key. Preflight imports the class
    (its _target_ must subclass Policy), so its module is on the path as in the CLI."""
    monkeypatch.syspath_prepend(str(USER))
    searchpath = f"hydra.searchpath=[file://{USER / 'conf'}]"
    preflight(["policy=shrunk_thompson", searchpath])
    with pytest.raises(ConfigError, match="strengthh"):
        preflight(["policy=shrunk_thompson", "policy.strengthh=1", searchpath])


def test_user_policy_joins_an_experiment_grid():
    """``+experiment=reference policy=<mine>``: the grid's ``policy: all`` sees the
    user's conf/policy/ through the search path, so the user's jobs are selected."""
    searchpath = f"hydra.searchpath=[file://{USER / 'conf'}]"
    result = run_cli("-m", "+experiment=reference", "policy=shrunk_thompson", "task=tabular",
                     "dataset=iris", searchpath, "hydra.sweeper.dry_run=true",
                     env={"PYTHONPATH": str(USER)})
    assert result.returncode == 0, result.stderr
    jobs = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert len(jobs) == 5 and all("policy=shrunk_thompson" in job for job in jobs), result.stdout
