"""One job of a multirun, whatever launcher runs it, and the sweep's summary.

A job never raises: whatever goes wrong is recorded as its outcome, so Hydra's
sweeper goes on to the next job (it re-raises a job's exception and stops).
Each job writes its outcome to ``<sweep dir>/.status/<job number>.json``: the
launcher may run it in another process (joblib), another process tree
(submitit) or another machine's worker (Ray), and a file in the sweep folder
reaches the parent in every case. The parent reads them back into one line,
``done N / skipped N / failed N``, and one line per failure.
"""
from __future__ import annotations

import faulthandler
import json
import logging
import os
import socket
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from mabbench.files.atomic import atomic_write_json

log = logging.getLogger(__name__)

# Set by the sweep's parent: "<pid>:<host>". A worker on that host exits when
# that process is gone, so killing a parallel sweep takes its workers with it.
PARENT_ENV = "MABBENCH_SWEEP_PARENT"
STATUS_FOLDER = ".status"


@dataclass
class Outcome:
    """What one job came to: ``done``, ``skipped`` or ``failed`` (with why)."""

    status: str
    overrides: list[str] = field(default_factory=list)
    reason: str = ""
    path: str = ""
    headline: str = ""  # the trial's console lines (shown by the parent for remote launchers)


def outcome_of(record: dict, overrides: list[str]) -> Outcome:
    """Read run_trial's answer (every path of it states ``status``)."""
    status = record["status"]
    reason = str(record.get("reason") or record.get("error") or "") if status == "failed" else ""
    return Outcome(status, overrides, reason, str(record.get("path", "")))


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    if isinstance(error, SystemExit):
        return f"exited with code {error.code}"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


JOB_LIST = "jobs.json"  # beside the numbered outcome files


def status_dir(sweep_dir: str | Path) -> Path:
    return Path(sweep_dir) / STATUS_FOLDER


def clear_outcomes(sweep_dir: str | Path) -> None:
    """Remove the outcome files an earlier sweep left in a re-used folder: only the
    names a sweep writes (``<n>.json``, the job list), never the folder itself."""
    folder = status_dir(sweep_dir)
    if folder.is_dir() and not folder.is_symlink():
        for path in folder.iterdir():
            numbered = path.name.split(".", 1)[0].isdigit() and path.name.endswith(
                (".json", ".started", ".crash"))
            if path.is_file() and (path.name == JOB_LIST or numbered):
                path.unlink(missing_ok=True)


