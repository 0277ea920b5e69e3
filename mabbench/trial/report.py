"""The lines a trial prints when it ends: the primary endpoints at equal MACs,
the dense, selected and target points, and one warning line when a pruned
model is worse than ignoring the input."""
from __future__ import annotations

# The data roles in the order a trial uses them: mabbench.tasks.base.Splits.ROLES, said
# again because importing it loads torch before a skipped trial's summary prints.
ROLES = ("train", "prune", "select", "test")


def _point_line(label: str, record: dict, point: dict, note: str = "") -> str:
    return (f"  {label:<8} {record['metric']} select {point['select']:.4f} "
            f"test {point['test']:.4f}  params {point['params']} "
            f"at sparsity {point['sparsity']:g}{note}")


def trivial_warning(record: dict) -> str | None:
    """One line when a pruned point (selected or target) scores below the trivial
    predictor on select; None otherwise (or when the record has no trivial score)."""
    trivial = record.get("trivial")
    if not trivial:
        return None
    below = [name for name in ("selected", "target")
             if record[name]["sparsity"] > 0 and record[name]["select"] < trivial["select"]]
    if not below:
        return None
    worst = min(record[name]["select"] for name in below)
    return (f"  WARNING: the {' and '.join(below)} pruned model{'s' if len(below) > 1 else ''} "
            f"score{'' if len(below) > 1 else 's'} below the trivial predictor on select "
            f"({worst:.4f} < {trivial['select']:.4f}, {trivial['predictor']})")


def endpoints_line(record: dict) -> str | None:
    """Test at each MAC fraction (after the regime) and the compression endpoint."""
    macs = (record.get("endpoints") or {}).get("macs")
    if not macs or not macs["points"]:
        return None
    # Largest fraction first, whether the record is fresh or read back from JSON
    # (stored with sorted keys).
    points = sorted(macs["points"].items(), key=lambda item: -float(item[0]))
    cells = ", ".join(f"{f} {'unreached' if p is None else format(p['test'], '.4f')}"
                      for f, p in points)
    comp = macs["compression"]
    return (f"  at MACs  test {cells} ({record.get('regime', 'one_shot')}); compression "
            f"{comp['fraction']:g} of MACs within {comp['delta']:g} on select, test drop "
            f"{comp['test_drop']:+.4f}")


def headline(record: dict) -> str:
    if record.get("status") == "failed":
        earlier = "failed earlier (runtime.retry_failed=true runs it again)" if record.get(
            "skipped") else "failed"
        return f"{earlier} at {record.get('stage')}: {record['reason']}; see {record['path']}"
    if record.get("skipped"):  # a re-run: the stored trial's lines, so it reads the same
        stored = _stored(record["path"])
        done = f"  already done: {record['path']} (runtime.force=true runs it again)"
        return "\n".join([*_summary(stored), done]) if stored else done.strip()
    return "\n".join([*_summary(record), f"  wrote {record['path']}"])


def _stored(path: str) -> dict | None:
    """The record a skipped trial left, if it holds the points the summary prints."""
    import json
    from pathlib import Path

    try:
        stored = json.loads(Path(path).read_text())
        _summary(stored)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return stored


def _summary(record: dict) -> list[str]:
    sizes = record.get("split_sizes") or {}
    order = {role: i for i, role in enumerate(ROLES)}  # data-role order, also read back
    rows = ", ".join(f"{role} {n}" for role, n in
                     sorted(sizes.items(), key=lambda item: order.get(item[0], len(order))))
    lines = [
        f"{record['task']}/{record['dataset']} {record['model']} policy={record['policy']} "
        f"seed={record['seed']}" + (f"  (rows: {rows})" if rows else ""),
        _point_line("dense", record, record["dense"]),
        *filter(None, [endpoints_line(record)]),
    ]
    if record.get("kind") == "control":  # no curve of its own (trial/control.py): its cuts
        methods = (f"  control  per-layer counts of {record['control_allocation']}, "
                   f"order within each layer of {record['control_order']}")
        return [*lines, methods]
    lines += [
        _point_line("selected", record, record["selected"], " (chosen on select)"),
        _point_line("target", record, record["target"], " (pruning.sparsity)"),
        f"  pruning cost {record['cost']['pulls']} pulls, {record['cost']['seconds']:.2f} s",
    ]
    warning = trivial_warning(record)
    if warning:
        lines.append(warning)
    return lines
