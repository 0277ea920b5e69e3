"""Run every output module on one results tree; write NOTES.md with what was skipped."""
from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from paper_figures import (
    ablation,
    claims,
    control_order,
    control_regimes,
    cost,
    curves,
    dense_quality,
    discrimination,
    mac_curves,
    method_tables,
    paper2017,
    rank_tables,
    ranking_quality,
    render,
    row_inclusion,
    speed,
)
from paper_figures.inputs import DEFAULT_POINT, Inputs
from paper_figures.load import load_store
from paper_figures.manifest import why_not_replaceable, write_manifest

# Output modules in the order they run; each has NAME and make(inputs) -> list[Path].
OUTPUTS = (rank_tables, claims, discrimination, row_inclusion, control_order, control_regimes,
           curves, mac_curves, cost, ranking_quality, speed, dense_quality, paper2017, ablation, method_tables)


def unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def write_notes(inputs: Inputs, problems: list[str], written: list[Path]) -> Path:
    path = inputs.out / "NOTES.md"
    lines = ["# What the figures skipped and why", ""]
    lines += ["## Unreadable result files (skipped)", ""] + [f"- {p}" for p in problems or ["none"]]
    lines += ["", "## Skipped or reduced outputs", ""] + [f"- {n}" for n in unique(inputs.notes)
                                                          or ["none"]]
    lines += ["", "## Files written", ""]
    lines += [f"- {p.relative_to(inputs.out).as_posix()}" for p in sorted(written)]
    path.write_text("\n".join(lines) + "\n")
    return path


def make_all(results: Path, out: Path, point: str = DEFAULT_POINT, alpha: float = 0.05,
             budget_per_arm: float | None = None,
             formats: tuple[str, ...] = tuple(render.FORMATS),
             claims_exclude: tuple[str, ...] = ()) -> list[Path]:
    """Every table and figure from ``results/runs``; returns the paths written.
    ``formats``: figure formats, a subset of ``render.FORMATS`` (png, pdf);
    ``claims_exclude``: datasets (the development suite) left out of every claim. The
    outputs are written to a staging folder that then replaces ``out`` whole."""
    unknown = set(formats) - set(render.FORMATS)
    if unknown:
        raise ValueError(f"formats: {', '.join(sorted(unknown))} not in "
                         f"{', '.join(render.FORMATS)}")
    out = Path(out)
    why = why_not_replaceable(out, Path(results))
    if why is not None:
        raise ValueError(why)
    store = load_store(Path(results))
    for problem in store.problems:
        print(f"skipped {problem}", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-"))
    staging.chmod(0o755)  # mkdtemp makes it private; the outputs are meant to be read
    try:
        written = write_all(store, staging, point, alpha, budget_per_arm, formats,
                            claims_exclude)
        write_manifest(staging, written)  # last: its presence means the folder is whole
        why = why_not_replaceable(out, Path(results))  # someone may have written there since
        if why is not None:
            raise ValueError(why)
        replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / path.relative_to(staging) for path in written]


def replace(staging: Path, out: Path) -> None:
    """Swap the freshly written folder in for ``out`` (checked replaceable). The old
    output moves to a fresh temp name first: a fixed name could be someone's folder."""
    if out.exists():
        holder = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
        old = holder / out.name
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(holder)
    else:
        staging.rename(out)


def write_all(store, out: Path, point: str, alpha: float, budget_per_arm: float | None,
              formats: tuple[str, ...], claims_exclude: tuple[str, ...] = ()) -> list[Path]:
    inputs = Inputs(store, out, point, alpha, budget_per_arm, tuple(formats),
                    tuple(claims_exclude))
    written: list[Path] = []
    with warnings.catch_warnings():
        # Small-sample warnings from scipy's tests are expected on small grids; the
        # tables say N next to every p-value.
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        for module in OUTPUTS:
            written += module.make(inputs)
    for note in unique(inputs.notes):
        print(f"note: {note}", file=sys.stderr)
    written.append(write_notes(inputs, store.problems, written))
    return written
