"""A standing control: allocation across layers x order within a layer.

A pruning method decides how many units each layer loses at a budget (allocation)
and which units of a layer go first (order). At every equal-compute endpoint of
method A's record, the control keeps A's per-layer counts (``removed_per_layer``,
mabbench/trial/endpoints.py) and removes in each layer the first that many units of
method B's order (B: the job's policy). Same counts, same shapes: the cut costs
exactly A's cut, which is checked. The control ranks nothing: both methods' finished
records are read (control_inputs.py), the cached dense model is loaded, and each cut
is scored as cut (one_shot). The diagonal (A = B) is B's own endpoint again.
"""
from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.files.atomic import atomic_write_text
from mabbench.files.integrity import write_checked_json
from mabbench.pruning.arms import prunable_widths
from mabbench.pruning.compaction import compact
from mabbench.runtime import memo, timing
from mabbench.runtime.process import (
    apply_runtime,
    autocast,
    device_name,
    job_index,
    resolve_device,
    seed_everything,
)
from mabbench.runtime.timing import phase
from mabbench.store import identity
from mabbench.store.failures import NotReady, Stage
from mabbench.store.provenance import git_commit, versions
from mabbench.store.rerun import RERUN_NAME, rerun_text
from mabbench.tasks import load_splits
from mabbench.trial.control_identity import control_dir, control_hash, label
from mabbench.trial.control_inputs import Found, allocation_record, order_record
from mabbench.trial.curve import point
from mabbench.trial.curve_summary import axis_summary
from mabbench.trial.resume import run_recorded
from mabbench.trial.training import dense_model
from mabbench.trial.validate import validate

# The cut's own costs, which must equal the allocation method's cut.
COSTS = ("macs", "params")


def run_control(cfg: DictConfig) -> dict:
    """The control's record, through the store's skip / failure contract; a missing
    input raises NotReady (nothing recorded), bad input ConfigError."""
    validate(cfg)
    return run_recorded(cfg, control_dir(cfg), control_hash(cfg),
                        lambda result_path, stage: _control(cfg, result_path, stage))


def spliced_plan(counts: dict[str, int], order: dict[str, list[int]]) -> dict[str, list[int]]:
    """In each layer, the first ``counts[layer]`` units of ``order[layer]``."""
    return {layer: list(order[layer][:count]) for layer, count in counts.items() if count}


