"""What a reviewer sees: --out holds only this run's files, titles state the real seed
count, ~20 methods get distinct colour+marker pairs, CD labels clear the tick labels."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from test_figures import REPO, SMALL_BLOCKS, SMALL_METHODS, build_tree

from paper_figures import curves, rank_tables
from paper_figures.inputs import Inputs
from paper_figures.load import load_store
from paper_figures.make_all import make_all
from paper_figures.manifest import MANIFEST, write_manifest
from paper_figures.render import markers, palette


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build_tree(tmp_path_factory.mktemp("results"), SMALL_BLOCKS, SMALL_METHODS)


def test_out_is_replaced_whole_so_stale_files_never_mix_in(small, tmp_path):
    out = tmp_path / "figs"
    first = make_all(small, out, formats=("png",))
    # files an earlier run wrote (its manifest lists them) that this run does not write
    old = [out / "curves" / "curve_from_an_old_run.png", out / "rank_old_cd.png"]
    for path in old:
        path.write_bytes(b"old")
    write_manifest(out, [*first, *old])
    written = make_all(small, out, formats=("png",))
    on_disk = {p for p in out.rglob("*") if p.is_file()}
    assert on_disk == set(written) | {out / MANIFEST}
    assert not (out / "rank_old_cd.png").exists()
    assert not list(tmp_path.glob(".figs*"))  # no staging folder left behind


def test_a_folder_of_other_files_is_refused_untouched(small, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me")
    done = subprocess.run([sys.executable, "-m", "paper_figures", "--results", str(small),
                           "--out", str(out)], capture_output=True, text=True, cwd=REPO,
                          check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not an earlier paper_figures output" in done.stderr
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_default_out_is_not_the_committed_folder():
    from paper_figures.__main__ import parse

    assert parse([]).out.as_posix() != "paper_figures/out"


def test_curve_title_states_the_real_seed_count():
    points = pd.DataFrame({"policy": ["ucb1", "magnitude"] * 2, "kind": ["bandit", "baseline"] * 2,
                           "sparsity": [0.0, 0.0, 0.5, 0.5], "test": [0.9, 0.9, 0.8, 0.7],
                           "seed": [0, 0, 0, 0]})
    fig = curves.draw(points, "t", "accuracy")
    assert "over 1 seed)" in fig._suptitle.get_text()
    assert "+" not in fig._suptitle.get_text()


def test_twenty_methods_get_distinct_colour_and_marker_pairs():
    methods = [f"m{i:02d}" for i in range(20)]
    colours, shapes = palette(methods), markers(methods)
    assert len(set(colours.values())) == 20
    assert len({(colours[m], shapes[m]) for m in methods}) == 20


def test_cd_labels_do_not_overlap_the_tick_labels(small, monkeypatch):
    drawn = []
    monkeypatch.setattr(rank_tables, "save_figure",
                        lambda fig, *args, **kwargs: drawn.append(fig) or [])
    rank_tables.make(Inputs(load_store(small), small / "unused"))
    assert drawn
    for fig in drawn:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        labels = [t.get_window_extent(renderer) for t in ax.texts]
        assert ticks and labels
        assert not any(t.overlaps(label) for t in ticks for label in labels)
