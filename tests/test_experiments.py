"""Named experiments (conf/experiment/): the reference grid is one Hydra multirun whose
jobs are the committed results, a slice selects from it, the smoke grid runs and
resumes, and OpenML-CC18 lists its 72 tasks without downloading anything."""
from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from conftest import CONF, run_cli
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

import mabbench.reference.config  # noqa: F401  (+reference=<comparator> composes)
from mabbench.config.errors import ConfigError
from mabbench.experiments import grid

CC18_TASKS = 72


@pytest.fixture(scope="module")
def hydra_repo():
    """Compose experiments and read conf/ the way the sweeper does."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONF), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()

        def expand(experiment: str) -> list[grid.Job]:
            cfg = compose("config", overrides=[f"+experiment={experiment}"],
                          return_hydra_config=True)
            return grid.expand(cfg.hydra.sweeper, grid.Catalog(loader.repository))

        def job_config(job: grid.Job, *extra: str):
            return compose("config", overrides=[*job.overrides, *extra])

        yield expand, job_config, grid.Catalog(loader.repository)
    GlobalHydra.instance().clear()


def test_reference_grid_covers_every_policy_dataset_and_comparator(hydra_repo):
    expand, _, catalog = hydra_repo
    jobs = expand("reference")
    trials = [j for j in jobs if j.part == "trials"]
    policies = catalog.options("policy")
    seeds = [str(s) for s in range(5)]
    for task in ("tabular", "regression"):
        datasets = {j.value("dataset") for j in trials if j.value("task") == task}
        assert len(datasets) >= {"tabular": 30, "regression": 15}[task], task
        for dataset, seed in itertools.product(datasets, seeds):
            ran = sorted(j.value("policy") for j in trials
                         if (j.value("dataset"), j.value("seed")) == (dataset, seed))
            assert ran == policies, (dataset, seed)
    offline = {j.value("dataset") for j in trials}
    assert {"breast_cancer", "diabetes"} <= offline
    assert not offline & {"adult", "csv"}  # online, user's file
    deep = [j for j in jobs if j.part == "deep"]
    rows = {(j.value("task"), j.value("dataset"), j.value("model")) for j in deep}
    suite = yaml.safe_load((CONF / "suite" / "deep.yaml").read_text())["rows"]
    assert len(rows) == len(suite) >= 12
    assert ("image", "digits", "vgg") in rows and ("reasoning", "babi_qa6", "memnet") in rows
    for row, seed in itertools.product(rows, seeds):
        ran = sorted(j.value("policy") for j in deep
                     if (j.value("task"), j.value("dataset"), j.value("model")) == row
                     and j.value("seed") == seed)
        assert ran == policies, (row, seed)
    comparators = {(j.value("task"), j.value("reference")) for j in jobs if j.part == "comparators"}
    assert ("tabular", "naive_bayes") in comparators  # a classifier-only comparator ...
    assert ("regression", "naive_bayes") not in comparators  # ... only where it applies
    assert ("regression", "svm") in comparators
    budget = [j for j in jobs if j.part == "budget"]
    assert {j.value("policy") for j in budget} == set(grid.bandit_policies(catalog, "tabular"))
    assert "magnitude" not in {j.value("policy") for j in budget}
    assert {j.value("pruning.budget_per_arm") for j in budget} == {"0.5", "1", "2", "10"}


def test_jobs_of_one_dataset_and_seed_run_together(hydra_repo):
    expand, _, _ = hydra_repo
    jobs = expand("reference")
    for stage in {job.stage for job in jobs}:  # the controls part comes back to each group
        order = [job.group for job in jobs if job.stage == stage]
        finished: set = set()
        for previous, current in itertools.pairwise(order):
            if current != previous:
                assert current not in finished, f"{current} split across stage {stage}"
                finished.add(previous)
    first = [job for job in jobs if job.stage == 0]
    leaders, rest, *_ = grid.batches(jobs, leaders_first=True)
    assert len(leaders) == len({job.group for job in first})
    assert len(leaders) + len(rest) == len(first)


def test_a_part_after_another_is_launched_in_a_later_batch(hydra_repo):
    expand, _, catalog = hydra_repo
    jobs = expand("reference")
    controls = [job for job in jobs if job.part == "controls"]
    methods = ["ucb1", "thompson", "magnitude", "taylor"]
    assert set(methods) <= set(catalog.options("policy"))
    deep_rows = {job.value("row") for job in jobs if job.part == "deep"}
    assert {job.value("row") for job in controls} == deep_rows
    assert len(controls) == len(deep_rows) * len(methods) ** 2 * 5  # the diagonal kept
    assert {(job.value("policy"), job.value("control.allocation")) for job in controls} == \
        set(itertools.product(methods, methods))
    for leaders_first in (True, False):
        batches = grid.batches(jobs, leaders_first)
        batch_of = {id(job): n for n, batch in enumerate(batches) for job in batch}
        last_deep = max(batch_of[id(job)] for job in jobs if job.part == "deep")
        assert min(batch_of[id(job)] for job in controls) > last_deep
        assert sum(map(len, batches)) == len(jobs)
    assert jobs[-len(controls):] == sorted(controls, key=jobs.index)  # listed last
    spec = {"seeds": [0], "parts": {
        "first": {"tasks": {"tabular": []}, "sweep": {"policy": ["ucb1"]}, "after": "later"},
        "later": {"tasks": {"tabular": []}, "sweep": {"policy": ["ucb1"]}, "after": ["first"]}}}
    with pytest.raises(ConfigError, match=r"parts.first.after: a circle \(first -> later -> first"):
        grid.expand(spec, catalog)
    spec["parts"]["first"]["after"] = "deeep"
    with pytest.raises(ConfigError, match="parts.first.after: no part 'deeep'"):
        grid.expand(spec, catalog)


def test_a_slice_selects_and_other_keys_apply_to_every_job(hydra_repo):
    expand, _, _ = hydra_repo
    jobs = expand("reference")
    image = grid.slice_jobs(jobs, [("seed", ["0"]), ("task", ["image"]), ("runtime.threads", ["2"])])
    assert {(j.value("task"), j.value("seed")) for j in image} == {("image", "0")}
    assert all(j.overrides[-1] == "runtime.threads=2" for j in image)
    assert len(image) == len([j for j in jobs if j.value("task") == "image"]) // 5
    vgg = grid.slice_jobs(jobs, [("model", ["vgg"]), ("dataset", ["digits"])])
    assert {j.value("row") for j in vgg} == {"vgg_digits"}
    with pytest.raises(ConfigError, match="seed=7: not in this grid"):
        grid.slice_jobs(jobs, [("seed", ["7"])])


def test_unknown_selector_fails_with_the_choices(hydra_repo):
    _, _, catalog = hydra_repo
    spec = {"seeds": [0], "parts": {"p": {"tasks": {"tabular": []}, "sweep": {"policy": "alll"}}}}
    with pytest.raises(ConfigError, match="selectors for policy: all, bandits, baselines"):
        grid.expand(spec, catalog)


def test_openml_cc18_lists_its_72_tasks_offline(hydra_repo, monkeypatch, tmp_path):
    expand, job_config, catalog = hydra_repo
    jobs = expand("openml_cc18")
    trials = [j for j in jobs if j.part == "trials"]
    ids = {j.value("dataset.data_id") for j in trials}
    names = {j.value("dataset.name") for j in trials}
    assert len(ids) == len(names) == CC18_TASKS
    assert {"3", "554", "1590", "40927", "41027"} <= ids  # kr-vs-kp, mnist_784, adult, CIFAR_10
    assert len(trials) == CC18_TASKS * len(catalog.options("policy")) * 3
    cfg = job_config(trials[0], f"runtime.data_dir={tmp_path}")
    assert (cfg.dataset.name, cfg.dataset.data_id, cfg.dataset.online) == ("kr-vs-kp", 3, True)
    # The OpenML loader asks for the data set by its id (no network: the call is caught).
    from mabbench.tasks import load_splits, openml

    asked = {}

    def fake_fetch(**kwargs):
        asked.update(kwargs)
        raise OSError("offline in tests")

    monkeypatch.setattr(openml.sk_datasets, "fetch_openml", fake_fetch)
    monkeypatch.delenv("MABBENCH_OFFLINE", raising=False)
    with pytest.raises(ConfigError, match="needs a download"):
        load_splits(cfg)
    assert asked["data_id"] == 3 and "name" not in asked
    assert not any(tmp_path.iterdir())  # nothing half-written


def test_smoke_experiment_runs_every_part_and_resumes(tmp_path):
    results = tmp_path / "results"
    args = ["-m", "+experiment=smoke", f"runtime.results_dir={results}"]
    first = run_cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    written = sorted(results.glob("runs/tabular/iris/*/*/seed=0/result.json"))
    assert [p.parts[-4] for p in written] == ["knn", "magnitude", "ucb1", "ucb1"]
    stamps = [p.stat().st_mtime_ns for p in written]
    again = run_cli(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert [p.stat().st_mtime_ns for p in written] == stamps  # nothing recomputed
    assert "sweep: done 0 / skipped 4 / failed 0" in again.stdout
    listed = run_cli(*args, "policy=ucb1", "hydra.sweeper.dry_run=true", cwd=tmp_path)
    assert listed.returncode == 0 and "2 jobs: trials 1, budget 1" in listed.stdout
    assert "sweep:" not in listed.stdout  # a dry run ran nothing: no outcome line


def test_a_grid_job_that_never_reported_counts_as_failed(tmp_path):
    from mabbench.experiments import sweep

    sweep.write_job_list(tmp_path, [["seed=0", "policy=a"], ["seed=0", "policy=b"]])
    sweep._write(SimpleNamespace(sweep=SimpleNamespace(dir=str(tmp_path)),
                                 job=SimpleNamespace(num=0)),
                 sweep.Outcome("done", ["seed=0", "policy=a"]))
    outcomes = sweep.read_outcomes(tmp_path, None)
    assert [o.status for o in outcomes] == ["done", "failed"]
    assert "never started" in outcomes[1].reason
    assert "failed policy=b" in sweep.summary(outcomes)


def test_a_value_outside_the_grid_is_one_line_and_exit_2(tmp_path):
    done = run_cli("-m", "+experiment=smoke", "seed=7", f"runtime.results_dir={tmp_path / 'r'}",
                   cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: seed=7: not in this grid (seed: 0)"]
    assert not (tmp_path / "r").exists()


@pytest.mark.slow  # the in-process tests above cover the listing; this is the CLI path
def test_dry_run_of_the_reference_grid_lists_every_job(tmp_path):
    done = run_cli("-m", "+experiment=reference", "hydra.sweeper.dry_run=true", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith(f"{len(lines) - 1} jobs: trials ")
    assert not Path(tmp_path / "results").exists()


def test_a_key_no_schema_has_is_refused_in_a_grid_too(tmp_path):
    done = run_cli("-m", "+experiment=smoke", "+pruning.sparsityy=0.3",
                   f"runtime.results_dir={tmp_path / 'results'}", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: +pruning.sparsityy=0.3: pruning has no key or config group 'sparsityy' "
        "(did you mean pruning.sparsity?)"]
    assert not (tmp_path / "results").exists()

