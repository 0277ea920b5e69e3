"""``python -m mabbench.bench grid [--against COMMIT] [--repeat N] [override ...]``:
run a slice of the reference grid (``python -m mabbench -m +experiment=reference
<slice>``) into a temporary folder and print its wall time, trials per minute and
where the time went, then the whole grid extrapolated per (part, task, row).

The default slice is seed 0 of one dataset per task (every policy, the comparators,
the budget sweep); any overrides given replace it (``seed=0 task=tabular``).
Each trial records its own phases (mabbench/runtime/timing.py); what the workers spent
outside trials (process start, imports, composing configs, Hydra's job set-up,
idle) is wall x workers minus the trials' time. The whole grid's time is
extrapolated from the slice for the (part, task, row) keys the slice has jobs of:
each key's mean seconds per job times its job count in the whole grid, plus the
slice's overhead per job, over the workers; it is an estimate, stated as one.
Keys the slice has no job of are listed, not guessed (a tabular trial says
nothing of a VGG one).

``--against COMMIT`` runs the same slice with that commit's code too (a git
worktree of it, its own process), old and new interleaved ``--repeat`` times
(default 1: old, then new), so both see the same machine load; compare ratios.
``--new OVERRIDE`` (repeatable) goes to the new code's run only (``--new launcher=pool``).
It also compares the two runs' records value by value (bench/_grid_records.py):
a speed change may move values by float rounding, nothing more.
"""
from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from mabbench.bench._grid_measure import WORKERS, Checkout, Measured, measure, suite_rows
from mabbench.bench._grid_records import compare_records

NAME = "grid"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_SLICE = ["seed=0", "dataset=breast_cancer,concrete,digits,fine_food,babi_generated"]
PHASES = ("load", "dense_training", "ranking", "oracle", "curve", "endpoints", "latency", "fit")


def full_grid_counts() -> dict[tuple[str, str, str], int]:
    """Jobs per (part, task, row) of the whole reference grid (no slice); row is the
    deep suite's row name, ``-`` elsewhere."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from mabbench.experiments import grid
    from mabbench.experiments.registration import register_schemas

    register_schemas()  # the schemas the grid's selectors read
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        cfg = compose("config", overrides=["+experiment=reference"], return_hydra_config=True)
        catalog = grid.Catalog(GlobalHydra.instance().config_loader().repository)
        jobs = grid.expand(cfg.hydra.sweeper, catalog)
    GlobalHydra.instance().clear()
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for job in jobs:
        counts[(job.part, job.value("task"), job.value("row") or "-")] += 1
    return dict(counts)


def extrapolate(m: Measured, counts: dict) -> dict[tuple[str, str, str], float]:
    """Worker-seconds per covered key in the whole grid: jobs x (mean trial + overhead)."""
    overhead = m.outside / max(m.records, 1)
    return {key: n * (sum(m.per_key[key]) / len(m.per_key[key]) + overhead)
            for key, n in counts.items() if key in m.per_key}


def report(m: Measured, counts: dict) -> float:
    """Print one run's table; return its whole-grid estimate in worker-seconds."""
    budget = m.wall * WORKERS
    print(f"-- {m.label}: {m.records} records, {WORKERS} workers")
    print(f"wall {m.wall:.1f} s   {m.records / m.wall * 60:.0f} trials/min   CPU {m.cpu:.1f} s "
          f"(all processes)   load average {m.load[0]:.1f} at start, {m.load[1]:.1f} at end")
    print(f"{'where the time went':<40}{'seconds':>9}{'share':>8}")
    spent = dict(m.spent)
    rows = [("start-up & overhead (outside trials)", m.outside)]
    rows += [(name, spent.pop(name, 0.0)) for name in PHASES]
    rows += [("other, inside trials", m.in_trials - sum(s for _, s in rows[1:]))]
    for name, seconds in rows:
        print(f"  {name:<38}{seconds:>9.1f}{seconds / budget:>8.1%}")
    per_key = extrapolate(m, counts)
    print(f"{'(part, task, row)':<40}{'jobs':>6}{'s/job':>8}{'grid min':>10}")
    for key in sorted(per_key):
        mean = sum(m.per_key[key]) / len(m.per_key[key])
        print(f"  {'/'.join(key):<38}{counts[key]:>6}{mean:>8.2f}"
              f"{per_key[key] / WORKERS / 60:>10.1f}")
    total = sum(per_key.values())
    missing = sorted("/".join(key) for key in counts if key not in per_key)
    if missing:
        print(f"not estimated ({sum(n for k, n in counts.items() if k not in per_key)} jobs): "
              f"{', '.join(missing)}")
    print(f"the reference grid's {sum(counts[k] for k in per_key)} jobs of these keys, "
          f"extrapolated: {total / WORKERS / 60:.1f} min on {WORKERS} workers (an estimate "
          f"at this load average)")
    return total


def parse(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mabbench.bench grid")
    parser.add_argument("--against", help="a commit whose code runs the same slice too")
    parser.add_argument("--repeat", type=int, default=1, help="old/new pairs, interleaved")
    parser.add_argument("--new", action="append", default=[], metavar="OVERRIDE",
                        help="an override for the new code's run only (launcher=pool)")
    parsed, chosen = parser.parse_known_args(args)
    parsed.slice = chosen or DEFAULT_SLICE
    return parsed


def run(args: list[str]) -> None:
    options = parse(args)
    rows, counts = suite_rows(REPO), full_grid_counts()
    print(f"slice: {' '.join(options.slice)}")
    if options.against is None:
        report(measure("this checkout", REPO, [*options.slice, *options.new], rows), counts)
    else:
        compare(options, rows, counts)
    print(f"whole grid: {sum(counts.values())} jobs in {len(counts)} (part, task, row) keys; "
          f"a key with no job in the slice is not estimated (a tabular trial says nothing "
          f"of a VGG one)")


def compare(options: argparse.Namespace, rows: dict, counts: dict) -> None:
    """Old and new interleaved; per pair, the new/old ratios of wall and estimate."""
    with Checkout(REPO, options.against) as old_code:
        for repeat in range(options.repeat):
            old = measure(f"{options.against} (old), run {repeat + 1}", old_code,
                          options.slice, rows)
            old_total = report(old, counts)
            new = measure(f"this checkout (new), run {repeat + 1}", REPO,
                          [*options.slice, *options.new], rows)
            new_total = report(new, counts)
            changed = compare_records(old.found, new.found)
            print(f"== records: {len(new.found)} compared, {len(changed)} differences beyond "
                  f"float rounding (timings and latency left out)")
            for line in changed[:20]:
                print(f"   {line}")
            print(f"== new/old: wall {new.wall / old.wall:.2f}, in trials "
                  f"{new.in_trials / max(old.in_trials, 1e-9):.2f}, outside "
                  f"{new.outside / max(old.outside, 1e-9):.2f}, extrapolated "
                  f"{new_total / max(old_total, 1e-9):.2f}")
