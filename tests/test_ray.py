"""The Ray launcher against a real Ray head that the test starts on 127.0.0.1
and stops afterwards: every trial lands in the store, a failing trial does not
stop the others, a trial whose process dies (SIGSEGV) is that job's failure, and
the sweep ends with its summary."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import REPO, TINY, run_cli

pytest.importorskip("ray", reason="the Ray launcher is an optional extra: pip install '.[ray]'")
pytest.importorskip("hydra_plugins.hydra_ray_launcher",
                    reason="the Ray launcher is an optional extra: pip install '.[ray]'")

USER = REPO / "tests" / "user_crash"
pytestmark = pytest.mark.slow  # a Ray head takes tens of seconds to start on 2 cores


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def ray_head():
    """``ray start --head --block`` in its own session; stopped by its process group.
    Its temp folder is short: Ray's socket paths must fit in 107 characters."""
    port, temp = _free_port(), tempfile.mkdtemp(prefix="ray", dir="/tmp")
    ray = Path(sys.executable).parent / "ray"
    # Ray's workers get the head's environment: the user's policy folder is on its path
    env = {**os.environ, "MABBENCH_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": f"{REPO}:{USER}"}
    head = subprocess.Popen(
        [str(ray), "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
         "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
         f"--temp-dir={temp}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert head.poll() is None, "ray start --head exited"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(1)
    else:
        pytest.fail("the Ray head never listened")
    yield address, env
    os.killpg(head.pid, signal.SIGTERM)
    try:
        head.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(head.pid, signal.SIGKILL)
        head.wait()
    shutil.rmtree(temp, ignore_errors=True)


def test_ray_sweep_runs_into_the_store_and_survives_a_failure(tmp_path, ray_head):
    address, env = ray_head
    results = tmp_path / "results"
    args = ["-m", "launcher=ray", f"hydra.launcher.ray.init.address={address}",
            "dataset=adult,iris", *TINY, f"runtime.results_dir={results}",
            f"runtime.data_dir={tmp_path / 'data'}"]
    done = run_cli(*args, cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout[done.stdout.index("sweep: done"):].splitlines()
    assert len(list(results.glob("runs/tabular/iris/ucb1/*/seed=0/result.json"))) == 1, \
        done.stdout[-3000:] + done.stderr[-3000:]
    assert summary[0] == "sweep: done 1 / skipped 0 / failed 1"
    assert summary[1].startswith("  failed dataset=adult: ") and "needs a download" in summary[1]
    again = run_cli(*args, cwd=tmp_path, env=env)
    assert "sweep: done 0 / skipped 1 / failed 1" in again.stdout, again.stderr[-3000:]


def test_a_ray_job_whose_process_dies_is_its_failure_and_the_rest_run(tmp_path, ray_head):
    """Before: Ray retried the crashing task three times, then the launcher's
    WorkerCrashedError ended the sweep with a traceback."""
    address, env = ray_head
    results = tmp_path / "results"
    done = run_cli("-m", "launcher=ray", f"hydra.launcher.ray.init.address={address}",
                   "policy=crash,ucb1", *TINY, f"hydra.searchpath=[file://{USER / 'conf'}]",
                   f"runtime.results_dir={results}", f"runtime.data_dir={tmp_path / 'data'}",
                   cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout[done.stdout.index("sweep: done"):].splitlines()
    assert summary[0] == "sweep: done 1 / skipped 0 / failed 1"
    assert summary[1].startswith("  failed policy=crash: the job's process died (Fatal Python "
                                 "error: Segmentation fault")
    assert len(list(results.glob("runs/tabular/*/ucb1/*/seed=0/result.json"))) == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.count("Task _run_job failed") == 0  # no retries of a dead job
