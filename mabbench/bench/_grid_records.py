"""``bench grid --against``'s record check: the same slice's records from the old
and the new code, value by value. Timings, the commit and latency (a measurement,
now taken only where reported) are left out; numbers may differ by float rounding
(``rel``), nothing else may."""
from __future__ import annotations

import math

# measured, not computed: they differ between any two runs of the same code
VOLATILE = {"timing", "train_seconds", "seconds", "git_commit", "path", "versions",
            "fit_seconds", "sha256"}  # sha256: the checksum of the rest
LATENCY = ("latency_s", "latency_batch", "latency_threads", "latency_deploy")


def differences(old, new, where: str = "", rel: float = 1e-9) -> list[str]:
    """Paths where ``old`` and ``new`` differ beyond float rounding."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new)):
            if key in VOLATILE or key in LATENCY:
                continue
            if (key in old) != (key in new):
                found.append(f"{where}.{key}: only in {'old' if key in old else 'new'}")
                continue
            found += differences(old[key], new[key], f"{where}.{key}", rel)
        return found
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{where}: {len(old)} items vs {len(new)}"]
        return [d for i, (a, b) in enumerate(zip(old, new))
                for d in differences(a, b, f"{where}[{i}]", rel)]
    if isinstance(old, float) and isinstance(new, float):
        same = (math.isclose(old, new, rel_tol=rel, abs_tol=1e-12)
                or (math.isnan(old) and math.isnan(new)))
        return [] if same else [f"{where}: {old!r} vs {new!r}"]
    return [] if old == new else [f"{where}: {old!r} vs {new!r}"]


def compare_records(old: dict[str, dict], new: dict[str, dict]) -> list[str]:
    """Per record (by its path under the results root): what differs; records only
    one side wrote count too."""
    found = [f"{path}: only in {'old' if path in old else 'new'}"
             for path in sorted(set(old) ^ set(new))]
    for path in sorted(set(old) & set(new)):
        found += [f"{path}{d}" for d in differences(old[path], new[path])]
    return found