def _threads_per_job() -> int:
    """cores / jobs for a joblib sweep (its launcher config has ``n_jobs``), else 0 (torch's default)."""
    n_jobs = HydraConfig.get().launcher.get("n_jobs")
    if not n_jobs or n_jobs < 1:
        return 0
    return max(1, (os.cpu_count() or 1) // n_jobs)


def _share_the_console(hydra_cfg) -> None:
    """Jobs side by side write to one console, so a job writes whole lines: each stream
    flushes at every newline (a pipe's block buffer cut lines mid-word between
    workers) and a trial's headline is one write. Parallel jobs draw no progress bars
    (two workers' bars redrew over each other); each finished job's headline and the
    sweep's summary say how it goes. Ray and SLURM jobs write to their own logs."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)
    if "BasicLauncher" not in str(hydra_cfg.launcher.get("_target_", "")):
        from mabbench.runtime.progress import without_bars

        without_bars()


def run_job(cfg: DictConfig) -> dict:
    """The task function of a multirun: run the trial, record its outcome, never raise."""
    die_with_parent()
    hydra_cfg = HydraConfig.get()
    _share_the_console(hydra_cfg)
    overrides = list(hydra_cfg.overrides.task)
    record: dict = {}
    try:
        from mabbench.trial.report import headline
        from mabbench.trial.resume import finished_trial

        record = finished_trial(cfg)  # asked before the trial machinery (torch) loads
        if record is None:
            _mark_started(hydra_cfg, cfg, overrides)
            from mabbench.runtime.process import set_threads
            from mabbench.trial.run import run_trial

            if cfg.runtime.threads == 0:
                set_threads(_threads_per_job())
            record = run_trial(cfg)
        outcome = outcome_of(record, overrides)
        if outcome.status != "failed":
            outcome.headline = headline(record)
            print(outcome.headline, flush=True)
    except KeyboardInterrupt:
        _write(hydra_cfg, Outcome("failed", overrides, "interrupted"))
        raise
    except (Exception, SystemExit) as error:  # noqa: BLE001  (any failure is this job's outcome)
        log.debug("job failed:\n%s", traceback.format_exc())
        outcome = Outcome("failed", overrides, one_line(error))
    if outcome.status == "failed":
        print(f"failed: {' '.join(overrides)}: {outcome.reason}", file=sys.stderr, flush=True)
    _write(hydra_cfg, outcome)
    _close_crash_log()
    return {**record, "status": outcome.status} if record else asdict(outcome)


def _mark_started(hydra_cfg, cfg: DictConfig, overrides: list[str]) -> None:
    """``<n>.started``: this job's trial is about to run, and where its record goes, so
    the process watching the sweep can tell a job whose process died (supervise.py)."""
    from mabbench.trial.kinds import job_kind

    kind = job_kind(cfg)
    if kind is not None:
        folder_of, hash_of = kind.folder_of, kind.hash_of
    else:
        from mabbench.store.identity import config_hash as hash_of
        from mabbench.store.identity import run_dir as folder_of
    marker = {"pid": os.getpid(), "overrides": overrides, "folder": str(folder_of(cfg)),
              "config_hash": hash_of(cfg)}
    folder = status_dir(hydra_cfg.sweep.dir)
    atomic_write_json(folder / f"{hydra_cfg.job.num}.started", marker)
    # A fatal signal (SIGSEGV, SIGABRT...) writes its traceback here: the watcher then
    # knows which of several jobs in flight killed its process.
    global _crash_log
    _crash_log = open(folder / f"{hydra_cfg.job.num}.crash", "w")  # noqa: SIM115  (held open)
    faulthandler.enable(file=_crash_log)


_crash_log = None


def _close_crash_log() -> None:
    global _crash_log
    if _crash_log is not None:
        faulthandler.disable()
        _crash_log.close()
        Path(_crash_log.name).unlink(missing_ok=True)
        _crash_log = None


def _write(hydra_cfg, outcome: Outcome) -> None:
    path = status_dir(hydra_cfg.sweep.dir) / f"{hydra_cfg.job.num}.json"
    atomic_write_json(path, asdict(outcome))


def write_job_list(sweep_dir: str | Path, jobs: list[list[str]]) -> None:
    """A sweeper that expands its own jobs (the grid) lists them, in launch order,
    before it launches, so a job that never starts is counted as failed."""
    atomic_write_json(status_dir(sweep_dir) / JOB_LIST, {"jobs": jobs})


def read_outcomes(sweep_dir: str | Path, jobs: list[list[str]] | None) -> list[Outcome]:
    """One outcome per job, in job order; a job that left no status failed.
    With ``jobs`` unknown (a sweeper that expands its own), the job list it wrote,
    else every status found."""
    if jobs is None:
        try:
            jobs = json.loads((status_dir(sweep_dir) / JOB_LIST).read_text())["jobs"]
        except (OSError, ValueError, KeyError, TypeError):
            jobs = None
    if jobs is None:
        found = sorted((p for p in status_dir(sweep_dir).glob("*.json") if p.stem.isdigit()),
                       key=lambda p: int(p.stem))
        jobs = [[] for _ in range(int(found[-1].stem) + 1)] if found else []
    outcomes = []
    for number, overrides in enumerate(jobs):
        path = status_dir(sweep_dir) / f"{number}.json"
        try:
            outcomes.append(Outcome(**json.loads(path.read_text())))
        except (OSError, ValueError, TypeError):
            outcomes.append(Outcome("failed", overrides,
                                    "no outcome recorded (the job was killed or never started)"))
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    """``done N / skipped N / failed N``, then one line per failure with its reason."""
    counts = {s: sum(o.status == s for o in outcomes) for s in ("done", "skipped", "failed")}
    lines = [f"sweep: done {counts['done']} / skipped {counts['skipped']} / "
             f"failed {counts['failed']}"]
    shared = set.intersection(*(set(o.overrides) for o in outcomes)) if len(outcomes) > 1 else set()
    lines += [f"  failed {' '.join(x for x in o.overrides if x not in shared) or '(job)'}: "
              f"{o.reason}" for o in outcomes if o.status == "failed"]
    return "\n".join(lines)


def mark_parent() -> None:
    """Called by the sweep's parent before it launches workers."""
    os.environ[PARENT_ENV] = f"{os.getpid()}:{socket.gethostname()}"


_watching = False


def _forked() -> None:
    # A forked child (a pool worker) has no copy of its parent's watcher thread, only
    # the flag saying one runs: start its own when its first job asks.
    global _watching
    _watching = False


os.register_at_fork(after_in_child=_forked)


def die_with_parent(interval: float = 0.5) -> None:
    """In a worker on the parent's host, exit as soon as the sweep's parent is gone.

    A worker whose parent was SIGKILLed is re-parented and goes on computing;
    a daemon thread polls the parent and ends the worker instead. Results are
    written atomically, so a worker ended mid-trial leaves nothing half-written.
    """
    global _watching
    token = os.environ.get(PARENT_ENV, "")
    pid_text, _, host = token.partition(":")
    if _watching or not pid_text.isdigit() or host != socket.gethostname():
        return
    parent = int(pid_text)
    if parent == os.getpid():
        return
    _watching = True

    def watch() -> None:
        while _alive(parent):
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed parent not yet reaped by its own parent is a zombie: gone for us
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


# Launchers whose jobs print into their own log files, not the launching console.
REMOTE_LAUNCHERS = ("submitit", "ray")


def remote_headlines(outcomes: list[Outcome], launcher_target: str) -> list[str]:
    """Each finished trial's headline, for the parent to print when the launcher
    ran the jobs where their output does not reach its console; else nothing."""
    if not any(name in launcher_target.lower() for name in REMOTE_LAUNCHERS):
        return []
    return [o.headline for o in outcomes if o.headline]
