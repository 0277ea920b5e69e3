"""The compact archive (python -m mabbench.store.compact): every record and config comes back
exactly, the same records give the same bytes, and the figures drawn from the archive
are byte-identical to those drawn from the per-trial folders (and to a second render)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import TINY, compose_config
from test_figures import REPO, SMALL_BLOCKS, SMALL_METHODS, build_tree

from mabbench.store.collect import check, collect
from mabbench.store.collect import main as collect_main
from mabbench.store.compact import ARCHIVE, archive_entries, compact, folder_entries, main
from mabbench.trial.run import run_trial
from paper_figures.load import load_store
from paper_figures.make_all import make_all


@pytest.fixture(scope="module")
def trials(tmp_path_factory):
    """Two seeds of one tiny real trial (rankings, checksums, config.yaml) and a
    truncated record, which must be reported the same way from either form."""
    root = tmp_path_factory.mktemp("compact") / "results"
    for seed in (0, 1):
        run_trial(compose_config([*TINY, "pruning.oracle_rho=false", f"seed={seed}"], root))
    broken = root / "runs" / "tabular" / "x" / "ucb1" / "abc" / "seed=0"
    broken.mkdir(parents=True)
    (broken / "result.json").write_text('{"task": "tab')
    return root


def test_every_record_and_config_comes_back_exactly(trials, tmp_path):
    out, count = compact(trials, tmp_path / "records.parquet")
    assert count == 3
    folders, archived = folder_entries(trials), list(archive_entries(out))
    assert [e.where for e in archived] == [e.where for e in folders]
    real = 0
    for folder, back in zip(folders, archived):
        assert back.config() == folder.config()
        try:
            original = json.loads(folder.data())
        except json.JSONDecodeError:  # the truncated file is archived byte for byte
            assert back.data() == folder.data()
            continue
        restored = json.loads(back.data())
        assert restored == original and restored["ranking"]
        assert "sha256" in restored and check(restored) is None  # the checksum still holds
        real += 1
    assert real == 2
    table, problems = collect(trials)
    again, problems_again = collect(out)
    pd.testing.assert_frame_equal(table, again)
    assert problems == problems_again and len(problems) == 1


def test_rankings_are_stored_as_integer_lists_beside_the_record(trials, tmp_path):
    out, _ = compact(trials, tmp_path / "records.parquet")
    stored = pq.read_table(out).to_pylist()
    row = next(r for r in stored if r["ranking"])
    original = json.loads((trials / row["path"]).read_text())
    assert dict(zip(row["ranking_layers"], row["ranking"])) == original["ranking"]
    assert json.loads(row["record"])["ranking"] is None
    assert pq.read_schema(out).field("ranking").type.value_type.value_type == "int32"


def test_same_records_give_the_same_bytes(trials, tmp_path):
    """Written twice, and from a copy made in another order at another time."""
    one, _ = compact(trials, tmp_path / "one.parquet")
    two, _ = compact(trials, tmp_path / "two.parquet")
    copy = tmp_path / "copy"
    for entry in reversed(folder_entries(trials)):  # files created in reverse order
        target = copy / entry.where
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(entry.data())
        if entry.config() is not None:
            target.with_name("config.yaml").write_text(entry.config())
    three, _ = compact(copy, tmp_path / "three.parquet")
    assert one.read_bytes() == two.read_bytes() == three.read_bytes()


def test_figures_from_the_archive_match_the_folders_byte_for_byte(tmp_path):
    results = build_tree(tmp_path / "results", SMALL_BLOCKS, SMALL_METHODS)
    broken = next((results / "runs" / "tabular" / "iris" / "ucb1").rglob("result.json"))
    broken.write_text(broken.read_text()[:100])
    archive, _ = compact(results)
    assert archive == results / ARCHIVE
    # PNG only here (PDFs: the slow test below and test_figures' byte-identity test)
    from_folders = make_all(results, tmp_path / "folders", formats=("png",))
    from_archive = make_all(archive, tmp_path / "archive", formats=("png",))
    names = [p.relative_to(tmp_path / "folders").as_posix() for p in from_folders]
    assert names == [p.relative_to(tmp_path / "archive").as_posix() for p in from_archive]
    assert {"NOTES.md", "rank_tabular_accuracy.md", "curves/curve_tabular_iris_mlp.png"
            } <= set(names)
    for one, two in zip(from_folders, from_archive):
        assert one.read_bytes() == two.read_bytes(), one.name
    assert broken.relative_to(results).as_posix() in (tmp_path / "archive" / "NOTES.md").read_text()


@pytest.mark.slow
def test_two_command_line_renders_are_byte_identical(tmp_path):
    """As `make figures` runs it, twice, in fresh processes: PNG and PDF carry no dates."""
    results = build_tree(tmp_path / "results", SMALL_BLOCKS, SMALL_METHODS)
    archive, _ = compact(results)
    shutil.rmtree(results / "runs")  # a fresh clone: only the archive is there
    renders = []
    for name, hash_seed in (("first", "1"), ("second", "2")):
        out = tmp_path / name
        subprocess.run([sys.executable, "-m", "paper_figures", "--results", str(archive),
                        "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                       timeout=300, check=True, env={**os.environ, "PYTHONHASHSEED": hash_seed})
        renders.append({p.relative_to(out).as_posix(): p.read_bytes()
                        for p in sorted(out.rglob("*")) if p.is_file()})
    assert any(name.endswith(".pdf") for name in renders[0])
    assert renders[0] == renders[1]


def test_a_results_folder_holding_only_the_archive_is_read_from_it(trials, tmp_path):
    results = tmp_path / "results"
    shutil.copytree(trials, results)
    compact(results)
    expected = load_store(results).runs
    shutil.rmtree(results / "runs")
    pd.testing.assert_frame_equal(load_store(results).runs, expected)


def test_bad_arguments_fail_in_one_line_and_write_nothing(trials, tmp_path, capsys):
    for args, needle in ((["--results", str(tmp_path / "none")], "no runs/ folder"),
                         (["--results", str(trials), "--out", str(tmp_path / "t.csv")],
                          "expected a .parquet file")):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and needle in err
    assert not list(tmp_path.rglob("*")) and not (trials / ARCHIVE).exists()
    # A Parquet file that is not an archive (collect's level table) is refused by name.
    table = tmp_path / "table.parquet"
    assert collect_main(["--results", str(trials), "--out", str(table)]) == 0
    capsys.readouterr()
    assert collect_main(["--results", str(table), "--out", str(tmp_path / "t.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a records archive" in err
    assert not (tmp_path / "t.csv").exists()


def test_figure_files_carry_no_date_or_software_version(tmp_path):
    """What would make two renders a second apart (or on two machines) differ."""
    import matplotlib

    from paper_figures.render import save_figure

    fig = matplotlib.figure.Figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    png, pdf = save_figure(fig, tmp_path, "figure", ("png", "pdf"))
    assert b"Software" not in png.read_bytes() and b"matplotlib" not in png.read_bytes()
    body = pdf.read_bytes()
    assert b"/CreationDate" not in body and b"/Producer" not in body
    assert matplotlib.__version__.encode() not in body


def test_an_archive_that_lacks_records_beside_it_is_flagged_by_content(trials, tmp_path, capsys):
    """`make figures` reads the archive; a grid slice re-run since then must not go unseen,
    whatever the clocks say: a record written during a compact is older than the archive."""
    results = tmp_path / "results"
    shutil.copytree(trials, results)
    archive, _ = compact(results)
    record = next((results / "runs").rglob("result.json"))
    later = archive.stat().st_mtime + 60
    os.utime(record, (later, later))  # touched, not changed: not stale
    load_store(archive)
    assert "warning" not in capsys.readouterr().err
    added = record.parent.with_name("seed=9") / "result.json"
    added.parent.mkdir()
    added.write_bytes(record.read_bytes())
    early = archive.stat().st_mtime - 60
    os.utime(added, (early, early))  # older than the archive, yet not in it
    load_store(archive)
    err = capsys.readouterr().err
    assert err.startswith("warning:") and "lacks 1 and differs on 0 of the 4" in err
    assert f"python -m mabbench.store.compact --results {results}" in err
