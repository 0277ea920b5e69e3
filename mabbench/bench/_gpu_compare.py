"""Comparing two records of the same trial, for the GPU bench: ``flatten`` turns a record
into {dotted path: leaf}; ``differences`` names the fields where two records differ
(timings, paths and provenance, ``VOLATILE``, left out), with the largest numeric gap;
``ranking_agreement`` says per layer whether two pruning orders are identical and how
far apart they are (Spearman rho); ``score_gaps`` gives the largest select / test score
difference over the dense point and the curve. Pure functions of plain dicts.
"""
from __future__ import annotations

import math
from typing import Any

# Timings, paths and provenance: left out when two records' numbers are compared.
VOLATILE = ("timing", "seconds", "latency_s", "path", "git_commit", "versions", "device",
            "precision", "oracle_cost")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a record as {path: value}; lists by index."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in items:
        flat |= flatten(item, f"{prefix}.{key}" if prefix else str(key))
    return flat


def _volatile(path: str) -> bool:
    return any(part == word or word in part for part in path.split(".") for word in VOLATILE)


def _pattern(path: str) -> str:
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


def differences(a: dict, b: dict) -> dict:
    """Fields that differ between two records (timings left out): how many, the largest
    absolute difference of a number, and the differing fields grouped by pattern."""
    fa = {k: v for k, v in flatten(a).items() if not _volatile(k)}
    fb = {k: v for k, v in flatten(b).items() if not _volatile(k)}
    differ, worst, worst_at = [], 0.0, None
    for key in sorted(set(fa) | set(fb)):
        x, y = fa.get(key), fb.get(key)
        if x == y or (isinstance(x, float) and isinstance(y, float)
                      and math.isnan(x) and math.isnan(y)):
            continue
        differ.append(key)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y))
        if numbers and abs(x - y) > worst:
            worst, worst_at = abs(x - y), key
    groups: dict[str, int] = {}
    for key in differ:
        groups[_pattern(key)] = groups.get(_pattern(key), 0) + 1
    return {"compared": len(set(fa) | set(fb)), "differ": len(differ), "max_abs": worst,
            "max_at": worst_at, "fields": groups}


def ranking_agreement(a: dict, b: dict) -> dict:
    """Per layer: whether two pruning orders are identical, and the Spearman rho of
    the positions they give the arms (the lowest over layers)."""
    ra, rb = a.get("ranking") or {}, b.get("ranking") or {}
    same, rhos = 0, []
    for layer, order in ra.items():
        other = rb.get(layer)
        if other is None or len(other) != len(order):
            continue
        same += order == other
        n = len(order)
        if n > 1:
            pa = {arm: i for i, arm in enumerate(order)}
            pb = {arm: i for i, arm in enumerate(other)}
            d2 = sum((pa[arm] - pb[arm]) ** 2 for arm in pa)
            rhos.append(1 - 6 * d2 / (n * (n * n - 1)))
    return {"layers": len(ra), "identical": same, "min_rho": min(rhos) if rhos else None}


def score_gaps(a: dict, b: dict) -> dict:
    """Largest absolute difference of select / test scores, dense and over the curve."""
    def scores(r: dict, role: str) -> dict[float, float]:
        points = [r.get("dense") or {}, *(r.get("curve") or [])]
        return {p["sparsity"]: p[role] for p in points if role in p}

    gaps = {}
    for role in ("select", "test"):
        sa, sb = scores(a, role), scores(b, role)
        common = set(sa) & set(sb)
        gaps[role] = max((abs(sa[s] - sb[s]) for s in common), default=None)
    return gaps
