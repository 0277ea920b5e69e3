"""One results table: every stored trial, one row per curve level.

``python -m mabbench.store.collect --results results --out results.parquet`` (or
``.csv``); ``--results`` may also be a records archive (mabbench.store.compact). Columns are documented one by one in docs/results_table.md:
identity, trial-level numbers, the level's own metrics, flags saying which
level is the dense model / the target / the selected point, and the run's
flattened hyper-parameters as ``cfg.<dotted.key>`` (from its config.yaml).
A record that cannot be read is reported by path and skipped.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import yaml

from mabbench.config.errors import ConfigError
from mabbench.store.archive import Entry, entries
from mabbench.store.records import POINTS, REQUIRED, check, upgraded  # noqa: F401  (re-exported)
from mabbench.store.staleness import stale

IDENTITY = ["task", "dataset", "model", "policy", "kind", "config_hash", "seed"]
FLAGS = [f"is_{point}" for point in POINTS]
# A control record's two methods (mabbench/trial/control.py): whose per-layer counts,
# whose order within a layer. Only control records carry them, so a table without
# controls has no such columns.
CONTROL = ("control_allocation", "control_order")
# Per-trial columns besides identity (their values repeat on every level row).
TRIAL = ["metric", "dense_hash", "scope", "device", "precision", "path", "budget_per_arm",
         "reward", "schedule", "regime", "schedule_stages", "schedule_rescored", "arms",
         "spearman_oracle", "git_commit", *CONTROL]
# Per-trial curve summaries (mabbench/trial/curve_summary.py) flattened as ``<prefix><key>``:
# ``auc_test``, ``at_macs_0.5``, ``trivial_select`` (the trivial predictor's score, which
# the claims use to leave out rows whose dense model barely beats it); like costs, one
# value per trial.
SUMMARY_PREFIXES = {"auc": "auc_", "at_macs": "at_macs_", "trivial": "trivial_"}
# Protocol v3's primary endpoints (record ``endpoints``, mabbench/trial/endpoints.py),
# per axis (macs, params): ``eq_macs_test_0.5``, ``eq_params_compression_fraction`` ...
ENDPOINT_PREFIX = "eq_"
POINT_KEYS = {"select": "select", "test": "test", "select_as_cut": "select_as_cut",
              "test_as_cut": "test_as_cut", "mac_fraction": "mac_fraction",
              "param_fraction": "param_fraction", "arms_removed": "arms_removed",
              "macs": "macs", "params": "params", "sparsity": "sparsity",
              "test_macro_f1": "test_macro_f1", "select_macro_f1": "select_macro_f1"}
CONFIG_PREFIX = "cfg."
WRITERS = {".parquet": lambda table, path: table.to_parquet(path, index=False),
           ".csv": lambda table, path: table.to_csv(path, index=False)}
# libyaml's loader is ~10x faster than the pure-Python one; both give the same values.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def number(value) -> float:
    """A JSON scalar as float; anything else (None, a dict, a string, a bool) is NaN."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def flatten(node, prefix: str = CONFIG_PREFIX) -> dict:
    """``{"pruning": {"reward": {"scale": 0.1}}}`` -> ``{"cfg.pruning.reward.scale": 0.1}``;
    lists become JSON text so every cell is a scalar."""
    flat = {}
    for key, value in node.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            flat[f"{prefix}{key}"] = json.dumps(value)
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def parse_config(text: str | None) -> dict:
    """A run's config.yaml text as a dict; {} when absent or unreadable (the row keeps NaNs)."""
    if text is None:
        return {}
    try:
        config = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    return config if isinstance(config, dict) else {}


def level_metrics(point: dict) -> dict:
    """A point's numeric values; ``latency_ms`` also from a stored ``latency_s``."""
    values = {key: number(value) for key, value in point.items()
              if not isinstance(value, (dict, list, str))}
    if "latency_ms" not in values and isinstance(point.get("latency_s"), (int, float)):
        values["latency_ms"] = 1000.0 * point["latency_s"]
    return values


