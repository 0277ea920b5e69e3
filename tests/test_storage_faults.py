"""A full, read-only or forbidden store is the machine's fault, not the trial's: the run
ends with one line naming the path and the errno, leaves no failure record (so the
trial runs once the storage is fixed, not skipped as "failed before"), and a sweep on
a read-only store reports its finished trials as skipped. The disks are real tmpfs
mounts where the machine allows one; the permission fault is injected at the write."""
from __future__ import annotations

import errno
import re
import subprocess
from pathlib import Path

import pytest
from conftest import TINY, compose_config, run_cli

from mabbench.files.faults import StorageFault
from mabbench.trial import run as trial_run
from mabbench.trial.run import run_trial

SMALL = [*TINY, "model.hidden=[8]"]


def store_args(root) -> list[str]:
    return [f"runtime.results_dir={root}", f"runtime.data_dir={root.parent / 'data'}"]


@pytest.fixture
def disk(tmp_path):
    """A 4 MiB tmpfs at tmp_path/disk, unmounted afterwards; skipped where mount is refused."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({made.stderr.decode().strip()})")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk, leave: int) -> None:
    """Fill ``disk`` up to ``leave`` free bytes (a 4 KiB-page file system)."""
    import os

    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave))


def failure_records(root) -> list:
    return list(root.rglob("failed.json")) if root.exists() else []


def test_a_full_disk_ends_the_run_in_one_line_and_the_trial_runs_once_freed(disk):
    """Before: failed.json written (skipped as 'failed before' after the disk was
    freed) and 173 lines of '--- Logging error ---' and chained tracebacks."""
    root = disk / "results"
    fill(disk, leave=8 << 10)
    full = run_cli(*SMALL, *store_args(root))
    assert full.returncode == 1, full.stderr
    errors = [line for line in full.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "(ENOSPC, errno 28)" in errors[0], full.stderr
    assert f"cannot write {root}" in errors[0]
    assert "Traceback" not in full.stderr + full.stdout
    assert "Logging error" not in full.stderr + full.stdout
    assert failure_records(root) == []
    (disk / "filler").unlink()
    again = run_cli(*SMALL, *store_args(root))
    assert again.returncode == 0, again.stderr
    assert len(list(root.rglob("result.json"))) == 1


def test_a_sweep_on_a_read_only_store_skips_finished_trials_and_names_the_fault(disk):
    """Before: an 83-line traceback, and the finished trial counted as failed with
    'no outcome recorded (the job was killed or never started)'."""
    root = disk / "results"
    first = run_cli(*SMALL, "policy=magnitude", *store_args(root))
    assert first.returncode == 0, first.stderr
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    sweep = run_cli("-m", *SMALL, "policy=magnitude,random", *store_args(root))
    assert sweep.returncode == 1
    assert "sweep: done 0 / skipped 1 / failed 1" in sweep.stdout, sweep.stdout + sweep.stderr
    failed = [line for line in sweep.stdout.splitlines() if line.startswith("  failed")]
    assert len(failed) == 1 and "policy=random" in failed[0]
    assert "(EROFS, errno 30)" in failed[0] and str(root) in failed[0]
    assert "Traceback" not in sweep.stderr
    # its bookkeeping went to a temp folder of its own, removed at the end (before: left)
    [scratch] = re.findall(r"job folders and outcomes in (\S+) until it ends", sweep.stderr)
    assert not Path(scratch).exists()
    subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
    assert failure_records(root) == []  # the random trial runs next time, not skipped


def test_a_forbidden_write_is_not_recorded_as_the_trials_failure(tmp_path, monkeypatch):
    """Root ignores permissions, so EACCES is injected where the record is written."""
    def forbidden(path, record):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(trial_run, "write_checked_json", forbidden)
    cfg = compose_config(SMALL, tmp_path / "results")
    with pytest.raises(StorageFault, match=r"result.json: Permission denied \(EACCES, errno 13\)"):
        run_trial(cfg)
    assert failure_records(tmp_path / "results") == []


@pytest.mark.parametrize("where", ["results", "results/below"])
def test_a_results_path_that_is_a_file_is_refused_before_anything_runs(tmp_path, where):
    (tmp_path / "results").write_text("a file")
    done = run_cli(*SMALL, f"runtime.results_dir={tmp_path / where}",
                   f"runtime.data_dir={tmp_path / 'data'}")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: runtime.results_dir='{tmp_path / where}': ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert (tmp_path / "results").read_text() == "a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
