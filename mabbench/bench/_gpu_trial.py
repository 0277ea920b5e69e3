"""One trial of the GPU bench, as the command line runs it: the rows to run (every task
family's default and the chosen rows of conf/suite/deep.yaml), each row's config composed
with Hydra (``--quick`` shrinks it), and ``run_one``: ``run_trial`` in this process under
a time guard, with what it recorded, the seconds it spent, the device memory it used and
kept, and the warnings it raised. ``release`` drops what a trial leaves in the process
(the memo, the CUDA cache) between steps.
"""
from __future__ import annotations

import gc
import time
import warnings
from typing import Any

import torch
import yaml

from mabbench.bench._gpu_guard import Cut, time_limit
from mabbench.bench._gpu_types import Bench, Row

QUICK = ["task.train.epochs=2", "pruning.levels=[0.25,0.5]", "pruning.budget_per_arm=1",
         "pruning.latency.repeats=2", "pruning.latency.warmup=1"]
QUICK_ROW = {"vgg": ["dataset.limit=400", "model.stages=[[8,8],[16,16]]", "model.fc=[32]",
                     "pruning.oracle_rho=false"],
             "lstm": ["dataset.max_len=50", "dataset.vocab_size=2000"],
             "text_cnn": ["dataset.max_len=50", "dataset.vocab_size=2000"]}


# -- configs -------------------------------------------------------------------------------

def rows(deep: list[str], only: list[str] | None) -> list[Row]:
    """Every task family's default trial, then the chosen deep-suite rows."""
    from mabbench.config.location import CONF_DIR

    found = [Row(task, [f"task={task}"]) for task in
             sorted(p.stem for p in (CONF_DIR / "task").glob("*.yaml"))]
    suite = {r["name"]: r["overrides"] for r in
             yaml.safe_load((CONF_DIR / "suite" / "deep.yaml").read_text())["rows"]}
    for name in deep:
        if name not in suite:
            raise SystemExit(f"--deep {name}: no such row in conf/suite/deep.yaml; "
                             f"rows: {', '.join(suite)}")
        found.append(Row(name, list(suite[name]), deep=True))
    if only:
        found = [r for r in found if any(text in r.label for text in only)]
    return found


def compose(overrides: list[str]):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from mabbench.config.location import CONF_DIR

    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        cfg = hydra_compose("config", overrides=overrides)
    GlobalHydra.instance().clear()
    return cfg


def trial_cfg(bench: Bench, row: Row, store: str, device: str, precision: str = "fp32"):
    quick = []
    if bench.quick:
        quick = list(QUICK)
        for model, extra in QUICK_ROW.items():
            if f"model={model}" in row.overrides:
                quick += extra
    return compose([*row.overrides, *quick, f"seed={bench.seed}",
                    f"runtime.device={device}", f"runtime.precision={precision}",
                    f"runtime.threads={bench.threads}",
                    f"runtime.results_dir={bench.root / store}",
                    f"runtime.data_dir={bench.root / 'data'}"])


# -- one trial ----------------------------------------------------------------------------

def _mib(n: float) -> float:
    return round(n / 2 ** 20, 1)


def release(device: torch.device) -> None:
    """Drop what this process keeps between trials (the memo), collect, empty the cache."""
    from mabbench.runtime import memo

    memo.clear()
    gc.collect()
    if device.type == "cuda":
        try:
            torch.cuda.synchronize(device)
            torch.cuda.empty_cache()
        except RuntimeError as error:  # a broken context (a device-side assert): say so
            print(f"    CUDA: {error}", flush=True)


def run_one(bench: Bench, row: Row, kind: str, store: str, device: str, precision: str,
            limit: float) -> dict:
    """``run_trial`` under a time guard; what it recorded, spent and warned."""
    from mabbench.runtime import memo, timing
    from mabbench.trial.run import run_trial

    limit = min(limit, bench.left())
    out: dict[str, Any] = {"kind": kind, "device": device, "precision": precision,
                           "limit_s": round(limit, 1)}
    if limit < 5:
        return out | {"status": "skipped", "reason": "bench budget spent"}
    cfg = trial_cfg(bench, row, store, device, precision)
    row.model = f"{cfg.dataset.name}/{cfg.model.name}"
    memo.clear()  # every trial from disk, as a fresh process would (bf16 reads dev's model)
    gc.collect()
    on = torch.device(device)
    before = 0
    if on.type == "cuda":
        try:
            torch.cuda.synchronize(on)
            torch.cuda.reset_peak_memory_stats(on)
            before = torch.cuda.memory_allocated(on)
        except RuntimeError as error:
            return out | {"status": "failed", "reason": f"CUDA before the trial: {error}"}
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with time_limit(limit):
                record = run_trial(cfg)
            out |= {"status": record.get("status", "done"), "record": record}
            if out["status"] == "failed":
                out["reason"] = f"{record.get('stage')}: {record.get('reason')}"
        except Cut:
            out |= {"status": "cut", "reason": f"cut by its {limit:.0f} s guard",
                    "timing": timing.spent()}  # the phases it finished
        except Exception as error:  # noqa: BLE001  (bad input: reported, the bench goes on)
            out |= {"status": "failed", "reason": f"{type(error).__name__}: {error}"}
    out["wall_s"] = time.perf_counter() - start
    record = out.get("record") or {}
    if "timing" in record:
        out["timing"] = record["timing"]
    if on.type == "cuda":
        try:
            torch.cuda.synchronize(on)
            out["memory_mib"] = {"before": _mib(before),
                                 "peak": _mib(torch.cuda.max_memory_allocated(on)),
                                 "after": _mib(torch.cuda.memory_allocated(on))}
            release(on)
            out["memory_mib"]["after_memo_clear"] = _mib(torch.cuda.memory_allocated(on))
            out["memory_mib"]["reserved_after_empty_cache"] = _mib(
                torch.cuda.memory_reserved(on))
        except RuntimeError as error:
            out["reason"] = f"{out.get('reason', '')}; CUDA after the trial: {error}"
    seen = {}
    for w in caught:
        first = (str(w.message).splitlines() or [""])[0]
        text = f"{w.category.__name__}: {first[:240]}"
        seen[text] = seen.get(text, 0) + 1
    out["warnings"] = seen
    cost = record.get("cost") or {}
    if cost.get("pulls") and cost.get("seconds"):
        out["pulls_per_s"] = cost["pulls"] / cost["seconds"]
    return out