def trial_columns(where: str, record: dict, config: dict) -> dict:
    row = {key: record[key] for key in IDENTITY}
    row["seed"] = int(record["seed"])
    for key in ("metric", "dense_hash", "scope", "device", "precision", "git_commit"):
        row[key] = record.get(key)
    row["path"] = where
    arms = sum(number(w) for w in (record.get("layers") or {}).values())
    row["arms"] = arms
    cost = record.get("cost") or {}
    budget = number((config.get("pruning") or {}).get("budget_per_arm"))
    if math.isnan(budget):  # no config.yaml: what was spent per arm
        pulls = number(cost.get("pulls"))
        budget = round(pulls / arms, 3) if arms > 0 else math.nan
    row["budget_per_arm"] = budget
    pruning = config.get("pruning") or {}
    row["reward"] = (pruning.get("reward") or {}).get("transform")  # None without config.yaml
    row["schedule"] = pruning.get("schedule")
    row["regime"] = record.get("regime", "one_shot")  # before v3: no recovery, one-shot
    schedule = record.get("schedule") if isinstance(record.get("schedule"), dict) else {}
    row["schedule_stages"] = number(schedule.get("stages"))
    row["schedule_rescored"] = schedule.get("rescored")
    row["spearman_oracle"] = number(record.get("spearman_oracle"))
    row |= {key: record[key] for key in CONTROL if key in record}
    for key, value in cost.items():
        row[f"cost_{key}"] = number(value)
    for field, prefix in SUMMARY_PREFIXES.items():
        summary = record.get(field)
        for key, value in (summary.items() if isinstance(summary, dict) else ()):
            if not isinstance(value, str):  # a label (the trivial predictor's name) is no number
                row[f"{prefix}{key}"] = number(value)  # None (a curve short of the MACs): NaN
    return row | endpoint_columns(record)


def endpoint_columns(record: dict) -> dict:
    """The record's ``endpoints`` as one value per column (NaN where a fraction
    is unreachable or the record predates protocol v3)."""
    row = {}
    endpoints = record.get("endpoints")
    for axis, found in (endpoints.items() if isinstance(endpoints, dict) else ()):
        prefix = f"{ENDPOINT_PREFIX}{axis}_"
        row[f"{prefix}floor"] = number(found.get("floor"))
        for role, value in (found.get("auc") or {}).items():
            row[f"{prefix}auc_{role}"] = number(value)
        for key, value in (found.get("compression") or {}).items():
            row[f"{prefix}compression_{key}"] = number(value)
        for fraction, point in (found.get("points") or {}).items():
            point = point or {}
            for key, column in POINT_KEYS.items():
                row[f"{prefix}{column}_{fraction}"] = number(point.get(key))
            row[f"{prefix}latency_ms_{fraction}"] = 1000.0 * number(point.get("latency_s"))
            recovery = point.get("recovery") or {}
            row[f"{prefix}best_epoch_{fraction}"] = number(recovery.get("best_epoch"))
            row[f"{prefix}batchnorm_layers_{fraction}"] = number(recovery.get("batchnorm_layers"))
    return row


def level_rows(record: dict, trial: dict) -> list[dict]:
    """The dense model (sparsity 0) then each curve level; flags mark the named points."""
    points = [record["dense"], *(p for p in record["curve"] if number(p.get("sparsity")) != 0.0)]
    chosen = {point: number(record[point].get("sparsity")) for point in POINTS[1:]}
    rows = []
    for index, point in enumerate(points):
        sparsity = number(point.get("sparsity"))
        flags = {"is_dense": index == 0}
        flags |= {f"is_{name}": sparsity == level for name, level in chosen.items()}
        rows.append(trial | level_metrics(point) | flags)
    return rows


def _uniform(column: pd.Series) -> pd.Series:
    """A column of mixed Python types (an int in one config, a string in another)
    as text, so Parquet can store it; uniform columns are left alone."""
    if column.dtype != object:
        return column
    kinds = {type(v) for v in column if v is not None and not (isinstance(v, float) and math.isnan(v))}
    if len(kinds) <= 1 or kinds <= {int, float}:
        return column
    return column.map(lambda v: None if v is None else str(v))


