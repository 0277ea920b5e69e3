"""``runtime.timeout``: a trial that runs too long (a select that never returns) ends
as that trial's failure, with a failure record naming the limit and the stage; the
next trial runs. Before: the trial, and its sweep, hung forever."""
from __future__ import annotations

import json
import time

import pytest
from conftest import TINY, compose_config

from mabbench.config.errors import ConfigError
from mabbench.policies.ucb1 import UCB1
from mabbench.trial.run import run_trial
from mabbench.trial.validate import validate


class NeverReturns(UCB1):
    name = "never_returns"

    def _select(self, k):
        while True:
            time.sleep(0.05)


def test_a_trial_past_its_timeout_is_recorded_as_failed_and_the_next_one_runs(tmp_path):
    results = tmp_path / "results"
    warm = compose_config([*TINY, "policy=magnitude"], results)  # caches the dense model
    assert run_trial(warm)["status"] == "done"
    hung = compose_config([*TINY, "policy._target_=test_trial_timeout.NeverReturns",
                           "policy.name=never_returns", "runtime.timeout=8"], results)
    start = time.perf_counter()
    outcome = run_trial(hung)
    assert time.perf_counter() - start < 60
    assert outcome["status"] == "failed"
    assert outcome["reason"] == "TrialTimeout: the trial ran past runtime.timeout=8 s"
    record = json.loads(next((results / "runs").rglob("never_returns/*/*/failed.json"))
                        .read_text())
    assert record["stage"] == "ranking"
    after = compose_config([*TINY, "policy=random", "runtime.timeout=60"], results)
    assert run_trial(after)["status"] == "done"  # the limit is per trial, and disarmed after


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_timeout_out_of_range_is_refused(tmp_path, value):
    with pytest.raises(ConfigError, match=f"^runtime.timeout={value}"):
        validate(compose_config([*TINY, f"runtime.timeout={value}"], tmp_path))