def _control(cfg: DictConfig, result_path, stage: Stage) -> dict:
    stage("read records")
    allocation, order = allocation_record(cfg), order_record(cfg)
    _check_inputs(allocation, order)
    device = resolve_device(cfg.runtime.device, job_index())
    apply_runtime(cfg.runtime)
    seed_everything(cfg.seed)
    stage("load data")
    with phase("load"):
        splits = memo.splits(cfg, load_splits)
        stage("dense model")
        model, _ = dense_model(cfg, splits, device)  # cached by the methods' trials
        widths = prunable_widths(model, cfg.pruning.layers)
        _check_layers(widths, allocation, order)
    splits.to(device)
    folder = result_path.parent
    atomic_write_text(folder / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    atomic_write_text(folder / RERUN_NAME, rerun_text(cfg))  # composable again: store/rerun.py
    dense = order.record["dense"]  # the same dense model (dense hash checked), scored once
    stage("control cuts")
    with autocast(device, cfg.runtime.precision), phase("endpoints"):
        endpoints = control_endpoints(model, splits, cfg, dense, allocation.record,
                                      order.record["ranking"])
    root = identity.results_root(cfg)
    record = {
        "schema_version": 3,
        "task": cfg.task.name, "dataset": cfg.dataset.name, "model": cfg.model.name,
        "policy": label(cfg), "kind": "control", "seed": cfg.seed,
        "control_allocation": allocation.method, "control_order": order.method,
        "inputs": {role: {"path": found.path.relative_to(root).as_posix(),
                          "config_hash": found.record["config_hash"]}
                   for role, found in (("allocation", allocation), ("order", order))},
        "config_hash": control_hash(cfg), "dense_hash": identity.dense_hash(cfg),
        "metric": cfg.task.metric, "scope": cfg.pruning.scope, "layers": widths,
        "regime": cfg.pruning.regime, "schedule": None,
        "endpoints": endpoints,
        "split_sizes": splits.sizes(),
        # no curve of its own: the dense model stands for every named point, as a
        # comparator's fit does; tables read a control by its endpoints only
        "dense": dense, "curve": [dense], "target": dense, "selected": dense,
        "cost": {"pulls": 0, "forward_flops": 0.0, "seconds": 0.0, "forward_passes": 0.0},
        "ranking": {}, "device": str(device), "device_name": device_name(device),
        "precision": cfg.runtime.precision,
        "versions": versions(), "git_commit": git_commit(),
        "timing": timing.spent(),  # seconds per phase (mabbench/runtime/timing.py)
    }
    stage("write result")
    write_checked_json(result_path, record)
    return record | {"path": str(result_path)}


def control_endpoints(model, splits, cfg: DictConfig, dense: dict, allocation: dict,
                      order: dict[str, list[int]]) -> dict:
    """Per axis of the allocation record's endpoints, each reached fraction cut with its
    counts filled by ``order``, scored as cut; unreached where the allocation's was."""
    example = tuple(x[:2] for x in splits.select.inputs)
    total = sum(allocation["layers"].values())
    result = {}
    for axis, found in allocation["endpoints"].items():
        points: dict[str, dict | None] = {}
        for fraction, theirs in found["points"].items():
            if theirs is None:
                points[fraction] = None
                continue
            counts = theirs["removed_per_layer"]
            smaller = compact(model, spliced_plan(counts, order), example)
            scored = point(smaller, splits, cfg.task.metric, theirs["arms_removed"] / total)
            for cost in COSTS:
                if scored[cost] != theirs[cost]:
                    raise ValueError(f"the {axis} {fraction} cut of the allocation's counts "
                                     f"filled by the order costs {scored[cost]} {cost}, the "
                                     f"allocation's own cut {theirs[cost]}: equal counts gave "
                                     "unequal shapes")
            points[fraction] = scored | {
                "fraction": theirs["fraction"], "arms_removed": theirs["arms_removed"],
                "mac_fraction": scored["macs"] / dense["macs"],
                "param_fraction": scored["params"] / dense["params"],
                "select_as_cut": scored["select"], "test_as_cut": scored["test"],
                "recovery": {}, "removed_per_layer": counts}
        result[axis] = {"points": points, "floor": found["floor"],
                        **axis_summary(points, dense, cfg.pruning.compression_delta)}
    return result


def _check_inputs(allocation: Found, order: Found) -> None:
    """Each record can play its role: a pruned method's, with what the control reads."""
    for found, role, needs in ((allocation, "allocation", "per-layer counts"),
                               (order, "order", "order within a layer")):
        if found.record.get("kind") == "unpruned" or not found.record.get("ranking"):
            raise ConfigError(f"control.{role}: policy={found.method} prunes nothing, so it "
                              f"has no {needs}; choose a pruning method")
    endpoints = allocation.record.get("endpoints") or {}
    points = [p for axis in endpoints.values()
              for p in (axis.get("points") or {}).values() if p is not None]
    # A record with endpoints but none reached (a memory network whose embeddings hold
    # most MACs) is ready: its control is unreached wherever it is.
    if not endpoints or any("removed_per_layer" not in p for p in points):
        raise NotReady(f"control {allocation.method}__{order.method}: policy="
                       f"{allocation.method}'s record {allocation.path} predates per-layer "
                       "counts at its endpoints; run its trial again with runtime.force=true first")


def _check_layers(widths: dict[str, int], allocation: Found, order: Found) -> None:
    for found in (allocation, order):
        if found.record.get("layers") != widths:
            raise ValueError(f"policy={found.method}'s record ({found.path}) prunes layers "
                             f"{found.record.get('layers')}, this model {widths}")
    for layer, width in widths.items():
        if sorted(order.record["ranking"].get(layer, ())) != list(range(width)):
            raise ValueError(f"policy={order.method}'s order of layer {layer} "
                             f"({order.path}) is not a permutation of its {width} units")

