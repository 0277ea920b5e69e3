"""The GPU bench's markdown tables, one function per table, from ``Bench.results``:
``status_table`` (every run: status, seconds, memory), ``phases_table`` (seconds per
phase on the device, in bf16 and on the CPU), ``bf16_table`` (bf16 vs fp32 on the same
dense model), ``agreement_table`` (rerun and CPU records against the device's),
``pulls_table`` (pulls per second, engine vs naive), ``sync_table`` (synchronised vs
not), ``warnings_table`` and ``machine_table`` (the summary's head); ``table`` lays out
the rows and ``_fmt`` writes a cell.
"""
from __future__ import annotations

from typing import Any

from mabbench.bench._gpu_compare import VOLATILE
from mabbench.bench._gpu_types import Bench, Row

PHASES = ("load", "dense_training", "ranking", "oracle", "curve", "latency", "total")


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:.0f}"
        return f"{value:.{digits}g}"
    return str(value)


def table(header: list[str], body: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(c) for c in cells) + " |" for cells in body]
    return "\n".join(lines) + "\n"


def _phase(run: dict | None, phase: str) -> str:
    if not run:
        return "-"
    status = run.get("status")
    seconds = (run.get("timing") or {}).get(phase)
    if status == "skipped":
        return "skipped"
    if status == "failed":
        return "failed"
    if status == "cut":
        return (f"{seconds:.3g}" if seconds is not None and phase != "total"
                else f"cut >{run['limit_s']:.0f}")
    if seconds is None and run.get("kind") == "bf16" and phase in ("dense_training", "oracle"):
        return "(reused)"
    return _fmt(seconds)


def phases_table(bench: Bench, order: list[Row]) -> str:
    dev = str(bench.device)
    header = ["row", "dataset/model", "phase", f"{dev} fp32 s", f"{dev} bf16 s",
              f"cpu fp32 s ({bench.threads} threads)", "cpu / dev"]
    body = []
    for row in order:
        runs = bench.results["trials"].get(row.label, {})
        for phase in PHASES:
            a, c = runs.get("dev"), runs.get("cpu")
            ratio = None
            ta = (a or {}).get("timing", {}).get(phase) if a and a["status"] == "done" else None
            tc = (c or {}).get("timing", {}).get(phase) if c and c["status"] == "done" else None
            if ta and tc:
                ratio = f"{tc / ta:.2f}x"
            elif ta and c and c.get("status") == "cut" and phase == "total":
                ratio = f">{c['limit_s'] / ta:.1f}x"
            body.append([row.label if phase == "load" else "",
                         row.model if phase == "load" else "", phase,
                         _phase(a, phase), _phase(runs.get("bf16"), phase), _phase(c, phase),
                         ratio])
    notes = ("Seconds per phase as the trial's record has them (`timing`; mabbench/runtime/"
             "timing.py): dense_training is nested in load, oracle in ranking, latency in "
             "curve; each counted without what is nested in it. bf16 prunes the dense model "
             "dev trained (so no dense_training, and the oracle is read from its cache). "
             "'cut >N': the run was stopped by its N s guard (the phases it finished are "
             "shown); the ratio is then a lower bound from the total.\n")
    return "## Seconds per phase\n\n" + notes + "\n" + table(header, body)


def status_table(bench: Bench, order: list[Row]) -> str:
    header = ["row", "run", "status", "wall s", "device", "pulls/s (trial)", "peak MiB",
              "after MiB", "after memo clear MiB", "reason"]
    body = []
    for row in order:
        for kind, run in bench.results["trials"].get(row.label, {}).items():
            mem = run.get("memory_mib") or {}
            record = run.get("record") or {}
            body.append([row.label, kind, run.get("status"), run.get("wall_s"),
                         record.get("device", run.get("device")), run.get("pulls_per_s"),
                         mem.get("peak"), mem.get("after"), mem.get("after_memo_clear"),
                         run.get("reason", "")])
    notes = ("Every run: status, wall seconds, where it ran (the record's `device`), the "
             "trial's own pulls per second (cost.pulls / cost.seconds, policy and "
             "bookkeeping included), device memory (peak allocated during the trial, "
             "allocated after it, and after the in-process memo was cleared).\n")
    return "## Runs\n\n" + notes + "\n" + table(header, body)


def bf16_table(bench: Bench, order: list[Row]) -> str:
    header = ["row", "identical layer orders", "min rho of orders", "max |d select|",
              "max |d test|", "dense test fp32", "dense test bf16", "target test fp32",
              "target test bf16", "rho oracle fp32", "rho oracle bf16"]
    body = []
    for row in order:
        cmp = bench.results["compare"].get(row.label, {}).get("bf16_vs_dev")
        runs = bench.results["trials"].get(row.label, {})
        if not cmp:
            body.append([row.label, "not compared"] + [None] * 9)
            continue
        a, b = runs["dev"]["record"], runs["bf16"]["record"]
        rank = cmp["ranking"]
        body.append([row.label, f"{rank['identical']}/{rank['layers']}", rank["min_rho"],
                     cmp["scores"]["select"], cmp["scores"]["test"], a["dense"]["test"],
                     b["dense"]["test"], a["target"]["test"], b["target"]["test"],
                     a.get("spearman_oracle"), b.get("spearman_oracle")])
    notes = ("bf16 (pulls and evaluation under autocast) against fp32, on the same dense "
             "model: pruning orders per layer, and the largest score difference over the "
             "dense point and every curve level.\n")
    return "## bf16 vs fp32\n\n" + notes + "\n" + table(header, body)


