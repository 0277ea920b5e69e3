"""Issue 22 item 1: ``python -m mabbench.compare`` puts a user's policy (found through
the search path) into the reference archive's tables, on the archive's seeds, and
leaves the archive and the committed figures as they were."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from conftest import REPO

from mabbench.compare.options import parse
from mabbench.config.errors import ConfigError

USER = REPO / "tests" / "user_policy"
ARCHIVE = REPO / "results" / "reference" / "records.parquet"
FIGURES = REPO / "paper_figures" / "out"


def digest_of(*roots) -> str:
    """One sha256 over every file under ``roots`` (path and bytes)."""
    total = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in ([root] if root.is_file() else root.rglob("*"))
                           if p.is_file()):
            total.update(str(path).encode() + path.read_bytes())
    return total.hexdigest()


def compare(*words: str, results) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(USER)]),
           "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "mabbench.compare", *words,
                           f"results_dir={results}", f"runtime.data_dir={results / 'data'}"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
                          check=False)


def archived_mean(dataset: str, policy: str) -> tuple[float, int]:
    """A rival's test accuracy with its cut at 50% of the dense MACs (the rank tables'
    point), mean over its archived seeds."""
    rows = pq.read_table(ARCHIVE, columns=["record", "config_hash"], filters=[
        ("task", "=", "tabular"), ("dataset", "=", dataset), ("policy", "=", policy)]).to_pylist()
    records = [json.loads(r["record"]) for r in rows]
    main = max({r["config_hash"] for r in records},
               key=lambda h: sum(r["config_hash"] == h for r in records))
    scores = [r["endpoints"]["macs"]["points"]["0.5"]["test"] for r in records
              if r["config_hash"] == main]
    return sum(scores) / len(scores), len(scores)


def test_compare_a_search_path_policy_on_a_slice(tmp_path):
    before = digest_of(ARCHIVE, FIGURES)
    searchpath = f"hydra.searchpath=[file://{USER / 'conf'}]"
    result = compare("policy=shrunk_thompson", "datasets=iris,pima", "seeds=0", searchpath,
                     results=tmp_path)
    assert result.returncode == 1, result.stderr  # partial: one seed of five
    assert "PARTIAL: lacks 163 job(s)" in result.stdout, result.stdout
    assert "same dense models as the archive (dense test score within 1e-06): 2 of 2" \
        in result.stdout, result.stdout
    report = tmp_path / "reports" / "shrunk_thompson_tabular"
    table = (report / "rank_tabular_accuracy.md").read_text()
    rows = {line.split("|")[1].strip(): line.split("|")[2:] for line in table.splitlines()
            if line.startswith("| ") and not line.startswith(("| method", "| ---"))}
    assert "shrunk_thompson" in rows and "uniform" in rows and "knn" in rows
    # The rivals keep every archived seed (5), not the subject's one: iris is the first column.
    mean, seeds = archived_mean("iris", "uniform")
    assert seeds == 5 and rows["uniform"][1].strip() == f"{mean:.4f}"
    verdicts = (report / "verdicts_rank_tabular_accuracy.md").read_text()
    assert verdicts.count("| 2 |") == len(rows) - 1  # every rival judged on both datasets
    assert (report / "rank_tabular_accuracy_cd.png").is_file()
    assert (report / "curves_tabular.png").is_file()
    assert digest_of(ARCHIVE, FIGURES) == before


@pytest.mark.parametrize("words, named", [
    (["suite=tabular"], "policy=<name>"),
    (["policy=x", "suite=tabluar"], "did you mean tabular"),
    (["policy=x", "pruning.budget_per_arm=2"], "pruning.budget_per_arm=2"),
    (["policy=x", "runtime.threads=2"], "runtime.threads=2"),
    (["policy=x", "seeds=a"], "seeds=a"),
])
def test_compare_refuses_what_would_change_the_rivals_settings(words, named):
    with pytest.raises(ConfigError, match=named.replace("<", ".").replace(">", ".")):
        parse(words)


def test_judge_gives_each_of_the_four_outcomes():
    """Synthetic scores over 12 datasets: the subject beats ``low`` everywhere, loses to
    ``high`` everywhere, is within 0.002 of ``close`` (equivalent within the ROPE) and
    swings +-0.05 around ``noise`` (undecided)."""
    import numpy as np
    import pandas as pd

    from mabbench.compare.judge import judge

    rng = np.random.default_rng(0)
    base = rng.uniform(0.6, 0.9, 12)
    scores = pd.DataFrame({"mine": base, "low": base - 0.05, "high": base + 0.05,
                           "close": base + rng.choice([-0.002, 0.002], 12),
                           "noise": base + rng.choice([-0.05, 0.05], 12)})
    verdicts = judge(scores, "mine", {}, alpha=0.05).set_index("rival")["verdict"]
    assert verdicts.to_dict() == {"low": "better", "high": "worse", "close": "equivalent",
                                  "noise": "undecided"}


@pytest.mark.parametrize("words, named", [
    (["policy=shrunk_thompson", "policy.strengthh=1"], "strengthh"),
    (["policy=shrunk_thompson"], "_target_='shrunk_thompson.ShrunkThompson': cannot be "
                                 "imported .*is its folder on PYTHONPATH"),
])
def test_compare_checks_the_method_before_any_job(words, named, tmp_path):
    """Run without the policy's folder on PYTHONPATH: the second case must say so."""
    from mabbench.compare.run import check_method

    searchpath = f"hydra.searchpath=[file://{USER / 'conf'}]"
    with pytest.raises(ConfigError, match=named):
        check_method(parse([*words, searchpath, f"results_dir={tmp_path}"]))


def test_the_default_archive_is_the_projects_wherever_compare_runs(tmp_path, monkeypatch):
    """Before: compare run outside the project ran every job, then failed with a
    FileNotFoundError traceback for results/reference/records.parquet."""
    monkeypatch.chdir(tmp_path)
    assert parse(["policy=ucb1"]).archive == ARCHIVE


def test_a_missing_archive_is_refused_before_any_job(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mabbench.compare", "policy=ucb1",
                           "archive=nowhere/records.parquet", f"results_dir={tmp_path / 'r'}"],
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: archive=nowhere/records.parquet: no such file")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()
