"""The one place a trial is wired: config -> data -> dense model -> method ->
compaction -> curve -> record."""
from __future__ import annotations

import logging
import math

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

import baselines  # noqa: F401  (registers the baseline schemas)
from baselines.oracle import oracle_scores
from mabbench.files.atomic import atomic_write_text
from mabbench.files.integrity import non_finite_paths, write_checked_json
from mabbench.models import build_model
from mabbench.policies.base import Policy
from mabbench.pruning.arms import prunable_widths
from mabbench.pruning.bandit import BanditMethod
from mabbench.pruning.context import PruningContext
from mabbench.pruning.ranking import spearman_per_layer
from mabbench.pruning.saved import point_dir, save_pruned
from mabbench.runtime import memo, timing
from mabbench.runtime.process import (
    apply_runtime,
    autocast,
    device_name,
    job_index,
    resolve_device,
    seed_everything,
)
from mabbench.runtime.progress import log_to_file
from mabbench.runtime.timing import phase
from mabbench.store import identity
from mabbench.store.failures import Diverged, Stage
from mabbench.store.provenance import git_commit, versions
from mabbench.store.rerun import RERUN_NAME, rerun_text
from mabbench.tasks import load_splits
from mabbench.tasks.objectives import LOSSES
from mabbench.trial.buildable import confined
from mabbench.trial.curve import point, sparsity_curve, time_level
from mabbench.trial.curve_summary import (
    area_under_curve,
    metric_at_macs,
    select_point,
    trivial_scores,
)
from mabbench.trial.endpoints import equal_compute, schedule_of, unpruned_endpoints
from mabbench.trial.kinds import job_kind
from mabbench.trial.regimes import RecoveryJob
from mabbench.trial.resources import check_fits
from mabbench.trial.resume import run_recorded
from mabbench.trial.tracking import finish_run, live_run, require_wandb
from mabbench.trial.training import dense_model
from mabbench.trial.validate import validate

log = logging.getLogger(__name__)


def build_method(policy_cfg: DictConfig):
    """A bandit ``Policy`` class is wrapped in the pull engine; anything else
    (a baseline) already has ``rank(ctx)``."""
    confined(policy_cfg, "policy")  # never call what a _target_ names unless it is a method
    params = OmegaConf.masked_copy(policy_cfg, [k for k in policy_cfg if k != "name"])
    factory = instantiate(params, _partial_=True)
    if isinstance(factory.func, type) and issubclass(factory.func, Policy):
        factory(n_arms=1, seed=0)  # a bad hyper-parameter fails now (ConfigError), not mid-run
        return BanditMethod(factory), "bandit"
    method = factory()
    return method, ("baseline" if getattr(method, "prunes", True) else "unpruned")


def ranking_quality(ctx: PruningContext, ranking) -> dict:
    """Spearman rho of the ranking against the oracle's (mean over layers and
    per layer; None where undefined), and what the oracle cost to compute.
    The oracle is computed once per dense model and cached beside it."""
    oracle, oracle_cost = oracle_scores(ctx)
    if ranking is None:
        per_layer = {layer: None for layer in ctx.widths}
    else:
        per_layer = {layer: (None if math.isnan(rho) else rho)
                     for layer, rho in spearman_per_layer(ranking.scores, oracle).items()}
    defined = [rho for rho in per_layer.values() if rho is not None]
    return {"spearman_oracle": sum(defined) / len(defined) if defined else None,
            "spearman_oracle_per_layer": per_layer, "oracle_cost": vars(oracle_cost)}


def model_saver(cfg: DictConfig, folder, splits):
    """With ``pruning.save_models``, a curve callback storing each smaller model
    (mabbench.pruning.saved; reload with ``load_pruned``)."""
    if not cfg.pruning.save_models:
        return None
    model_cfg = OmegaConf.to_container(cfg.model, resolve=True)

    def save(level, removed, smaller, example):
        save_pruned(point_dir(folder, level), smaller, removed, example, model_cfg,
                    splits.n_outputs, splits.info, level)
    return save


def run_trial(cfg: DictConfig) -> dict:
    """Run one trial; return its record with ``status`` done, ``skipped`` (a
    trusted result.json exists) or ``failed`` (failed.json written, or found
    from an earlier run and ``runtime.retry_failed`` is false). Bad input
    (ConfigError) is raised, and nothing is written."""
    kind = job_kind(cfg)
    if kind is not None:  # a classical comparator or a control, not a method's trial
        return kind.run(cfg)
    validate(cfg)
    return run_recorded(cfg, identity.run_dir(cfg), identity.config_hash(cfg),
                        lambda result_path, stage: _run_trial(cfg, result_path, stage))


def _run_trial(cfg: DictConfig, result_path, stage: Stage) -> dict:
    folder = result_path.parent
    stage("build method")
    method, kind = build_method(cfg.policy)
    wandb = require_wandb(cfg)
    device = resolve_device(cfg.runtime.device, job_index())
    autocast(device, cfg.runtime.precision)  # a bad value fails before any work

    def precision():
        return autocast(device, cfg.runtime.precision)
    apply_runtime(cfg.runtime)
    with log_to_file(folder, identity.results_root(cfg)), live_run(wandb, cfg) as tracked:
        log.info("trial %s on %s (%s)", folder, device_name(device), cfg.runtime.precision)
        return _run(cfg, folder, method, kind, tracked, device, precision, stage)