def agreement_table(bench: Bench, order: list[Row]) -> str:
    header = ["row", "pair", "numbers compared", "fields differing", "max |diff|", "at",
              "differing fields (pattern: count)"]
    body = []
    for row in order:
        for pair in ("rerun_vs_dev", "cpu_vs_dev"):
            cmp = bench.results["compare"].get(row.label, {}).get(pair)
            if cmp is None:
                body.append([row.label, pair, "not compared", None, None, None, ""])
                continue
            fields = ", ".join(f"{k}: {v}" for k, v in list(cmp["fields"].items())[:8])
            more = len(cmp["fields"]) - 8
            body.append([row.label, pair, cmp["compared"], cmp["differ"], cmp["max_abs"],
                         cmp["max_at"], fields + (f" (+{more} more)" if more > 0 else "")])
    notes = ("Every leaf of the two records but timings, paths and provenance "
             f"({', '.join(VOLATILE)}). rerun_vs_dev: the same seed, same device, a fresh "
             "store (dense model retrained): 0 fields differing = bit-identical. cpu_vs_dev: "
             "the same trial on the CPU (expected to differ in float rounding).\n")
    return "## Same seed, same record?\n\n" + notes + "\n" + table(header, body)


def pulls_table(bench: Bench) -> str:
    header = ["row", "dataset/model", "layer", "arms", "batch", "k", "naive pulls/s",
              "engine fp32 pulls/s", "x naive", "engine bf16 pulls/s", "x naive",
              "path fp32", "path bf16"]
    body = []
    for r in bench.results.get("pulls", []):
        if "error" in r:
            body.append([r["row"], "", r["error"]] + [None] * 10)
            continue
        body.append([r["row"], r["model"], r["layer"], r["arms"], r["batch"], r["k"],
                     r["naive_per_s"], r["engine_fp32_per_s"],
                     r["engine_fp32_per_s"] / r["naive_per_s"], r["engine_bf16_per_s"],
                     r["engine_bf16_per_s"] / r["naive_per_s"], r["path_fp32"],
                     r["path_bf16"]])
    notes = ("On each row's trained dense model (the dev trial's), the first and last "
             "prunable layer. naive: per arm, one full forward of the batch with the arm "
             "masked (hook), its loss minus the unmasked loss. engine: PullEngine.pull_rows "
             "as the bandits call it (k arms a round, source = the prune split, so cached "
             "activations where exact), built and run under that precision. Medians of "
             "interleaved repeats, each synchronised.\n")
    return "## Pulls per second\n\n" + notes + "\n" + table(header, body)


def sync_table(bench: Bench) -> str:
    s = bench.results.get("sync")
    if not s:
        return "## Synchronised timing\n\nnot run\n"
    if "error" in s:
        return f"## Synchronised timing\n\n{s['error']}\n"
    body = [[s["region"], s["synced_s"], s["unsynced_s"], s["synced_s"] / s["unsynced_s"],
             f"then {_fmt(s['sync_wait_after_unsynced_s'])} s waiting at a synchronize"],
            [s["latency"], s["latency_synced_s"], s["latency_sync_removed_s"],
             s["latency_synced_s"] / s["latency_sync_removed_s"], ""]]
    notes = ("The same region timed with torch.cuda.synchronize around it and without (CUDA "
             "returns before the kernels ran: the unsynchronised figure is launch time). On "
             "the CPU both are the same computation.\n")
    return ("## Synchronised timing\n\n" + notes + "\n" +
            table(["region", "synced s", "sync removed s", "ratio", ""], body))


def warnings_table(bench: Bench, order: list[Row]) -> str:
    seen: dict[str, list[str]] = {}
    for row in order:
        for kind, run in bench.results["trials"].get(row.label, {}).items():
            for text, count in (run.get("warnings") or {}).items():
                seen.setdefault(text, []).append(f"{row.label}/{kind} x{count}")
    if not seen:
        return "## Warnings raised in trials\n\nnone\n"
    body = [[text.replace("|", "/"), ", ".join(where[:6]) + (" ..." if len(where) > 6 else "")]
            for text, where in seen.items()]
    return "## Warnings raised in trials\n\n" + table(["warning", "where"], body)



def machine_table(info: dict) -> str:
    """The summary's head: one line per fact about the machine."""
    return "| | |\n|---|---|\n" + "".join(f"| {k} | {_fmt(v)} |\n" for k, v in info.items())
