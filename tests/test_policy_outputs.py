"""What a policy or baseline returns is checked before the engine uses it: NaN or
infinite estimates, a select that repeats, skips or invents arms, a baseline score of
the wrong shape each end the trial with a failure record whose one-line reason names
the policy and the value (before: all-NaN estimates were stored as a normal result)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import TINY, compose_config

from baselines.base import Scorer
from mabbench.policies.ucb1 import UCB1
from mabbench.trial.run import run_trial


class NaNEstimates(UCB1):
    name = "nan_estimates"

    def estimates(self):
        return np.full(self.n_arms, np.nan)


class InfiniteEstimates(UCB1):
    name = "inf_estimates"

    def estimates(self):
        return np.where(np.arange(self.n_arms) % 2, np.inf, -np.inf)


class ShortEstimates(UCB1):
    name = "short_estimates"

    def estimates(self):
        return np.zeros(self.n_arms - 1)


class RepeatsAnArm(UCB1):
    name = "repeats"

    def _select(self, k):
        return np.zeros(k, dtype=np.int64)


class FewerArms(UCB1):
    name = "fewer"

    def _select(self, k):
        return super()._select(k)[:-1]


class NaNScores(Scorer):
    name = "nan_scores"

    def __init__(self, variant=None, **rest):  # takes magnitude's keys, whose YAML it borrows
        super().__init__(**rest)

    def importance(self, ctx, cost):
        return {layer: torch.full((width,), float("nan")) for layer, width in ctx.widths.items()}


CASES = {
    "NaNEstimates": "policy nan_estimates: estimates() holds 12 non-finite value(s) of 12 "
                    "(arm 0: nan)",
    "InfiniteEstimates": "policy inf_estimates: estimates() holds 12 non-finite value(s)",
    "ShortEstimates": "policy short_estimates: estimates() has shape (11,), expected (12,)",
    "RepeatsAnArm": "policy repeats: select(2) returned [0, 0]: an arm appears twice",
    "FewerArms": "policy fewer: select(2) returned [",
    "NaNScores": "policy nan_scores: importance()['hidden0'] holds 12 non-finite value(s) "
                 "(unit 0: nan)",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return tmp_path_factory.mktemp("outputs") / "results"


@pytest.mark.parametrize("method", list(CASES))
def test_a_bad_method_output_is_a_failure_naming_the_policy_and_value(method, results):
    policy = "magnitude" if method == "NaNScores" else "ucb1"
    cfg = compose_config([*TINY, "model.hidden=[12]", "pruning.arms_per_round=2",
                          f"policy={policy}", f"policy._target_=test_policy_outputs.{method}",
                          f"policy.name={method.lower()}"], results)
    outcome = run_trial(cfg)
    assert outcome["status"] == "failed", outcome
    assert outcome["reason"].startswith(f"MethodOutputError: {CASES[method]}"), outcome["reason"]
    assert "\n" not in outcome["reason"]
    folder = results / "runs" / "tabular" / cfg.dataset.name / method.lower()
    assert [p.name for p in folder.rglob("*.json")] == ["failed.json"]
    assert json.loads(next(folder.rglob("failed.json")).read_text())["stage"] == "ranking"
