"""``python -m paper_figures --out`` replaces only a folder it proves it made (its
manifest, with a marker only it writes, listing every file): a folder of someone
else's files, one with a file added since, and the results being read are refused
with one line, exit 2, and left exactly as they were."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_figures import REPO, SMALL_BLOCKS, build_tree

from paper_figures.make_all import make_all
from paper_figures.manifest import MANIFEST


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def figures(results: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paper_figures", "--results", str(results),
                           "--out", str(out), "--formats", "png"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    return build_tree(tmp_path_factory.mktemp("store") / "results", SMALL_BLOCKS,
                      ("ucb1", "none"))


def test_a_folder_with_a_notes_file_is_not_taken_for_an_output(results, tmp_path):
    """A NOTES.md proved nothing before: a home folder holding one was deleted."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("key")
    (home / "thesis.tex").write_text("chapter 1")
    (home / "NOTES.md").write_text("my notes")
    before = snapshot(home)
    done = figures(results, home)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: --out") and MANIFEST in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert snapshot(home) == before


def test_the_results_being_read_are_never_replaced(results, tmp_path):
    (results / "NOTES.md").write_text("notes")  # what used to pass for an earlier output
    before = snapshot(results)
    with pytest.raises(ValueError, match="holds the results being read"):
        make_all(results, results, formats=("png",))
    with pytest.raises(ValueError, match="holds the results being read"):
        make_all(results / "runs", results, formats=("png",))
    assert snapshot(results) == before
    (results / "NOTES.md").unlink()


def test_an_earlier_output_is_replaced_but_not_one_with_a_file_added(results, tmp_path):
    out = tmp_path / "figures"
    first = make_all(results, out, formats=("png",))
    assert (out / MANIFEST).is_file() and out / "NOTES.md" in first
    again = make_all(results, out, formats=("png",))  # an earlier output: replaced whole
    assert sorted(again) == sorted(first)
    (out / "curves" / "mine.txt").write_text("my own file")
    before = snapshot(out)
    with pytest.raises(ValueError, match=r"did not write \(e.g. curves/mine.txt\)"):
        make_all(results, out, formats=("png",))
    assert snapshot(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".figures.")]


def test_a_manifest_without_the_marker_proves_nothing(results, tmp_path):
    out = tmp_path / "forged"
    out.mkdir()
    (out / MANIFEST).write_text('{"files": ["thesis.tex"]}')
    (out / "thesis.tex").write_text("chapter 1")
    (out / "NOTES.md").write_text("notes")  # what used to pass for an earlier output
    with pytest.raises(ValueError, match="not an earlier paper_figures output"):
        make_all(results, out, formats=("png",))
    assert (out / "thesis.tex").read_text() == "chapter 1"