def _run(cfg, folder, method, kind, tracked, device, precision, stage: Stage) -> dict:
    result_path = folder / "result.json"
    seed_everything(cfg.seed)
    stage("load data")
    with phase("load"):
        splits = memo.splits(cfg, load_splits)
        check_fits(cfg, splits, device)  # an absurd width or batch is refused before allocating
        # bad layer names fail before any training (building an untrained model is cheap)
        widths = prunable_widths(build_model(cfg.model, splits), cfg.pruning.layers)
        stage("dense training")
        model, dense_meta = dense_model(cfg, splits, device)
    stage("dense evaluation")
    splits.to(device)
    atomic_write_text(folder / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    atomic_write_text(folder / RERUN_NAME, rerun_text(cfg))  # composable again: store/rerun.py
    metric = cfg.task.metric
    log.info("dense model ready (%.1f s training)", dense_meta["train_seconds"])
    with precision(), phase("curve"):  # the same dense model for every method: scored once
        dense = memo.DENSE_POINT.get_or_make(
            memo.node_key(str(identity.dense_dir(cfg)), str(device), metric, cfg.pruning.latency,
                          cfg.runtime.precision),
            lambda: point(model, splits, metric, 0.0, cfg.pruning.latency))
    dense = dense | {"train_seconds": dense_meta["train_seconds"]}

    _require_finite({"dense": dense}, "the dense model's scores")
    stage("ranking")
    seed_everything(cfg.seed)
    ctx = PruningContext(model=model, widths=widths, prune=splits.prune,
                         loss=LOSSES.get(cfg.task.loss), cfg=cfg.pruning, seed=cfg.seed,
                         device=device, cache_dir=identity.dense_dir(cfg))
    with precision(), phase("ranking"):  # once for every regime (memo.RANKING_FREE_KEYS)
        ranking = memo.RANKING.get_or_make(
            memo.ranking_key(cfg, str(identity.dense_dir(cfg)), str(device)),
            lambda: method.rank(ctx))
    log.info("ranking done: %s", vars(ranking.cost) if ranking is not None else "unpruned")
    with phase("ranking"):
        quality = ranking_quality(ctx, ranking) if cfg.pruning.oracle_rho else {}
    job = RecoveryJob(splits, cfg.pruning, cfg.task.loss, metric, cfg.seed)
    if ranking is None:  # the dense model at every fraction: nothing was cut
        curve, target, cost, order = [dense], dense, {}, {}
        endpoints = unpruned_endpoints(dense, cfg.pruning)
    else:
        stage("sparsity curve")
        levels = sorted(set(cfg.pruning.levels) | {cfg.pruning.sparsity} - {0.0})
        with precision(), phase("curve"):
            curve = sparsity_curve(model, ranking, widths, splits, metric, levels, cfg.pruning,
                                   job, model_saver(cfg, folder, splits))
        stage("equal-compute endpoints")
        with precision(), phase("endpoints"):
            endpoints = equal_compute(model, ranking, widths, splits, cfg.pruning, dense, job)
        target = next((p for p in curve if p["sparsity"] == cfg.pruning.sparsity), dense)
        cost, order = vars(ranking.cost), ranking.order
    with_dense = [dense, *(p for p in curve if p["sparsity"] != 0.0)]
    selected = select_point(with_dense)  # chosen on select (dense a candidate), reported on test
    if ranking is not None and selected is not dense:  # reported: timed (the curve times target)
        with precision(), phase("curve"):
            time_level(selected, model, ranking, widths, splits, cfg.pruning)

    record = {
        "schema_version": 3,
        "task": cfg.task.name, "dataset": cfg.dataset.name, "model": cfg.model.name,
        "policy": cfg.policy.name, "kind": kind, "seed": cfg.seed,
        "config_hash": identity.config_hash(cfg), "dense_hash": identity.dense_hash(cfg),
        "metric": metric, "scope": cfg.pruning.scope, "layers": widths,
        "regime": cfg.pruning.regime, "schedule": schedule_of(cfg, method, kind),
        "endpoints": endpoints,  # primary (protocol v3): equal MACs and parameters
        "split_sizes": splits.sizes(),
        "dense_training": dense_meta.get("training"),  # epochs run, best epoch on select
        "dense": dense, "curve": curve, "target": target, "selected": selected,
        "auc": {role: area_under_curve(with_dense, role) for role in ("select", "test")},
        "at_macs": metric_at_macs(with_dense, list(cfg.pruning.mac_fractions)),
        "trivial": trivial_scores(splits, metric),
        "cost": {"pulls": 0, "forward_flops": 0.0, "seconds": 0.0, "forward_passes": 0.0} | cost,
        "ranking": order, "device": str(device), "device_name": device_name(device),
        "precision": cfg.runtime.precision, **quality,
        "versions": versions(), "git_commit": git_commit(),
        "timing": timing.spent(),  # seconds per phase (mabbench/runtime/timing.py)
    }
    stage("write result")
    _require_finite(record, "the record")
    write_checked_json(result_path, record)
    log.info("done: %s", result_path)
    finish_run(tracked, record)
    record["path"] = str(result_path)
    return record


def _require_finite(values: dict, what: str) -> None:
    """Raise Diverged naming where a NaN or infinity sits (JSON cannot hold them)."""
    bad = non_finite_paths(values)
    if bad:
        raise Diverged(f"non-finite values in {what}: {', '.join(bad[:4])}")
