"""`python -m mabbench.reference.grid [--dry-run] [--only tabular,regression]`: the reference
grid (conf/grid/reference.yaml) as a few Hydra multiruns, one per task and kind.

Tasks, datasets and policies are discovered from conf/ (task/*.yaml; datasets of
each task's family that are offline and need no user input; every policy), so a
new option joins the grid without editing this file. Re-running resumes: finished
trials are skipped by the store.
"""
from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import yaml

from mabbench.policies.base import Policy
from mabbench.configs import CONF_DIR

CONF = CONF_DIR
GRID = CONF / "grid" / "reference.yaml"
BUDGET_KEY = "pruning.budget_per_arm"


def option_names(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


def offline_datasets(family: str, exclude: list[str]) -> list[str]:
    """Datasets of ``family`` that need no download (``online`` unset or false) and no
    user input (no ``???`` in their file)."""
    found = []
    for name in option_names("dataset"):
        text = (CONF / "dataset" / f"{name}.yaml").read_text()
        data = yaml.safe_load(text) or {}
        if data.get("family") == family and not data.get("online") and "???" not in text \
                and name not in exclude:
            found.append(name)
    return found


def policy_target(policy: str) -> str:
    """The ``_target_`` of conf/policy/<policy>.yaml: its own, else its schema's default."""
    data = yaml.safe_load((CONF / "policy" / f"{policy}.yaml").read_text()) or {}
    if data.get("_target_"):
        return str(data["_target_"])
    from hydra.core.config_store import ConfigStore

    import baselines  # noqa: F401  (register the schemas)
    import mabbench.policies  # noqa: F401

    schemas = ConfigStore.instance().repo["schema"]["policy"]
    for entry in data.get("defaults", []):
        for key, schema in (entry.items() if isinstance(entry, dict) else ()):
            if key.startswith("/schema/policy"):
                return str(schemas[f"{schema}.yaml"].node.get("_target_"))
    return ""


def is_bandit(policy: str) -> bool:
    """A policy whose ``_target_`` is a bandit Policy class (budget matters), not a baseline."""
    module, _, name = policy_target(policy).rpartition(".")
    found = getattr(importlib.import_module(module), name, None) if module else None
    return isinstance(found, type) and issubclass(found, Policy)


def commands(grid: dict, only: list[str] | None = None) -> list[list[str]]:
    """argv lists, in run order: trials per task, comparators per task, the budget sweep."""
    python = [sys.executable]
    seeds = ",".join(str(s) for s in grid["seeds"])
    common = [*grid["runner"], f"runtime.results_dir={grid['results_dir']}", f"seed={seeds}"]
    policies = [p for p in option_names("policy") if p not in grid.get("exclude_policies", [])]
    bandits = [p for p in policies if is_bandit(p)]
    tasks = grid.get("tasks") or {}
    runs = []
    # The grid file's order first (tabular before the slow image tasks), then any new task.
    for task in [*(t for t in tasks if t in option_names("task")),
                 *(t for t in option_names("task") if t not in tasks)]:
        if only and task not in only:
            continue
        spec = tasks.get(task) or {}
        datasets = offline_datasets(task, grid.get("exclude_datasets", []))
        if not datasets:
            continue
        base = [f"task={task}", f"dataset={','.join(datasets)}", *spec.get("overrides", []),
                *common]
        runs.append([*python, "-m", "mabbench", "-m", *base, f"policy={','.join(policies)}"])
        if spec.get("references"):
            runs.append([*python, "-m", "mabbench.reference", "-m", f"task={task}",
                         f"dataset={','.join(datasets)}", *common,
                         f"reference={','.join(spec['references'])}"])
        sweep = grid.get("budget_sweep") or {}
        sweep_sets = [d for d in (sweep.get("datasets") or {}).get(task, []) if d in datasets]
        if sweep_sets and bandits and sweep.get("budgets"):
            fixed = [o for o in spec.get("overrides", []) if not o.startswith(BUDGET_KEY)]
            runs.append([*python, "-m", "mabbench", "-m", f"task={task}",
                         f"dataset={','.join(sweep_sets)}", *fixed, *common,
                         f"policy={','.join(bandits)}",
                         f"{BUDGET_KEY}={','.join(str(b) for b in sweep['budgets'])}"])
    return runs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mabbench.reference.grid", description=__doc__)
    parser.add_argument("--grid", type=Path, default=GRID, help="grid file")
    parser.add_argument("--only", default=None, help="comma-separated tasks to run")
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    args = parser.parse_args(argv)
    grid = yaml.safe_load(args.grid.read_text())
    failed = 0
    for argv_list in commands(grid, args.only.split(",") if args.only else None):
        print(" ".join(argv_list[1:]), flush=True)
        if not args.dry_run:
            failed += subprocess.run(argv_list, check=False).returncode != 0
    if failed:
        print(f"error: {failed} multirun(s) failed; re-run to resume", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
