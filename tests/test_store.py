"""Run identity: hashes that must not drift, and the layout a sweep resumes from."""
from __future__ import annotations

import json

import pytest
from omegaconf import OmegaConf

from baselines.schemas import MagnitudeConfig
from mabbench.config.schemas import Config, DatasetConfig, TaskConfig
from mabbench.files.atomic import atomic_write_json
from mabbench.models.schemas import MLPConfig
from mabbench.policies.ucb1 import UCB1Config
from mabbench.store import identity


def schema_config(**changes):
    """A config built from the schemas alone, so YAML edits cannot move the pins."""
    cfg = OmegaConf.structured(Config(
        task=TaskConfig(name="tabular", metric="accuracy", loss="cross_entropy"),
        dataset=DatasetConfig(name="breast_cancer", family="tabular"),
        model=MLPConfig(),
        policy=UCB1Config(),
    ))
    for key, value in changes.items():
        OmegaConf.update(cfg, key, value, merge=False)
    return cfg


# None of these should change: results on disk are found by them. If a default
# must change, old results are orphaned on purpose - say so in the commit.
# (Re-pinned for identity.PROTOCOL_VERSION 2, the four data roles; again for 3:
# equal-compute endpoints, regimes and equal schedules change what a record
# means, docs/protocol.md "v3". Dense hashes did not change: test_hashes.py.)
PINNED = [
    ({}, "d6ff207789d2"),
    ({"pruning.sparsity": 0.7}, "344708521399"),
    ({"policy.c": 1.0}, "7ad599e525a0"),
]


@pytest.mark.parametrize("changes, expected", PINNED)
def test_pinned_hashes(changes, expected):
    assert identity.config_hash(schema_config(**changes)) == expected


def test_hash_ignores_seed_runtime_and_data_card():
    base = identity.config_hash(schema_config())
    assert identity.config_hash(schema_config(seed=3)) == base
    assert identity.config_hash(schema_config(**{"runtime.results_dir": "/elsewhere",
                                              "runtime.device": "cuda",
                                              "runtime.threads": 1})) == base
    assert identity.config_hash(schema_config(**{"dataset.source": "a new citation"})) == base


def test_hash_sees_what_changes_the_outcome():
    base = identity.config_hash(schema_config())
    assert identity.config_hash(schema_config(**{"pruning.budget_per_arm": 9.0})) != base
    assert identity.config_hash(schema_config(**{"task.train.epochs": 7})) != base
    swapped = schema_config()
    swapped.policy = OmegaConf.structured(MagnitudeConfig())
    assert identity.config_hash(swapped) != base


def test_key_at_its_default_is_not_hashed():
    """Writing a default explicitly (or adding an option) must not orphan results."""
    assert identity.config_hash(schema_config(**{"policy.c": 2.0})) == identity.config_hash(schema_config())


def test_dense_hash_is_shared_across_policies_and_pruning():
    base = schema_config()
    other = schema_config(**{"pruning.sparsity": 0.3})
    other.policy = OmegaConf.structured(MagnitudeConfig())
    assert identity.dense_hash(other) == identity.dense_hash(base)
    assert identity.dense_hash(schema_config(**{"task.train.lr": 0.1})) != identity.dense_hash(base)


def test_run_dir_layout(tmp_path):
    cfg = schema_config(seed=4, **{"runtime.results_dir": str(tmp_path)})
    assert identity.run_dir(cfg) == (tmp_path / "runs" / "tabular" / "breast_cancer" / "ucb1"
                                  / identity.config_hash(cfg) / "seed=4")


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "sub" / "result.json"
    atomic_write_json(target, {"a": 1})
    assert json.loads(target.read_text()) == {"a": 1}

    class Unserialisable:
        pass

    with pytest.raises(TypeError):
        atomic_write_json(target, {"a": Unserialisable()})
    assert json.loads(target.read_text()) == {"a": 1}  # the old file survives
    assert sorted(p.name for p in target.parent.iterdir()) == ["result.json"]


# A baseline's identity leaves out what only the pull engine reads (identity.BANDIT_ONLY_KEYS),
# so a budget sweep re-runs the bandits and finds the baselines done.
BANDIT_ONLY = {"pruning.budget_per_arm": 9.0, "pruning.arms_per_round": 4,
               "pruning.ranking": "cumulative", "pruning.reward.scale": 0.5}


def with_policy(policy, **changes):
    cfg = schema_config(**changes)
    cfg.policy = OmegaConf.structured(policy)
    return cfg


@pytest.mark.parametrize("key, value", BANDIT_ONLY.items())
def test_baseline_hash_ignores_bandit_only_keys(key, value):
    base = identity.config_hash(with_policy(MagnitudeConfig()))
    assert identity.config_hash(with_policy(MagnitudeConfig(), **{key: value})) == base
    # ... and a bandit's hash still sees them (its pins above are unchanged)
    assert identity.config_hash(schema_config(**{key: value})) != identity.config_hash(schema_config())


def test_baseline_hash_still_sees_what_a_baseline_reads():
    base = identity.config_hash(with_policy(MagnitudeConfig()))
    # since v3 a baseline follows the schedule too (baselines/staged.py)
    for key, value in {"pruning.sparsity": 0.3, "pruning.batch_size": 64,
                       "pruning.scope": "layer", "task.train.epochs": 7,
                       "pruning.schedule": "one_shot", "pruning.iterations": 5,
                       "pruning.regime": "finetune"}.items():
        assert identity.config_hash(with_policy(MagnitudeConfig(), **{key: value})) != base, key


def test_a_baseline_that_reads_the_budget_keeps_it_in_its_hash(monkeypatch):
    monkeypatch.setattr(MagnitudeConfig, "uses_pull_budget", True)
    assert identity.config_hash(with_policy(MagnitudeConfig(), **{"pruning.budget_per_arm": 9.0})) \
        != identity.config_hash(with_policy(MagnitudeConfig()))


def test_shapley_spends_the_pull_budget_so_its_hash_keeps_it():
    from baselines.schemas import ShapleyConfig

    assert identity.config_hash(with_policy(ShapleyConfig(), **{"pruning.budget_per_arm": 9.0})) \
        != identity.config_hash(with_policy(ShapleyConfig()))
