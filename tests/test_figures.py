"""paper_figures on a synthetic results tree shaped like the store: every output is
written, broken records are reported by path and skipped, reruns are byte-identical,
and the statistics match textbook values."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from paper_figures import rank_tables
from paper_figures.inputs import POINTS, Inputs
from paper_figures.load import load_store
from paper_figures.make_all import make_all
from paper_figures.stats import critical_difference, rank_test

REPO = Path(__file__).resolve().parent.parent

# task -> [(dataset, model)]; >= 2 datasets per table so Friedman and Nemenyi run.
BLOCKS = {
    "tabular": [("iris", "mlp"), ("wine", "mlp")],
    "regression": [("boston", "mlp"), ("concrete", "mlp")],
    "image": [("digits", "lenet")],
    "text": [("fine_food", "text_cnn")],
}
SMALL_BLOCKS = {"tabular": [("iris", "mlp"), ("wine", "mlp")]}
SMALL_METHODS = ("ucb1", "magnitude", "none")
METRIC = {"tabular": "accuracy", "regression": "r2", "image": "accuracy", "text": "accuracy"}
# method -> (kind, skill): a higher skill keeps more of the dense score when pruned.
METHODS = {"ucb1": ("bandit", 0.9), "thompson": ("bandit", 0.8), "exp3": ("bandit", 0.5),
           "magnitude": ("baseline", 0.3), "greedy": ("baseline", 0.2),
           "random": ("baseline", 0.0), "none": ("unpruned", None)}
REFERENCES = {"svm": 0.85, "linear": 0.75}
SEEDS = (0, 1, 2)
LEVELS = (0.25, 0.5, 0.75)
EXPECTED = {
    "rank_tabular_accuracy", "rank_tabular_f1", "rank_regression_r2", "rank_deep_learning",
    "rank_tabular_accuracy_nemenyi", "rank_tabular_f1_nemenyi", "rank_regression_r2_nemenyi",
    "rank_deep_learning_nemenyi", "claims", "claims_summary", "speed", "ranking_quality", "dense_quality", "paper2017", "discrimination",
    "dense_vs_trivial", "control_order", "control_regimes",
    *(f"methods_{t}_{d}_{m}" for t in ("image", "text") for d, m in BLOCKS[t]),
}
EXPECTED_FIGURES = {
    "rank_tabular_accuracy_cd", "rank_tabular_f1_cd", "rank_regression_r2_cd",
    "rank_deep_learning_cd", "cost_tabular", "cost_regression", "cost_image", "cost_text",
    "ranking_quality_tabular", "ranking_quality_regression", "ranking_quality_image",
    "ranking_quality_text",
    *(f"curves/curve_{t}_{d}_{m}" for t, blocks in BLOCKS.items() for d, m in blocks),
}


def point(sparsity: float, score: float, rng, params: int, f1: bool) -> dict:
    values = {"sparsity": sparsity, "select": score + rng.normal(0, 0.002),
              "test": score + rng.normal(0, 0.002), "params": params,
              "macs": params - 10, "latency_ms": 0.05 + params / 1e5}
    if f1:
        values["select_macro_f1"] = values["select"] - 0.02
        values["test_macro_f1"] = values["test"] - 0.02
    return values


def record(task, dataset, model, policy, kind, seed, skill, rng, dense_score, budget=2.0) -> dict:
    f1 = task == "tabular"
    # Every method of a (dataset, seed) prunes the same dense model: same dense point.
    dense_rng = np.random.default_rng(int(dense_score * 1e9))
    dense = point(0.0, dense_score, dense_rng, 1000, f1) | {"train_seconds": 1.0}
    curve = [dense]
    if kind in ("bandit", "baseline"):
        # A better method loses less; a larger budget helps bandits a little.
        keep = skill + (0.02 * math.log(budget) if kind == "bandit" else 0.0)
        # A skilled method gains a little at low sparsity (the paper's claim), then loses.
        curve = [point(s, dense_score + 0.02 * keep - s * (1.2 - keep) * 0.2, rng,
                       int(1000 * (1 - s)), f1)
                 for s in LEVELS]
    best = max(curve, key=lambda p: p["select"])
    target = next((p for p in curve if p["sparsity"] == 0.5), dense)
    arms = 32
    pulls = int(budget * arms) if kind == "bandit" else 0
    # protocol v3's cut at half the MACs: one hidden layer, so half the units (a method
    # that does not prune has no cut; the tables read its dense score there)
    pruned = kind in ("bandit", "baseline")
    endpoints = {"macs": {"points": {"0.5": target if pruned else None}}}
    return {
        "schema_version": 1, "task": task, "dataset": dataset, "model": model,
        "policy": policy, "kind": kind, "seed": seed, "config_hash": f"{policy[:4]}{budget:g}",
        "dense_hash": "d", "metric": METRIC[task], "scope": "layer", "layers": {"h": arms},
        "dense": dense, "curve": curve, "target": target, "selected": best,
        "endpoints": endpoints,
        "cost": {"pulls": pulls, "forward_flops": pulls * 2e4, "seconds": 0.01 + pulls * 1e-4},
        "spearman_oracle": None if kind == "unpruned" else float(min(1.0, max(-1.0,
            (skill or 0) * 0.8 + (0.05 * math.log(budget) if kind == "bandit" else 0)
            + rng.normal(0, 0.05)))),
        "ranking": {"h": list(range(arms))}, "versions": {}, "git_commit": None,
        "trivial": {"predictor": "majority class", "select": 0.5, "test": 0.5},
    }


def reference_record(task, dataset, name, seed, skill, rng) -> dict:
    score = 0.7 + 0.2 * skill + rng.normal(0, 0.01)
    fitted = {"sparsity": 0.0, "select": score, "test": score, "params": None, "macs": None,
              "test_macro_f1": score - 0.02}
    return {"schema_version": 1, "task": task, "dataset": dataset, "model": name.upper(),
            "policy": name, "kind": "reference", "seed": seed, "config_hash": "ref",
            "metric": METRIC[task], "dense": fitted, "curve": [fitted], "target": fitted,
            "selected": fitted, "cost": {"pulls": 0, "forward_flops": 0.0, "seconds": 0.0}}


def write(root: Path, rec: dict, budget: float | None = None) -> Path:
    folder = (root / "runs" / rec["task"] / rec["dataset"] / rec["policy"] / rec["config_hash"]
              / f"seed={rec['seed']}")
    folder.mkdir(parents=True, exist_ok=True)
    if budget is not None:
        (folder / "config.yaml").write_text(f"pruning:\n  budget_per_arm: {budget}\n")
    path = folder / "result.json"
    path.write_text(json.dumps(rec, indent=2, sort_keys=True))
    return path


def build_tree(root: Path, blocks_by_task: dict = BLOCKS, methods=tuple(METHODS)) -> Path:
    """Every table's tasks, all kinds, 3 seeds, a budget sweep for ucb1 and thompson."""
    rng = np.random.default_rng(0)
    for task, blocks in blocks_by_task.items():
        for dataset, model in blocks:
            for seed in SEEDS:
                dense_score = 0.8 + 0.1 * rng.random()  # one dense model per dataset and seed
                for policy in methods:
                    kind, skill = METHODS[policy]
                    budgets = (0.5, 2.0, 8.0) if policy in ("ucb1", "thompson") else (2.0,)
                    for budget in budgets:
                        write(root, record(task, dataset, model, policy, kind, seed, skill, rng,
                                           dense_score, budget), budget)
                if task in ("tabular", "regression"):
                    for name, skill in REFERENCES.items():
                        write(root, reference_record(task, dataset, name, seed, skill, rng))
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return build_tree(tmp_path_factory.mktemp("results"))


