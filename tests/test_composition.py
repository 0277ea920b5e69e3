"""A grid job's config derived from an earlier job's (mabbench/experiments/composition.py) is the
config Hydra composes for it, and a derivation that would differ is refused."""
from __future__ import annotations

import pytest
from conftest import CONF
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf, open_dict

import mabbench.reference.config  # noqa: F401  (+reference=<comparator> composes)
from mabbench.experiments import grid
from mabbench.experiments.composition import Composer, same_config

DERIVE = ("policy", "reference", "seed")


@pytest.fixture(scope="module")
def sweep():
    """The reference grid's master config, its loader, and a slice of its jobs: two
    data sets (two tasks), two seeds, bandits, baselines, comparators, the budget part."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONF), version_base="1.3"):
        master = compose("config", overrides=["+experiment=reference"], return_hydra_config=True)
        loader = GlobalHydra.instance().config_loader()
        jobs = grid.expand(master.hydra.sweeper, grid.Catalog(loader.repository))
        chosen = {"policy": {"ucb1", "thompson", "magnitude", "none", "oracle"},
                  "reference": {"knn", "svm"}}
        picked = [j for j in jobs
                  if j.value("dataset") in ("breast_cancer", "diabetes") and j.value("seed") in ("0", "1")
                  and j.part != "ablation"
                  and all(j.value(k) in names for k, names in chosen.items()
                          if j.value(k) is not None)]
        yield master, loader, picked
    GlobalHydra.instance().clear()


def test_every_derived_config_is_the_one_hydra_composes(sweep):
    master, loader, jobs = sweep
    composer = Composer()
    for job in jobs:
        fast = composer.load(loader, master, list(job.overrides), DERIVE)
        assert same_config(fast, loader.load_sweep_config(master, list(job.overrides))), job
        assert list(fast.hydra.overrides.task) == list(job.overrides)
    assert composer.derived > len(jobs) // 2  # most jobs were derived, not composed
    assert not composer.refused
    parts = {j.part for j in jobs}
    assert {"trials", "comparators", "budget"} <= parts


def test_a_derived_job_may_change_its_config_without_touching_the_next(sweep):
    master, loader, jobs = sweep
    composer = Composer()
    first, second = [j for j in jobs if j.value("policy") == "ucb1"][:2]
    cfg = composer.load(loader, master, list(first.overrides), DERIVE)
    with open_dict(cfg):
        cfg.pruning.sparsity = 0.123
    again = composer.load(loader, master, list(second.overrides), DERIVE)
    assert again.pruning.sparsity != 0.123


def test_a_derivation_that_differs_from_hydra_is_refused(sweep, monkeypatch):
    """A policy option whose config changed another node would make its derived jobs
    wrong; the first derivation per process is checked in full and turns it off."""
    master, loader, jobs = sweep
    composer = Composer()
    ucb1 = [j for j in jobs if j.value("policy") == "ucb1" and j.part == "trials"]
    real = loader.load_sweep_config

    def policy_moves_the_sparsity(master_config, overrides):
        cfg = real(master_config, overrides)
        if "policy=ucb1" in overrides and "dataset=diabetes" in overrides:
            with open_dict(cfg):
                cfg.pruning.sparsity = 0.25  # as a defaults-list override would
        return cfg

    monkeypatch.setattr(loader, "load_sweep_config", policy_moves_the_sparsity)
    diabetes = [j for j in jobs if j.value("dataset") == "diabetes" and j.part == "trials"]
    for job in [*ucb1[:1], *diabetes]:  # ucb1 is known from breast_cancer when diabetes asks for it
        fast = composer.load(loader, master, list(job.overrides), DERIVE)
        assert same_config(fast, policy_moves_the_sparsity(master, list(job.overrides))), job
    assert ("policy", "ucb1") in composer.refused


def test_same_config_sees_a_structured_type_that_differs(sweep):
    master, loader, jobs = sweep
    cfg = loader.load_sweep_config(master, list(jobs[0].overrides))
    plain = OmegaConf.create(OmegaConf.to_container(cfg))
    assert OmegaConf.to_container(plain) == OmegaConf.to_container(cfg)
    assert not same_config(plain, cfg)


def test_another_sweep_derives_nothing_from_the_first(sweep):
    """The cache belongs to one sweep (its master config, sweep folder included): a
    later sweep in the same process composes its first jobs in full again."""
    master, loader, jobs = sweep
    composer = Composer()
    ucb1 = [j for j in jobs if j.value("policy") == "ucb1" and j.part == "trials"
            and j.value("dataset") == "breast_cancer"]
    seed0, seed1 = ucb1[0], ucb1[1]
    assert (seed0.value("seed"), seed1.value("seed")) == ("0", "1")
    composer.load(loader, master, list(seed0.overrides), DERIVE)
    composer.load(loader, master, list(seed1.overrides), DERIVE)
    assert composer.derived == 1
    other = master.copy()
    with open_dict(other):
        other.hydra.overrides.hydra.append("hydra.job.chdir=false")
    cfg = composer.load(loader, other, list(seed1.overrides), DERIVE)
    assert composer.derived == 1 and len(composer.bases) == 1  # only the new sweep's job
    assert same_config(cfg, loader.load_sweep_config(other, list(seed1.overrides)))
