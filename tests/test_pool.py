"""The pool launcher (mabbench/experiments/pool.py): a slice's records are the
ones the basic launcher writes, and a re-issued sweep skips them."""
from __future__ import annotations

import json

from conftest import run_cli

from mabbench.bench._grid_records import compare_records


def _records(root) -> dict[str, dict]:
    return {str(p.relative_to(root)): json.loads(p.read_text())
            for p in sorted(root.rglob("result.json"))}


def test_a_slice_in_long_lived_workers_writes_the_basic_launchers_records(tmp_path):
    found = {}
    for launcher in ("basic", "pool"):
        root = tmp_path / launcher
        done = run_cli("-m", "+experiment=smoke", f"launcher={launcher}",
                       f"runtime.results_dir={root}", f"hydra.sweep.dir={tmp_path}/{launcher}-m",
                       cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "sweep: done 4 / skipped 0 / failed 0" in done.stdout
        found[launcher] = _records(root)
    assert len(found["pool"]) == 4
    assert compare_records(found["basic"], found["pool"]) == []  # timings/latency aside
    again = run_cli("-m", "+experiment=smoke", "launcher=pool", f"runtime.results_dir={tmp_path}/pool",
                    f"hydra.sweep.dir={tmp_path}/again", cwd=tmp_path)
    assert "sweep: done 0 / skipped 4 / failed 0" in again.stdout, again.stderr[-2000:]
