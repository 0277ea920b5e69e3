"""The records archive is never corrupted or traded down: concurrent compacts (real
processes) serialise and lose nothing, an archive is checked before it replaces the
old one, a damaged folder copy never replaces a good archived record, a file that is
not an archive is never overwritten, and collect reports what it does not read."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_compact import trials  # noqa: F401  (the fixture: two tiny trials and a broken file)
from test_figures import REPO

from mabbench.store.collect import main as collect_main
from mabbench.store.compact import ARCHIVE, archive_entries, compact, folder_entries
from mabbench.store.compact import main as compact_main


def copy_under(trials, root, seeds):  # noqa: F811
    """A results root holding the records of ``trials`` once per seed folder name."""
    for source in folder_entries(trials):
        for seed in seeds:
            target = root / source.where.replace("seed=", f"seed={seed}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.data())
    return root


def start_compact(results, out):
    return subprocess.Popen([sys.executable, "-m", "mabbench.store.compact", "--results",
                             str(results), "--out", str(out)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_concurrent_compacts_into_one_archive_serialise_and_lose_nothing(trials, tmp_path):  # noqa: F811
    """Before: one fixed temp name; 3 of 4 tries left a corrupt archive, both exit 0."""
    one = copy_under(trials, tmp_path / "one", ("1", "2"))
    two = copy_under(trials, tmp_path / "two", ("3", "4", "5"))
    union = {e.where for e in folder_entries(one)} | {e.where for e in folder_entries(two)}
    for attempt in range(2):
        out = tmp_path / f"shared{attempt}" / ARCHIVE
        jobs = [start_compact(one, out), start_compact(two, out)]
        finished = [job.communicate(timeout=120) for job in jobs]
        assert [job.returncode for job in jobs] == [0, 0], finished
        stored = [entry.where for entry in archive_entries(out)]  # readable, in order
        assert set(stored) == union and len(stored) == len(union)
        counts = sorted(int(stdout.split()[1]) for stdout, _ in finished)
        assert counts[-1] == len(union)  # the last to finish reports what the archive holds
        assert [p.name for p in out.parent.iterdir()] == [ARCHIVE, f".{ARCHIVE}.lock"]


def test_an_archive_that_reads_back_wrong_never_replaces_the_old_one(trials, tmp_path, monkeypatch):  # noqa: F811
    out, _ = compact(trials, tmp_path / ARCHIVE)
    before = out.read_bytes()
    write = pq.write_table

    def torn(table, where, **options):  # the disk returns fewer bytes than were written
        write(table, where, **options)
        with open(where, "r+b") as handle:
            handle.truncate(len(before) // 2)

    monkeypatch.setattr(pq, "write_table", torn)
    with pytest.raises((OSError, pa.ArrowException)):
        compact(trials, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


def test_a_damaged_folder_copy_never_replaces_a_good_archived_record(trials, tmp_path, capsys):  # noqa: F811
    results = tmp_path / "results"
    shutil.copytree(trials, results)
    out, count = compact(results)
    good = {e.where: e.data() for e in archive_entries(out) if b'"sha256"' in e.data()}
    where, gone = sorted(good)[:2]
    (results / where).write_bytes((results / where).read_bytes()[:200])
    shutil.rmtree((results / gone).parent)  # its folder deleted: the archive keeps it
    assert compact_main(["--results", str(results)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {where} in runs/ is not a usable record; kept its archived copy" in err
    assert "kept 1 archived records that runs/ no longer holds" in err
    again = {e.where: e for e in archive_entries(out)}
    assert len(again) == count
    assert again[where].data() == good[where] and again[gone].data() == good[gone]


def test_a_file_that_is_not_an_archive_is_never_overwritten(trials, tmp_path, capsys):  # noqa: F811
    theirs = tmp_path / "table.parquet"
    pq.write_table(pa.table({"x": [1, 2, 3]}), theirs)
    before = theirs.read_bytes()
    assert compact_main(["--results", str(trials), "--out", str(theirs)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: --out {theirs}: exists and is not")
    assert theirs.read_bytes() == before


def test_collect_reports_archived_records_the_folders_lack(trials, tmp_path, capsys):  # noqa: F811
    """A fresh clone holds the archive; one trial re-run makes runs/, which is read alone."""
    results = tmp_path / "results"
    shutil.copytree(trials, results)
    compact(results)
    for path in sorted((results / "runs").rglob("result.json"))[1:]:
        shutil.rmtree(path.parent)
    assert collect_main(["--results", str(results), "--out", str(tmp_path / "t.csv")]) == 0
    err = capsys.readouterr().err
    assert f"warning: {results / ARCHIVE} holds 2 record(s) that {results / 'runs'} lacks" in err
    assert f"python -m mabbench.store.restore --results {results}" in err
