"""python -m mabbench.store.restore: an archive's records come back as folders a sweep resumes
from, compacting them again gives the same archive, and nothing present is overwritten."""
from __future__ import annotations

import json
import shutil

from conftest import TINY, compose_config
from test_compact import trials  # noqa: F401  (the fixture: two tiny trials and a broken file)

from mabbench.store.compact import ARCHIVE, compact
from mabbench.store.staleness import stale
from mabbench.store.restore import main, restore
from mabbench.trial.resume import finished_trial


def archived_only(trials, tmp_path):  # noqa: F811
    """A results root holding only the archive of ``trials``, as a fresh clone has it."""
    results = tmp_path / "results"
    shutil.copytree(trials, results)
    compact(results)
    shutil.rmtree(results / "runs")
    return results


def test_restored_folders_compact_to_the_same_archive_bytes(trials, tmp_path):  # noqa: F811
    results = archived_only(trials, tmp_path)
    before = (results / ARCHIVE).read_bytes()
    done = restore(results)
    assert (done.written, done.present, done.unreadable) == (3, 0, 0)
    assert len(list((results / "runs").rglob("result.json"))) == 3
    assert len(list((results / "runs").rglob("config.yaml"))) == 2  # the broken one had none
    again, count = compact(results, tmp_path / "again.parquet")
    assert count == 3 and again.read_bytes() == before


def test_a_sweep_resumes_from_restored_records(trials, tmp_path):  # noqa: F811
    results = archived_only(trials, tmp_path)
    cfg = compose_config([*TINY, "pruning.oracle_rho=false", "seed=1"], results)
    assert finished_trial(cfg) is None  # only the archive: the trial would run again
    restore(results)
    outcome = finished_trial(cfg)
    assert outcome is not None and outcome["status"] == "skipped"
    missing = compose_config([*TINY, "pruning.oracle_rho=false", "seed=2"], results)
    assert finished_trial(missing) is None  # a seed the archive lacks still runs


def test_restored_records_are_not_mistaken_for_newer_ones(trials, tmp_path):  # noqa: F811
    results = archived_only(trials, tmp_path)
    restore(results)
    assert stale(results / ARCHIVE) is None


def test_usable_records_already_there_are_left_alone_damaged_ones_repaired(trials, tmp_path):  # noqa: F811
    results = archived_only(trials, tmp_path)
    restore(results)
    newer, damaged = sorted((results / "runs").rglob("result.json"))[:2]
    record = json.loads(newer.read_text())
    newer.write_text(json.dumps({k: v for k, v in record.items() if k != "sha256"} | {"note": 1}))
    good = damaged.read_bytes()
    damaged.write_bytes(good[:200])
    done = restore(results)
    assert (done.written, done.present, done.repaired) == (0, 2, 1)
    assert json.loads(newer.read_text())["note"] == 1  # a newer usable record wins
    assert damaged.read_bytes() == good  # repaired from the archive ...
    kept = list(damaged.parent.glob("result.json.corrupt-*"))
    assert [p.read_bytes() for p in kept] == [good[:200]]  # ... the damaged copy kept aside

def test_bad_input_fails_in_one_line_and_writes_nothing(trials, tmp_path, capsys):  # noqa: F811
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--results", str(empty)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no {ARCHIVE} to restore from" in err
    assert not list(empty.iterdir())
