"""Read the result store into flat tables; a broken record is reported by path and skipped."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

# Keys every record must have for any table to use it.
REQUIRED = ("task", "dataset", "model", "policy", "kind", "seed", "config_hash", "metric",
            "dense", "curve", "target", "selected")
IDENTITY = ["task", "dataset", "model", "policy", "kind", "config_hash", "seed"]


@dataclass
class Store:
    """``runs``: one row per record (identity, cost, the points' values as
    ``<point>_<key>``); ``curve``: one row per (record, sparsity level), the
    dense model included at sparsity 0; ``problems``: 'path: why' per skipped file."""

    runs: pd.DataFrame
    curve: pd.DataFrame
    problems: list[str] = field(default_factory=list)


def number(value) -> float:
    """A JSON scalar as float; anything else (None, a dict, a string) is NaN."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def budget_per_arm(path: Path, record: dict) -> float:
    """pruning.budget_per_arm from the config.yaml beside the record; else pulls / arms."""
    config = path.parent / "config.yaml"
    try:
        value = yaml.safe_load(config.read_text())["pruning"]["budget_per_arm"]
        return float(value)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError):
        arms = sum(number(w) for w in (record.get("layers") or {}).values())
        pulls = number((record.get("cost") or {}).get("pulls"))
        return round(pulls / arms, 3) if arms > 0 else math.nan


def upgraded(record):
    """A schema-1 record (points scored ``val``, selected point ``best_val``) in
    today's names (``select``, ``selected``); anything else unchanged."""
    if not isinstance(record, dict) or "best_val" not in record or "selected" in record:
        return record

    def point(p):
        if not isinstance(p, dict):
            return p
        return {("select" + k[3:] if k == "val" or k.startswith("val_") else k): v
                for k, v in p.items()}

    record = {k: v for k, v in record.items() if k != "best_val"} | {
        "selected": record["best_val"]}
    for key in ("dense", "target", "selected"):
        record[key] = point(record[key])
    if isinstance(record.get("curve"), list):
        record["curve"] = [point(p) for p in record["curve"]]
    return record


def check(record) -> str | None:
    """Why a parsed record cannot be used, or None."""
    if not isinstance(record, dict):
        return "not a JSON object"
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        return f"missing keys {', '.join(missing)}"
    curve = record["curve"]
    if not isinstance(curve, list) or not all(isinstance(p, dict) for p in curve):
        return "curve is not a list of points"
    for key in ("dense", "target", "selected"):
        if not isinstance(record[key], dict):
            return f"{key} is not a point"
    return None


def normalised(point: dict) -> dict:
    """A point with ``latency_ms`` whether the trial stored milliseconds or ``latency_s``."""
    if "latency_ms" not in point and isinstance(point.get("latency_s"), (int, float)):
        return point | {"latency_ms": 1000.0 * point["latency_s"]}
    return point


def run_row(path: Path, root: Path, record: dict) -> dict:
    row = {key: record[key] for key in IDENTITY}
    row["seed"] = int(record["seed"])
    row["metric"] = record["metric"]
    row["path"] = path.relative_to(root).as_posix()
    row["budget_per_arm"] = budget_per_arm(path, record)
    row["arms"] = sum(number(w) for w in (record.get("layers") or {}).values())
    for key, value in (record.get("cost") or {}).items():
        row[f"cost_{key}"] = number(value)
    row["spearman_oracle"] = number(record.get("spearman_oracle"))
    for point in ("dense", "target", "selected"):
        for key, value in normalised(record[point]).items():
            row[f"{point}_{key}"] = number(value)
    return row


def curve_rows(record: dict, row: dict) -> list[dict]:
    identity = {key: row[key] for key in (*IDENTITY, "budget_per_arm")}
    points = [record["dense"], *(p for p in record["curve"] if number(p.get("sparsity")) != 0.0)]
    return [identity | {key: number(value) for key, value in p.items()} for p in points]


def load_store(root: Path) -> Store:
    """Every ``runs/**/result.json`` under ``root``, in sorted path order."""
    runs_dir = root / "runs"
    if not runs_dir.is_dir():
        raise FileNotFoundError(f"--results {root}: no runs/ folder (expected {runs_dir})")
    rows, points, problems = [], [], []
    for path in sorted(runs_dir.rglob("result.json")):
        where = path.relative_to(root).as_posix()
        try:
            record = upgraded(json.loads(path.read_text()))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(f"{where}: unreadable ({type(error).__name__}: {error})")
            continue
        why = check(record)
        if why is not None:
            problems.append(f"{where}: {why}")
            continue
        row = run_row(path, root, record)
        rows.append(row)
        points.extend(curve_rows(record, row))
    return Store(pd.DataFrame(rows), pd.DataFrame(points), problems)