def collect(root: Path) -> tuple[pd.DataFrame, list[str]]:
    """Every record under ``root`` (``runs/**/result.json``, or the archive
    ``python -m mabbench.store.compact`` wrote: see mabbench.store.compact.entries) in path
    order, one row per level. Returns (table, problems) with 'path: why' per skipped file."""
    return collect_entries(entries(Path(root)))


def collect_entries(found: Iterable[Entry]) -> tuple[pd.DataFrame, list[str]]:
    """``collect`` of the given entries (e.g. a slice of an archive and a few folders)."""
    rows, problems = [], []
    for entry in found:
        where = entry.where
        try:
            record = upgraded(json.loads(entry.data().decode()))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(f"{where}: unreadable ({type(error).__name__}: {error})")
            continue
        except (TypeError, KeyError, AttributeError) as error:
            problems.append(f"{where}: unusable ({type(error).__name__}: {error})")
            continue
        why = check(record)
        if why is not None:
            problems.append(f"{where}: {why}")
            continue
        try:  # any other wrongly typed field: name the file, skip it, go on
            config = parse_config(entry.config())
            trial = trial_columns(where, record, config) | flatten(config)
            rows.extend(level_rows(record, trial))
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            problems.append(f"{where}: unusable ({type(error).__name__}: {error})")
    table = pd.DataFrame(rows)
    if len(table):
        table = table[ordered(list(table.columns))].apply(_uniform)
    return table, problems


def ordered(columns: list[str]) -> list[str]:
    """Identity, trial columns, costs, curve summaries, level columns (sparsity, val, test first),
    flags, then the hyper-parameters in first-seen order."""
    head = [c for c in [*IDENTITY, *TRIAL] if c in columns]
    cost = sorted(c for c in columns if c.startswith("cost_"))
    summary = sorted(c for c in columns
                     if c.startswith((*SUMMARY_PREFIXES.values(), ENDPOINT_PREFIX)))
    config = [c for c in columns if c.startswith(CONFIG_PREFIX)]
    rest = set(columns) - set(head) - set(cost) - set(summary) - set(config) - set(FLAGS)
    first = [c for c in ("sparsity", "select", "test") if c in rest]
    level = first + sorted(rest - set(first))
    return [*head, *cost, *summary, *level, *(f for f in FLAGS if f in columns), *config]


def level_columns(table: pd.DataFrame) -> list[str]:
    """The columns that vary per level (sparsity, val, test, params, ...)."""
    fixed = set(IDENTITY) | set(TRIAL) | set(FLAGS)
    trial = ("cost_", CONFIG_PREFIX, *SUMMARY_PREFIXES.values(), ENDPOINT_PREFIX)
    return [c for c in table.columns if c not in fixed and not c.startswith(trial)]


def write(table: pd.DataFrame, out: Path) -> None:
    """Write by extension (.parquet or .csv) via a temp file: never half-written."""
    writer = WRITERS.get(out.suffix)
    if writer is None:
        raise ConfigError(f"--out {out}: expected a .parquet or .csv file")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        writer(table, tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mabbench.store.collect", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=Path("results"),
                        help="results root holding runs/ or records.parquet, or a "
                        "records.parquet archive (default: results)")
    parser.add_argument("--out", type=Path, required=True,
                        help="the table to write: <file>.parquet or <file>.csv")
    args = parser.parse_args(argv)
    try:
        if args.out.suffix not in WRITERS:
            raise ConfigError(f"--out {args.out}: expected a .parquet or .csv file")
        warning = stale(args.results)
        if warning is not None:
            print(f"warning: {warning}", file=sys.stderr)
        table, problems = collect(args.results)
        write(table, args.out)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    trials = table["path"].nunique() if len(table) else 0
    print(f"wrote {len(table)} rows ({trials} trials, {table.shape[1]} columns) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
