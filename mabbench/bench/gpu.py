"""``python -m mabbench.bench gpu --out DIR``: the trial on a GPU, checked in one process.

For the default trial of each task family (every conf/task/*.yaml) and deep rows
of conf/suite/deep.yaml (``--deep``; VGG on mnist5k and the LSTM on fine_food by
default), each trial runs through ``run_trial`` as the command line runs it:

- ``dev``: on ``--device`` in fp32, in a fresh result store (trains the dense model);
- ``bf16``: on ``--device`` with ``runtime.precision=bf16``, in the same store, so it
  prunes the same dense model (training stays fp32; pulls and evaluation autocast);
- ``cpu``: fp32 on the CPU with as many torch threads as cores, in a fresh store;
- ``rerun``: ``dev`` again in a fresh store: same seed, so it should give the same record.

From the records: seconds per phase (the trial's own ``timing``: load, dense_training,
ranking, oracle, curve, latency, total) on the device vs on the CPU; the bf16 vs fp32
differences (rankings, scores); how far ``rerun`` and ``cpu`` differ from ``dev`` (every
number of the record but timings, with the fields that differ); peak device memory and
what stays allocated after a trial (with and without the in-process memo, which keeps a
dense model and splits for the next trial of a sweep worker); the warnings a trial raised
(e.g. torch's nondeterministic-kernel warnings). Then, on the trained dense models,
pulls per second of the engine as the bandits run it (``pull_rows``, the cached path
where exact) against a naive full masked forward per pull; and the same timed region
with and without ``torch.cuda.synchronize`` (a raw loop of forwards, and the trial's own
latency measurement with its synchronize calls removed).

Time guards: every trial runs under an alarm (``--trial-limit`` on the device,
``--cpu-limit`` on the CPU) and the whole bench under ``--budget`` seconds; a trial cut
by its alarm is reported with the phases it finished ("cut"), a step left out for lack of
time is reported as skipped. Sections run in order of need (``SECTIONS``: sync, dev, bf16,
pulls, cpu for the task families, rerun, cpu for the deep rows), each over its rows, the
task families' small defaults before the deep rows.

``--quick`` shrinks every trial (2 epochs, two curve levels, 1 pull per arm, a smaller
VGG on 400 images, no oracle for it) so that ``--device cpu --quick`` checks the whole
bench on a laptop in a few minutes; its numbers mean nothing.

    python -m mabbench.bench gpu --out gpu_bench                 # CUDA when present
    python -m mabbench.bench gpu --device cpu --quick --out /tmp/gpu_bench

Writes into ``--out``: one markdown file per table, ``summary.md`` (all of them, with
the machine), ``results.json`` (every number, the records included). Without a CUDA
device and without ``--device cpu`` it prints that and does nothing (``bench all``).

This module parses the options and runs the sections in order; the parts are private
modules beside it: ``_gpu_trial`` (rows, configs, one guarded trial), ``_gpu_measure``
(pulls per second, synchronised timing), ``_gpu_compare`` (records against each other),
``_gpu_tables`` (the markdown), ``_gpu_guard`` (time guards, SIGTERM) and
``_gpu_types`` (``Row``, ``Bench``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import torch

from mabbench.bench._gpu_compare import differences, ranking_agreement, score_gaps
from mabbench.bench._gpu_guard import Cut, Stopped, sigterm_stops, time_limit
from mabbench.bench._gpu_measure import pull_rates, sync_check, warm_up
from mabbench.bench._gpu_tables import (
    agreement_table,
    bf16_table,
    machine_table,
    phases_table,
    pulls_table,
    status_table,
    sync_table,
    warnings_table,
)
from mabbench.bench._gpu_trial import release, rows, run_one
from mabbench.bench._gpu_types import Bench, Row

NAME = "gpu"
DEFAULT_DEEP = ("vgg_mnist5k", "lstm_fine_food")
# In order of need; a step is skipped when the budget is spent (sync always runs).
SECTIONS = ("sync", "dev", "bf16", "pulls", "cpu:family", "rerun", "cpu:deep")


# -- the bench ----------------------------------------------------------------------------

def machine(bench: Bench) -> dict:
    info = {"torch": torch.__version__, "device": str(bench.device),
            "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "cpu_threads": bench.threads, "python": platform.python_version(),
            "quick": bench.quick,
            "CUBLAS_WORKSPACE_CONFIG": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
            "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available()
            else None}
    if bench.cuda():
        props = torch.cuda.get_device_properties(bench.device)
        info |= {"gpu": props.name, "gpu_memory_gib": round(props.total_memory / 2 ** 30, 1),
                 "cuda": torch.version.cuda}
    return info



def run_bench(bench: Bench, order: list[Row], sections: list[str], repeats: int) -> None:
    trials = bench.results.setdefault("trials", {})
    compare = bench.results.setdefault("compare", {})
    dev = str(bench.device)
    for step in sections:
        section, _, only = step.partition(":")  # e.g. cpu:family, cpu:deep
        chosen = [row for row in order if not only or row.deep == (only == "deep")]
        if section in ("dev", "bf16", "cpu", "rerun"):
            for row in chosen:
                runs = trials.setdefault(row.label, {})
                if section == "bf16" and runs.get("dev", {}).get("status") != "done":
                    continue
                if section == "rerun" and runs.get("dev", {}).get("status") != "done":
                    continue
                store, device, precision, limit = {
                    "dev": (f"{row.label}-dev", dev, "fp32", bench.trial_limit),
                    "bf16": (f"{row.label}-dev", dev, "bf16", bench.trial_limit),
                    "cpu": (f"{row.label}-cpu", "cpu", "fp32",
                            bench.cpu_limit_deep if row.deep else bench.cpu_limit),
                    "rerun": (f"{row.label}-rerun", dev, "fp32", bench.trial_limit),
                }[section]
                print(f"[{bench.left():5.0f} s left] {row.label} {section} ...", flush=True)
                runs[section] = run = run_one(bench, row, section, store, device, precision,
                                              limit)
                print(f"    {run['status']} in {run.get('wall_s', 0):.1f} s "
                      f"{run.get('reason', '')}", flush=True)
                if run["status"] != "done" or runs.get("dev", {}).get("status") != "done":
                    continue
                a, b = runs["dev"]["record"], run["record"]
                if section == "bf16":
                    compare.setdefault(row.label, {})["bf16_vs_dev"] = {
                        "ranking": ranking_agreement(a, b), "scores": score_gaps(a, b)}
                elif section in ("cpu", "rerun"):
                    compare.setdefault(row.label, {})[f"{section}_vs_dev"] = differences(a, b)
        elif section == "pulls":
            found = bench.results.setdefault("pulls", [])
            for row in chosen:
                if trials.get(row.label, {}).get("dev", {}).get("status") != "done":
                    continue
                if bench.left() < 10:
                    bench.notes.append(f"pulls {row.label}: skipped, bench budget spent")
                    continue
                print(f"[{bench.left():5.0f} s left] {row.label} pulls ...", flush=True)
                try:
                    with time_limit(min(60.0, bench.left())):
                        found += pull_rates(bench, row, f"{row.label}-dev", repeats)
                except Cut:
                    found.append({"row": row.label, "error": "cut by its time guard"})
                except Exception as error:  # noqa: BLE001  (reported, the bench goes on)
                    found.append({"row": row.label, "error": f"{type(error).__name__}: {error}"})
                release(bench.device)
        elif section == "sync":
            print(f"[{bench.left():5.0f} s left] sync ...", flush=True)
            try:
                with time_limit(30.0):  # cheap, and needed: not held to the budget
                    bench.results["sync"] = sync_check(bench)
            except Cut:
                bench.results["sync"] = {"error": "cut by its time guard"}
            except Exception as error:  # noqa: BLE001
                bench.results["sync"] = {"error": f"{type(error).__name__}: {error}"}
            release(bench.device)


def write(bench: Bench, order: list[Row], out: Path, started: float) -> str:
    out.mkdir(parents=True, exist_ok=True)
    tables = {"runs.md": status_table(bench, order), "phases.md": phases_table(bench, order),
              "bf16.md": bf16_table(bench, order), "rerun.md": agreement_table(bench, order),
              "pulls.md": pulls_table(bench), "sync.md": sync_table(bench),
              "warnings.md": warnings_table(bench, order)}
    for name, text in tables.items():
        (out / name).write_text(text)
    info = bench.results["machine"]
    head = ["# GPU bench (python -m mabbench.bench gpu)\n",
            machine_table(info),
            f"\nwall {time.perf_counter() - started:.0f} s; rows: "
            + ", ".join(f"{r.label} ({r.model})" for r in order) + "\n"]
    if bench.notes:
        head.append("\nnotes:\n" + "".join(f"- {n}\n" for n in bench.notes))
    summary = "".join(head) + "\n" + "\n".join(tables.values())
    (out / "summary.md").write_text(summary)
    (out / "results.json").write_text(json.dumps(bench.results, indent=1, default=str))
    return summary


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m mabbench.bench gpu")
    parser.add_argument("--device", default=None, help="cuda, cuda:<n> or cpu "
                        "(default: cuda when present, else nothing is run)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the tables and results.json (default: only printed)")
    parser.add_argument("--quick", action="store_true", help="tiny trials: checks the bench")
    parser.add_argument("--deep", default=",".join(DEFAULT_DEEP),
                        help="rows of conf/suite/deep.yaml, comma-separated")
    parser.add_argument("--rows", nargs="+", metavar="TEXT",
                        help="only the rows whose label contains one of these")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help="what to run, in this order (name:family or name:deep: only "
                             "those rows)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="torch threads of every run (the CPU comparison's cores)")
    parser.add_argument("--budget", type=float, default=240.0,
                        help="seconds for the whole bench; later steps are skipped")
    parser.add_argument("--trial-limit", type=float, default=120.0,
                        help="seconds a trial on the device may take")
    parser.add_argument("--cpu-limit", type=float, default=30.0,
                        help="seconds a task family's trial on the CPU may take")
    parser.add_argument("--cpu-limit-deep", type=float, default=20.0,
                        help="seconds a deep row's trial on the CPU may take (cut: a lower "
                             "bound of its time)")
    parser.add_argument("--repeats", type=int, default=None, help="pull timing repeats")
    parser.add_argument("--seed", type=int, default=0)
    opts = parser.parse_args(args)
    if opts.device is None:
        if not torch.cuda.is_available():
            print("no CUDA device: nothing run (--device cpu runs the bench on the CPU)")
            return
        opts.device = "cuda"
    started = time.perf_counter()
    from mabbench.experiments.registration import register_schemas
    from mabbench.runtime.process import resolve_device

    register_schemas()
    device = resolve_device(opts.device)
    order = rows([d for d in opts.deep.split(",") if d], opts.rows)
    with tempfile.TemporaryDirectory(prefix="mabbench-gpu-") as folder:
        bench = Bench(device=device, quick=opts.quick, threads=opts.threads, root=Path(folder),
                      deadline=started + opts.budget, trial_limit=opts.trial_limit,
                      cpu_limit=opts.cpu_limit, cpu_limit_deep=opts.cpu_limit_deep,
                      seed=opts.seed)
        bench.results["machine"] = machine(bench)
        bench.results["options"] = vars(opts) | {"out": str(opts.out)}
        warm_up(device)
        threads = torch.get_num_threads()
        try:
            with sigterm_stops():
                try:
                    run_bench(bench, order, [s for s in opts.sections.split(",") if s],
                              opts.repeats or (1 if opts.quick else 5))
                except Stopped:
                    bench.notes.append("stopped by SIGTERM: the tables hold what was "
                                       "measured until then")
        finally:
            torch.set_num_threads(threads)
            for row in order:  # labels as resolved
                row.model = row.model or "?"
            summary = write(bench, order, opts.out or Path(folder) / "out", started)
    print(summary)
    if opts.out:
        print(f"wrote {opts.out}/summary.md and results.json")