@pytest.fixture(scope="module")
def outputs(tree, tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("out")
    return out, make_all(tree, out, formats=("png",))  # PDFs: see the byte-identity test


def test_make_all_writes_every_table_and_figure(outputs):
    out, written = outputs
    names = {p.relative_to(out).as_posix() for p in written}
    expected = ({f"{t}.{ext}" for t in EXPECTED for ext in ("md", "tex")}
                | {f"{f}.png" for f in EXPECTED_FIGURES}
                | {"NOTES.md"})
    assert expected <= names, sorted(expected - names)
    for path in written:
        assert path.stat().st_size > 0, path
    assert (out / "rank_tabular_accuracy.png").exists() is False  # tables are not figures


def test_rank_table_orders_methods_by_the_simulated_skill(outputs):
    out, _ = outputs
    text = (out / "rank_tabular_accuracy.md").read_text()
    rows = [line.split(" | ") for line in text.splitlines()
            if line.startswith("| ") and "---" not in line]
    methods = [r[0].lstrip("| ") for r in rows[1:]]
    # ucb1 is the most skilled network method; random pruning the least.
    assert methods.index("ucb1") < methods.index("magnitude") < methods.index("random")
    assert "Friedman chi2 = " in text and "p = n/a" not in text


def claim_lines(out: Path) -> list[list[str]]:
    return [line.rstrip(" |").lstrip("| ").split(" | ")
            for line in (out / "claims.md").read_text().splitlines()
            if line.startswith("| ") and (line[2].isdigit() or line.startswith("| all"))]


def test_claims_table_gives_a_verdict_per_claim_endpoint_and_pool(outputs):
    out, _ = outputs
    lines = claim_lines(out)
    tested = [line for line in lines if line[0].isdigit()]
    # claims 1-3, 5, 6 on the paper's six and on all methods; claim 4 on the comparators;
    # once per endpoint the records hold (the cut at half the MACs, selected, target)
    assert [line[0] for line in tested] == ["1", "1", "2", "2", "3", "3", "4", "5", "5", "6",
                                            "6"] * 3
    assert [line[2] for line in tested] == ["macs_0.5"] * 11 + ["selected"] * 11 + [
        "target"] * 11
    assert {line[-1] for line in tested} <= {"reproduced", "contradicted",
                                             "practically equivalent", "undecided"}
    # ucb1 beats the unpruned net on both tabular datasets, but 2 datasets cannot make a
    # one-sided Wilcoxon significant: never "reproduced", with N and the MDE beside it
    beats = tested[11 + 2]
    assert beats[4] == "2 (2)" and beats[-1] != "reproduced" and "MDE" in beats[9]
    # an endpoint the records lack is one line saying it waits for the re-run
    waiting = {line[2]: line[-1] for line in lines if line[0] == "all"}
    assert waiting["auc_macs"] == "needs the v3 re-run (no column eq_macs_auc_test)"
    assert "compression" in waiting
    assert "Multiplicity" in (out / "claims.md").read_text()
    # the summary: the paper's own pool only, one line per claim and tested endpoint
    summary = [line.split(" | ") for line in (out / "claims_summary.md").read_text()
               .splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [(s[0].strip("| "), s[2]) for s in summary] == [
        (c, e) for e in ("macs_0.5", "selected", "target") for c in "123456"]
    paper_pool = {(line[0], line[2]): line[-1] for line in tested
                  if line[3] in ("paper's six", "comparators")}
    assert all(s[5] == paper_pool[(s[0].strip("| "), s[2])] for s in summary)


def test_verdicts_api_takes_any_subject(tree):
    from paper_figures.verdict_api import verdicts

    table = verdicts(tree, subject="thompson")
    tested = table[table["endpoint"] == "selected"]
    assert tested["text"].str.endswith("[subject: thompson]").all()
    assert tested["weakest"].dropna().str.startswith("thompson >").all()
    assert set(table["verdict"]) >= {"needs the v3 re-run (no column eq_macs_auc_test)"}
    # thompson is a bandit: it is also held against uniform allocation (absent here)
    assert (tested["vs_equal_pulls"].dropna() == "uniform missing").all()


def test_a_dense_model_near_the_trivial_predictor_leaves_the_claims(tmp_path):
    from paper_figures import claims, row_inclusion
    from paper_figures.claim_file import load

    root = build_tree(tmp_path / "results", {"tabular": [("iris", "mlp"), ("wine", "mlp"),
                                                         ("glass", "mlp")]}, SMALL_METHODS)
    for path in (root / "runs" / "tabular" / "glass").rglob("result.json"):
        rec = json.loads(path.read_text())
        if "trivial" in rec:  # comparators have none
            rec["trivial"]["select"] = rec["dense"]["select"] - 0.03  # within the 0.05 margin
            path.write_text(json.dumps(rec))
    inputs = Inputs(load_store(root), tmp_path / "out")
    assert list(row_inclusion.flagged(inputs, load())["dataset"]) == ["glass"]
    row_inclusion.make(inputs)
    assert "| tabular | glass | mlp |" in (tmp_path / "out" / "dense_vs_trivial.md").read_text()
    found = claims.results(inputs, load())
    assert {r["n"] for r in found if r["endpoint"] == "selected" and r["claim"] == "2"} == {2}


def test_rank_tables_use_only_the_main_budget(tree):
    inputs = Inputs(load_store(tree), tree / "unused")
    assert inputs.main_budgets == {task: 2.0 for task in BLOCKS}
    bandit_budgets = inputs.main_runs.query("kind == 'bandit'")["budget_per_arm"].unique()
    assert list(bandit_budgets) == [2.0]
    assert Inputs(load_store(tree), tree, budget_per_arm=8.0).main_runs.query(
        "policy == 'ucb1'")["budget_per_arm"].unique().tolist() == [8.0]


def assert_renders_twice_alike(module, root, tmp_path) -> list[str]:
    """Run one output module twice on the records under ``root``; every file it writes
    is byte-identical across the two renders. Returns the names written."""
    first = module.make(Inputs(load_store(root), tmp_path / "first"))
    again = module.make(Inputs(load_store(root), tmp_path / "again"))
    names = [p.relative_to(tmp_path / "first").as_posix() for p in first]
    assert names and names == [p.relative_to(tmp_path / "again").as_posix() for p in again]
    for one, two in zip(first, again):
        assert one.read_bytes() == two.read_bytes(), one.name
    return names


def test_regenerating_gives_byte_identical_files(tmp_path):
    small = build_tree(tmp_path / "results", SMALL_BLOCKS, SMALL_METHODS)
    first = make_all(small, tmp_path / "first")
    again = make_all(small, tmp_path / "again")
    names = [p.relative_to(tmp_path / "first").as_posix() for p in first]
    assert names == [p.relative_to(tmp_path / "again").as_posix() for p in again]
    assert {"rank_tabular_accuracy_cd.png", "rank_tabular_accuracy_cd.pdf",
            "curves/curve_tabular_iris_mlp.png", "cost_tabular.pdf"} <= set(names)
    for one, two in zip(first, again):
        assert one.read_bytes() == two.read_bytes(), one.relative_to(tmp_path / "first")


def test_broken_records_are_reported_by_path_and_skipped(tmp_path, capsys):
    broken = build_tree(tmp_path / "results", {"tabular": [("iris", "mlp")],
                                               "regression": [("boston", "mlp")]},
                        ("ucb1", "exp3", "none"))
    truncated = next((broken / "runs" / "tabular" / "iris" / "ucb1").rglob("result.json"))
    truncated.write_text(truncated.read_text()[:100])
    not_a_record = next((broken / "runs" / "regression" / "boston" / "exp3").rglob("result.json"))
    not_a_record.write_text("[1, 2, 3]")
    written = make_all(broken, tmp_path / "out", formats=("png",))
    err = capsys.readouterr().err
    for path in (truncated, not_a_record):
        relative = path.relative_to(broken).as_posix()
        assert f"skipped {relative}" in err
        assert relative in (tmp_path / "out" / "NOTES.md").read_text()
    assert (tmp_path / "out" / "rank_tabular_accuracy.md") in written


def test_point_option_changes_what_is_ranked(tree, tmp_path):
    store = load_store(tree)
    spec = rank_tables.RANK_TABLES["rank_tabular_accuracy"]
    scores = {point: rank_tables.score_matrix(Inputs(store, tmp_path, point=point), spec, "t")[0]
              for point in ("selected", "target", "dense")}
    # Unpruned: every point is the dense model. Pruned methods: the dense point is the
    # same for all of them (one dense model per seed), the target point is not.
    assert scores["dense"]["ucb1"].equals(scores["dense"]["random"])
    assert (scores["target"]["ucb1"] > scores["target"]["random"]).all()
    assert scores["selected"]["none"].equals(scores["target"]["none"])


def test_a_cd_diagram_title_names_its_point_and_seed_count(tree, tmp_path, monkeypatch):
    # a reader of the diagram alone must know what was ranked and over how many seeds
    titles = []

    def keep_title(fig, out, stem, formats):
        titles.append(fig.axes[0].get_title())
        plt.close(fig)
        return []

    monkeypatch.setattr(rank_tables, "save_figure", keep_title)
    store = load_store(tree)
    spec = {"t": rank_tables.RANK_TABLES["rank_tabular_accuracy"]}
    for point in ("selected", "macs_0.5"):
        titles.clear()
        rank_tables.make(Inputs(store, tmp_path / point, point=point, formats=("png",)), spec)
        assert len(titles) == 1
        assert POINTS[point].label in titles[0]
        assert f"mean over {len(SEEDS)} seeds" in titles[0]


def test_friedman_nemenyi_and_cd_match_textbook_values():
    # Demsar (2006): CD for k = 4 methods, N = 14 data sets at alpha 0.05 is 1.25
    # (q_0.05 = 2.569).
    assert critical_difference(4, 14, 0.05) == pytest.approx(2.569 * math.sqrt(20 / 84), abs=1e-3)
    scores = pd.DataFrame({"a": [0.9, 0.8, 0.7, 0.95], "b": [0.8, 0.7, 0.6, 0.9],
                           "c": [0.7, 0.75, 0.5, 0.85]}, index=list("wxyz"))
    test = rank_test(scores, 0.05)
    assert test.mean_ranks.to_dict() == {"a": 1.0, "b": 2.25, "c": 2.75}
    # Friedman chi2 = 12N/(k(k+1)) * sum R_j^2 - 3N(k+1)
    expected = 12 * 4 / 12 * (1.0 ** 2 + 2.25 ** 2 + 2.75 ** 2) - 3 * 4 * 4
    assert test.chi2 == pytest.approx(expected)
    assert test.nemenyi.loc["a", "c"] < test.nemenyi.loc["a", "b"]


def test_cli_names_a_missing_results_folder(tmp_path):
    result = subprocess.run([sys.executable, "-m", "paper_figures", "--results",
                             str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")],
                            cwd=REPO, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --results") and "nowhere" in result.stderr
    assert not (tmp_path / "out").exists()


def test_each_task_keeps_its_own_main_budget(tmp_path):
    # The grid gives image bandits 1 pull per arm and tabular bandits 2: neither table
    # may lose its bandits to the other task's budget.
    rng = np.random.default_rng(1)
    for task, dataset, model, budget in (("tabular", "iris", "mlp", 2.0),
                                         ("image", "digits", "lenet", 1.0)):
        for seed in SEEDS:
            write(tmp_path, record(task, dataset, model, "ucb1", "bandit", seed, 0.9, rng, 0.9,
                                   budget), budget)
    write(tmp_path, record("tabular", "iris", "mlp", "ucb1", "bandit", 0, 0.9, rng, 0.9, 8.0), 8.0)
    inputs = Inputs(load_store(tmp_path), tmp_path / "out")
    assert inputs.main_budgets == {"image": 1.0, "tabular": 2.0}
    kept = inputs.main_runs.groupby("task")["budget_per_arm"].agg(["unique", "size"])
    assert kept.loc["image", "size"] == 3 and list(kept.loc["tabular", "unique"]) == [2.0]


def test_cli_output_does_not_depend_on_the_callers_hash_seed(tmp_path):
    """Two processes with different string-hash seeds (as two users' shells would
    have) draw byte-identical critical-difference diagrams."""
    small = build_tree(tmp_path / "results", {"tabular": SMALL_BLOCKS["tabular"]}, tuple(METHODS))
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"out{hash_seed}"
        subprocess.run([sys.executable, "-m", "paper_figures", "--results", str(small), "--out",
                        str(out), "--formats", "png"], cwd=REPO, capture_output=True, text=True,
                       timeout=300, check=True, env={**os.environ, "PYTHONHASHSEED": hash_seed})
        outputs.append((out / "rank_tabular_accuracy_cd.png").read_bytes())
    assert outputs[0] == outputs[1]


def test_schema_1_records_are_read_in_todays_names():
    from paper_figures.load import check, upgraded

    old = {"task": "t", "dataset": "d", "model": "m", "policy": "p", "kind": "bandit", "seed": 0,
           "config_hash": "h", "metric": "accuracy",
           "dense": {"sparsity": 0.0, "val": 0.9, "test": 0.8, "val_macro_f1": 0.7},
           "curve": [{"sparsity": 0.5, "val": 0.6, "test": 0.5}],
           "target": {"sparsity": 0.5, "val": 0.6, "test": 0.5},
           "best_val": {"sparsity": 0.5, "val": 0.6, "test": 0.5}}
    new = upgraded(old)
    assert check(new) is None and "best_val" not in new
    assert new["selected"] == {"sparsity": 0.5, "select": 0.6, "test": 0.5}
    assert new["dense"] == {"sparsity": 0.0, "select": 0.9, "test": 0.8, "select_macro_f1": 0.7}
    assert new["curve"][0]["select"] == 0.6 and upgraded(new) == new


def test_rank_tables_leave_out_an_ablations_protocol(tmp_path):
    """An ablation (other reward and schedule, as many seeds) on one dataset must not
    stand in for the main grid's run of the same method in the tables."""
    root = build_tree(tmp_path / "results", SMALL_BLOCKS, SMALL_METHODS)
    rng = np.random.default_rng(1)
    for seed in SEEDS:
        rec = record("tabular", "iris", "mlp", "ucb1", "bandit", seed, 0.1, rng, 0.85)
        rec["config_hash"] = "aaaablation"  # sorts first: the old tie-break would take it
        path = write(root, rec)
        (path.parent / "config.yaml").write_text(
            "pruning:\n  budget_per_arm: 2.0\n  schedule: one_shot\n  reward:\n"
            "    transform: sigmoid\n")
    for path in (root / "runs").rglob("config.yaml"):
        if "aaaablation" not in str(path):
            path.write_text(path.read_text() + "  schedule: iterative\n"
                            "  reward:\n    transform: unsigned\n")
    inputs = Inputs(load_store(root), tmp_path / "out")
    assert inputs.main_protocol["tabular"] == ("layer", "unsigned", "iterative")
    kept = inputs.main_runs.query("policy == 'ucb1'")["config_hash"].unique().tolist()
    assert kept == ["ucb12"]
    assert set(inputs.main_runs["kind"]) == {"bandit", "baseline", "unpruned", "reference"}
    assert any("sigmoid" in note for note in inputs.notes)


def test_the_2017_table_sets_our_rows_beside_theirs(tree, tmp_path):
    from paper_figures import paper2017

    inputs = Inputs(load_store(tree), tmp_path)
    table = {row[0]: row for row in paper2017.rows(inputs)}
    # the tree's shared data sets: iris, boston, concrete, digits/lenet (a stand-in row)
    assert set(table) == {"IRIS", "Boston", "Concrete", "MNIST LeNet (stand-in: 8x8 digits)"}
    for row in table.values():
        selected, peeked = float(row[8]), float(row[10])
        assert peeked >= selected  # the best level on test can only be higher
        assert row[6] == str(len(SEEDS))
    assert table["IRIS"][3:5] == ["0.9670", "1.0000"]


@pytest.mark.parametrize("flattened, left_out", [("select", True), ("test", False)])
def test_a_deep_row_leaves_the_claims_by_select_evidence_only(tmp_path, flattened, left_out):
    """Two deep rows: one where methods differ (the synthetic skills), one where every
    method scores the same up to seed noise on ``flattened``. Only a row flat on select
    leaves; one flat on test alone stays (which rows enter must not look at test)."""
    from paper_figures import claims, discrimination
    from paper_figures.claim_file import load

    root = build_tree(tmp_path / "results", {"image": [("digits", "lenet"),
                                                       ("mnist5k", "lenet")]}, SMALL_METHODS)
    for path in (root / "runs" / "image" / "mnist5k").rglob("result.json"):
        rec = json.loads(path.read_text())
        rng = np.random.default_rng(rec["seed"] * 7 + len(rec["policy"]))
        for p in (rec["curve"], [rec["target"]], [rec["selected"]]):
            for point_ in p:
                if point_["sparsity"] > 0:
                    point_[flattened] = 0.9 + rng.normal(0, 0.01)  # same for every method
        path.write_text(json.dumps(rec))
    inputs = Inputs(load_store(root), tmp_path / "out")
    table = discrimination.rows(inputs).set_index("dataset")
    assert bool(table.loc["digits", "discriminates"])
    assert bool(table.loc["mnist5k", "discriminates"]) is not left_out
    assert discrimination.non_discriminating(inputs) == ({"image/mnist5k/lenet"} if left_out
                                                         else set())
    found = [r for r in claims.results(inputs, load()) if r["claim"] == "5"
             and r["endpoint"] == "selected"]
    assert {r["n"] for r in found} == {1 if left_out else 2}


def test_a_level_where_every_method_collapses_alike_does_not_hide_a_row_that_differs(tmp_path):
    """Past a collapse every method and seed scores exactly chance (gap 0, spread 0);
    the row still discriminates at the levels where methods differ."""
    from paper_figures import discrimination

    root = build_tree(tmp_path / "results", {"image": [("mnist5k", "lenet")]}, SMALL_METHODS)
    for path in (root / "runs").rglob("result.json"):
        rec = json.loads(path.read_text())
        top = max(p["sparsity"] for p in rec["curve"])
        for point_ in rec["curve"]:
            if point_["sparsity"] == top:
                point_["test"] = 0.1  # every method, every seed: chance
        path.write_text(json.dumps(rec))
    table = discrimination.rows(Inputs(load_store(root), tmp_path / "out"))
    assert bool(table.loc[0, "discriminates"]) and table.loc[0, "gap"] > 0


def test_tables_compare_methods_on_the_seeds_they_all_have(tmp_path):
    """A grid stopped part-way: one method also has seed 3 on one dataset; the
    tables must not average it in (its seed-3 dense model nobody else pruned)."""
    root = build_tree(tmp_path / "results", SMALL_BLOCKS, SMALL_METHODS)
    rng = np.random.default_rng(3)
    write(root, record("tabular", "iris", "mlp", "magnitude", "baseline", 3, 0.3, rng, 0.2), 2.0)
    inputs = Inputs(load_store(root), tmp_path / "out")
    assert 3 not in set(inputs.main_runs["seed"])
    assert any("left out tabular/iris seeds [3]" in note for note in inputs.notes)


def test_a_recovery_regimes_records_stay_out_of_every_table_but_their_own(tmp_path):
    """Protocol v3 re-scores four methods per deep row after fine-tuning: same method
    name, a config hash of its own (here one that sorts first, on one seed more). The
    rank tables, costs and ranking quality must read the one-shot cut; control_regimes
    sets the two side by side on the seeds both have."""
    from paper_figures import control_regimes, cost, ranking_quality

    blocks = {"image": [("digits", "lenet"), ("mnist5k", "lenet")]}
    root = build_tree(tmp_path / "results", blocks, SMALL_METHODS)
    for path in (root / "runs").rglob("result.json"):
        rec = json.loads(path.read_text())
        rec["endpoints"] = {"macs": {"points": {"0.5": {"test": rec["target"]["test"]}}}}
        path.write_text(json.dumps(rec))
    rng = np.random.default_rng(5)
    for seed in (*SEEDS, 3):
        rec = record("image", "digits", "lenet", "ucb1", "bandit", seed, 0.9, rng, 0.85)
        rec |= {"config_hash": "aaaafinetune", "regime": "finetune",
                "endpoints": {"macs": {"points": {"0.5": {"test": 0.99}}}}}
        rec["selected"]["test"] = rec["target"]["test"] = 0.99
        write(root, rec, 2.0)
    inputs = Inputs(load_store(root), tmp_path / "out")
    assert set(inputs.main_runs["regime"]) == {"one_shot"}
    assert inputs.main_runs.query("policy == 'ucb1'")["config_hash"].unique().tolist() == ["ucb12"]
    assert set(ranking_quality.with_rho(inputs)["regime"]) == {"one_shot"}
    points = cost.cost_points(inputs).query("policy == 'ucb1' and budget_per_arm == 2.0")
    assert points["n_seeds"].tolist() == [len(SEEDS)]  # not the fine-tuned seed 3
    # costs are set against the metric kept at equal compute, not at equal unit counts
    assert points["point"].tolist() == ["with the cut at 50% of the dense MACs"]
    assert any("left out 4 records under finetune" in note for note in inputs.notes)
    runs = inputs.store.runs
    lines = control_regimes.rows(runs[runs["kind"].isin(("bandit", "baseline"))])
    assert [line[:5] for line in lines] == [["image", "digits", "lenet", "ucb1", "3"]]
    one_shot = runs.query("policy == 'ucb1' and dataset == 'digits' and regime == 'one_shot'")
    assert lines[0][5:] == [f"{one_shot['eq_macs_test_0.5'].mean():.4f}", "n/a", "0.9900"]


def test_a_baseline_that_pulls_is_not_labelled_as_pulling_nothing():
    from paper_figures.ranking_quality import spent

    assert spent(pd.DataFrame({"cost_pulls": [2600.0, 2600.0]})) == "2,600 pulls per trial"
    assert spent(pd.DataFrame({"cost_pulls": [0.0]})) == "no pulls"
    assert spent(pd.DataFrame({"policy": ["magnitude"]})) == "no pulls"


def test_the_compression_endpoint_never_pits_a_cut_against_the_unpruned_model(tmp_path):
    """The unpruned model's compression is 1.0 by definition, so any cut "beats" it there:
    claim 2 (UCB1 beats the unpruned network) cannot be tested at that endpoint, while
    claim 1 (pruning methods among themselves) still is."""
    from paper_figures import claims
    from paper_figures.claim_file import load

    blocks = {"tabular": [("glass", "mlp"), ("yeast", "mlp"), ("vowel", "mlp")]}
    root = build_tree(tmp_path / "results", blocks, SMALL_METHODS)
    for path in (root / "runs").rglob("result.json"):
        rec = json.loads(path.read_text())
        fraction = {"none": 1.0, "ucb1": 0.5}.get(rec["policy"], 0.75)
        rec["endpoints"] = {"macs": {"compression": {"fraction": fraction}}}
        path.write_text(json.dumps(rec))
    found = {(r["claim"], r["pool"]): r["verdict"]
             for r in claims.results(Inputs(load_store(root), tmp_path / "out"), load())
             if r["endpoint"] == "compression"}
    assert found[("2", "paper")] == "cannot test (missing none)"
    assert found[("1", "all")] != found[("2", "paper")]  # magnitude is still a rival


def test_rank_tables_can_rank_at_half_the_dense_macs(tmp_path):
    """--point macs_0.5 ranks protocol v3's primary endpoint: each pruning method's test
    with its cut at 50% of the dense MACs, the unpruned model at its dense score (it keeps
    all of its compute)."""
    blocks = {"tabular": [("glass", "mlp"), ("yeast", "mlp"), ("vowel", "mlp")]}
    root = build_tree(tmp_path / "results", blocks, SMALL_METHODS)
    for path in (root / "runs").rglob("result.json"):
        rec = json.loads(path.read_text())
        at_half = {"ucb1": 0.7, "magnitude": 0.6}.get(rec["policy"])
        rec["endpoints"] = {"macs": {"points": {"0.5": {"test": at_half} if at_half else None}}}
        path.write_text(json.dumps(rec))
    inputs = Inputs(load_store(root), tmp_path / "out", point="macs_0.5")
    scores, _ = rank_tables.score_matrix(inputs, rank_tables.RANK_TABLES[
        "rank_tabular_accuracy"], "rank_tabular_accuracy")
    assert scores["ucb1"].tolist() == pytest.approx([0.7] * 3)
    assert scores["magnitude"].tolist() == pytest.approx([0.6] * 3)
    dense = inputs.main_runs.query("policy == 'none'").groupby("dataset")["dense_test"].mean()
    assert scores["none"].tolist() == pytest.approx(dense.sort_index().tolist())
    assert "50% of the dense MACs" in rank_tables.make(inputs)[0].read_text()


def test_recalibrating_a_model_without_batchnorm_is_not_reported_as_a_result():
    from paper_figures import control_regimes

    def trial(model, regime, norms):
        return {"task": "image", "dataset": "digits", "model": model, "policy": "ucb1",
                "seed": 0, "regime": regime, "eq_macs_test_0.5": 0.5 if norms != 6 else 0.8,
                "eq_macs_batchnorm_layers_0.5": norms}

    runs = pd.DataFrame([trial("lenet", "one_shot", math.nan),
                         trial("lenet", "bn_recalibration", 0),
                         trial("vgg", "one_shot", math.nan),
                         trial("vgg", "bn_recalibration", 6)])
    lines = {line[2]: line[5:] for line in control_regimes.rows(runs)}
    assert lines["lenet"] == ["0.5000", "no BatchNorm", "n/a"]
    assert lines["vgg"] == ["0.5000", "0.8000", "n/a"]


def test_the_allocation_by_order_control_averages_every_cell_over_the_same_rows():
    """A cell missing on one (row, seed) would otherwise average other rows than its
    neighbours: that block leaves every cell, and the table says how many remain."""
    from paper_figures import control_order

    cells = [(a, o) for a in ("magnitude", "ucb1") for o in ("magnitude", "ucb1")]
    runs = pd.DataFrame(
        [{"task": "image", "dataset": d, "model": "lenet", "seed": 0,
          "control_allocation": a, "control_order": o,
          "eq_macs_test_0.5": (0.9 if d == "easy" else 0.1) + (0.01 if a == "ucb1" else 0)}
         for d in ("easy", "hard") for a, o in cells
         if not (d == "easy" and (a, o) == ("ucb1", "ucb1"))])
    kept, dropped = control_order.complete_blocks(runs)
    assert dropped == 1 and set(kept["dataset"]) == {"hard"}
    assert kept["eq_macs_test_0.5"].tolist() == pytest.approx([0.1, 0.1, 0.11, 0.11])
    # a partial control set (not every allocation x order) is complete where every
    # block has the cells that were run
    partial = runs[runs["control_order"] == "magnitude"]
    assert control_order.complete_blocks(partial)[1] == 0


def test_mac_curves_draw_each_point_over_every_seed_of_its_method(tmp_path):
    """Protocol v3's equal-compute curve: dense at 1.0, then each MAC endpoint; a
    fraction only some seeds of a method reach is left out rather than averaged over
    fewer seeds than the rest of its line."""
    from paper_figures import mac_curves

    blocks = {"image": [("mnist5k", "lenet")]}
    root = build_tree(tmp_path / "results", blocks, SMALL_METHODS)
    for path in (root / "runs").rglob("result.json"):
        rec = json.loads(path.read_text())
        quarter = {"test": 0.3} if rec["seed"] == SEEDS[0] else None  # one seed gets there
        rec["endpoints"] = {"macs": {"points": {"0.5": {"test": 0.6}, "0.25": quarter}}}
        path.write_text(json.dumps(rec))
    inputs = Inputs(load_store(root), tmp_path / "out", formats=("png",))
    points = mac_curves.mac_points(inputs)
    ucb1 = points[points["policy"] == "ucb1"]
    assert sorted(set(ucb1["mac_fraction"])) == [0.5, 1.0]  # 0.25: one seed of three
    assert ucb1.groupby("mac_fraction")["seed"].nunique().tolist() == [len(SEEDS)] * 2
    assert set(points["policy"]) == {"ucb1", "magnitude"}  # the unpruned model is no line
    written = mac_curves.make(inputs)
    assert [p.name for p in written] == ["macs_image_mnist5k_lenet.png"]


def test_the_regimes_control_tests_recovery_with_rows_as_observations():
    """Methods of one row share its dense model: the gain of a regime is averaged over
    them, so N is the number of rows; a recalibration that had no BatchNorm to re-estimate
    is no observation of that regime."""
    from paper_figures import control_regimes

    def trial(model, policy, regime, value, norms=math.nan):
        return {"task": "image", "dataset": "digits", "model": model, "policy": policy,
                "seed": 0, "regime": regime, "eq_macs_test_0.5": value,
                "eq_macs_batchnorm_layers_0.5": norms}

    runs = pd.DataFrame([trial(model, policy, regime, value, norms)
                         for model, norms in (("vgg", 6), ("resnet", 9), ("lenet", 0))
                         for policy, base in (("ucb1", 0.2), ("magnitude", 0.4))
                         for regime, value in (("one_shot", base), ("finetune", base + 0.5),
                                               ("bn_recalibration", base + 0.1))])
    finetune, recalibration = (next(line for line in control_regimes.gains(runs)
                                    if line.startswith(name))
                               for name in ("finetune", "bn_recalibration"))
    assert "over 3 deep rows" in finetune and "mean +0.5000" in finetune
    assert "higher on 3 of 3 rows" in finetune
    assert "over 2 deep rows" in recalibration  # lenet has no BatchNorm
    assert "smallest attainable p is 0.2500" in recalibration  # 2 rows: never below 1/4


def test_the_allocation_by_order_control_asks_each_row_which_decides():
    """Pooled means can hide rows where order matters and cancels out across rows: the
    verdict compares the two spreads row by row, rows as observations."""
    from paper_figures import control_order

    methods = ("magnitude", "taylor", "ucb1")
    rows = [f"row{i}" for i in range(8)]
    runs = pd.DataFrame(
        [{"task": "image", "dataset": d, "model": "lenet", "seed": 0,
          "control_allocation": a, "control_order": o,
          "eq_macs_test_0.5": 0.5 + 0.1 * methods.index(a) + 0.01 * methods.index(o) * (i % 2)}
         for i, d in enumerate(rows) for a in methods for o in methods])
    [line] = control_order.which_decides(runs)
    assert "larger than that of the order means (allocations averaged) on 8 of 8 rows" in line
    assert "p 0.0039" in line  # the exact one-sided signed-rank p for 8 of 8: 1/256


def test_ranking_quality_averages_every_method_over_the_same_seeds(tmp_path):
    """A method missing a seed of a row would be averaged over other seeds than the rest
    (a figure mixing seed counts): that seed leaves the row for every method."""
    from paper_figures import ranking_quality

    root = build_tree(tmp_path / "results", SMALL_BLOCKS, SMALL_METHODS)
    lost = next((root / "runs" / "tabular" / "iris" / "magnitude").rglob(
        f"seed={SEEDS[-1]}/result.json"))
    lost.unlink()
    inputs = Inputs(load_store(root), tmp_path / "out")
    runs = ranking_quality.with_rho(inputs)
    iris = runs[runs["dataset"] == "iris"]
    assert set(iris["seed"]) == set(SEEDS[:-1])
    assert iris.groupby("policy")["seed"].nunique().tolist() == [len(SEEDS) - 1] * 2
    assert set(runs[runs["dataset"] == "wine"]["seed"]) == set(SEEDS)
    assert any(f"tabular/iris/mlp seed {SEEDS[-1]}" in note for note in inputs.notes)
