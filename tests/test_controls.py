"""The standing control allocation x order (mabbench/trial/control.py): one method's
per-layer counts at each endpoint filled with another's order within each layer, read
from both methods' records, scored as cut; real LeNet trials on digits in seconds."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from conftest import TINY, compose_config

from mabbench.cli import run_single
from mabbench.files.integrity import write_checked_json
from mabbench.pruning.compaction import compact
from mabbench.store.collect import collect
from mabbench.store.failures import FAILED_NAME, NotReady
from mabbench.tasks import load_splits
from mabbench.trial.control_identity import control_dir
from mabbench.trial.curve import score
from mabbench.trial.run import run_trial
from mabbench.trial.training import dense_model

ROW = ["task=image", "dataset=digits", "model=lenet"]
# three epochs make a LeNet that a bad order visibly hurts; no oracle, no timing
QUICK = [*TINY, *ROW, "task.train.epochs=3", "pruning.oracle_rho=false",
         "pruning.latency.repeats=0"]
# what a point's score and cut are; a control adds no latency, a trial may
SAME = ("select", "test", "macs", "params", "mac_fraction", "param_fraction", "arms_removed",
        "fraction", "removed_per_layer")


def stored(result: dict) -> dict:
    return json.loads(Path(result["path"]).read_text())


def reached(record: dict, axis: str = "macs") -> dict:
    return {f: p for f, p in record["endpoints"][axis]["points"].items() if p is not None}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """ucb1's and magnitude's trials in one store, and the control jobs' configs."""
    root = tmp_path_factory.mktemp("controls") / "results"

    def cfg(*overrides: str):
        return compose_config([*QUICK, *overrides], root)

    records = {p: stored(run_trial(cfg(f"policy={p}"))) for p in ("ucb1", "magnitude")}
    return SimpleNamespace(cfg=cfg, records=records, root=root)


def control(store, allocation: str, order: str) -> dict:
    result = run_trial(store.cfg(f"policy={order}", f"+control.allocation={allocation}"))
    assert result["status"] in ("done", "skipped"), result  # an earlier test may have run it
    return stored(result)


@pytest.mark.parametrize("method", ["ucb1", "magnitude"])
def test_the_diagonal_reproduces_the_methods_own_endpoints(store, method):
    mine, own = control(store, method, method), store.records[method]
    assert (mine["kind"], mine["control_allocation"], mine["control_order"]) == (
        "control", method, method)
    for axis in ("macs", "params"):
        assert reached(mine, axis).keys() == reached(own, axis).keys()
        for fraction, point in reached(mine, axis).items():
            assert {k: point[k] for k in SAME} == {k: reached(own, axis)[fraction][k]
                                                   for k in SAME}, (axis, fraction)
        assert mine["endpoints"][axis]["auc"] == own["endpoints"][axis]["auc"]
        assert mine["endpoints"][axis]["compression"] == own["endpoints"][axis]["compression"]


def test_off_diagonal_keeps_the_allocations_counts_and_cuts_the_orders_first_units(store):
    allocation, order = store.records["magnitude"], store.records["ucb1"]
    mine = control(store, "magnitude", "ucb1")
    assert mine["endpoints"]["macs"]["points"].keys() == allocation["endpoints"]["macs"][
        "points"].keys()
    cfg = store.cfg("policy=ucb1")
    splits = load_splits(cfg)
    model, _ = dense_model(cfg, splits, torch.device("cpu"))
    example = tuple(x[:2] for x in splits.select.inputs)
    differs = 0
    for fraction, point in reached(mine).items():
        theirs = reached(allocation)[fraction]
        assert point["removed_per_layer"] == theirs["removed_per_layer"]
        assert (point["macs"], point["params"]) == (theirs["macs"], theirs["params"])
        # scored from the spliced cut: in each layer, ucb1's first n_L units
        plan = {layer: order["ranking"][layer][:n]
                for layer, n in theirs["removed_per_layer"].items() if n}
        with torch.no_grad():
            expected = score(compact(model, plan, example), splits.test, cfg.task.metric)
        assert point["test"] == expected
        differs += point["test"] != theirs["test"]
    assert differs  # ucb1's order is not magnitude's: some cut scores otherwise
    assert mine["inputs"]["allocation"]["config_hash"] == allocation["config_hash"]
    assert mine["inputs"]["order"]["config_hash"] == order["config_hash"]


def test_a_missing_allocation_record_says_so_records_nothing_and_runs_once_it_exists(
        tmp_path, capsys):
    def cfg(*overrides: str):
        return compose_config([*QUICK, *overrides], tmp_path / "results")

    run_trial(cfg("policy=ucb1"))
    job = cfg("policy=ucb1", "+control.allocation=magnitude")
    with pytest.raises(NotReady, match=r"no record of policy=magnitude .* run its trial first"
                       ) as raised:
        run_trial(job)
    assert "\n" not in str(raised.value)
    folder = control_dir(job)
    assert not (folder / FAILED_NAME).exists() and not (folder / "result.json").exists()
    with pytest.raises(SystemExit) as exited:  # the command line: one line, exit 1
        run_single(job)
    assert exited.value.code == 1
    assert capsys.readouterr().err.strip().count("\n") == 0
    run_trial(cfg("policy=magnitude"))
    assert run_trial(job)["status"] == "done"
    assert run_trial(job)["skipped"]


def test_an_ambiguous_or_outdated_allocation_record_is_not_ready(tmp_path):
    def cfg(*overrides: str):
        return compose_config([*QUICK, *overrides], tmp_path / "results")

    found = {p: Path(run_trial(cfg(f"policy={p}"))["path"]) for p in ("ucb1", "magnitude")}
    job = cfg("policy=ucb1", "+control.allocation=magnitude")
    config_folder = found["magnitude"].parent.parent
    copy = config_folder.with_name("000000000000")  # a second configuration of magnitude
    shutil.copytree(config_folder, copy)
    with pytest.raises(NotReady, match="2 records of policy=magnitude"):
        run_trial(job)
    shutil.rmtree(copy)
    record = stored({"path": found["magnitude"]})
    for axis in record["endpoints"].values():  # as a v3 record written before the counts
        for point in filter(None, axis["points"].values()):
            del point["removed_per_layer"]
    write_checked_json(found["magnitude"], record)
    with pytest.raises(NotReady, match="predates per-layer counts"):
        run_trial(job)
    assert not (control_dir(job) / FAILED_NAME).exists()


def test_an_allocation_that_reaches_no_endpoint_gives_a_control_unreached_everywhere(tmp_path):
    """A row where no cut reaches any MAC or parameter fraction (bAbI's memory network:
    its embeddings hold most of the cost) must not wait for counts that cannot come."""
    def cfg(*overrides: str):
        return compose_config([*QUICK, *overrides], tmp_path / "results")

    found = {p: Path(run_trial(cfg(f"policy={p}"))["path"]) for p in ("ucb1", "magnitude")}
    record = stored({"path": found["magnitude"]})
    for axis in record["endpoints"].values():  # as the memory network's records are
        axis["points"] = dict.fromkeys(axis["points"])
    write_checked_json(found["magnitude"], record)
    mine = stored(run_trial(cfg("policy=ucb1", "+control.allocation=magnitude")))
    assert mine["kind"] == "control"
    for axis in ("macs", "params"):
        assert mine["endpoints"][axis]["points"] == dict.fromkeys(
            record["endpoints"][axis]["points"])


def test_a_missing_order_record_names_the_order_method(store):
    with pytest.raises(NotReady, match="no record of policy=thompson"):
        run_trial(store.cfg("policy=thompson", "+control.allocation=ucb1"))


def test_a_control_job_refuses_a_recovering_regime_and_unknown_keys(store):
    from mabbench.config.errors import ConfigError

    with pytest.raises(ConfigError, match="pruning.regime=finetune: a control scores"):
        run_trial(store.cfg("policy=ucb1", "+control.allocation=magnitude",
                            "pruning.regime=finetune"))
    with pytest.raises(ConfigError, match="control.alocation: no such key"):
        run_trial(store.cfg("policy=ucb1", "+control.alocation=magnitude"))


def test_collect_gives_control_columns_and_the_table_renders_a_cell(store, tmp_path):
    from paper_figures import control_order
    from paper_figures.inputs import Inputs
    from paper_figures.load import load_store

    mine = control(store, "magnitude", "ucb1")
    table, problems = collect(store.root)
    assert not problems
    rows = table[table["control_allocation"].notna()]
    assert set(rows["kind"]) == {"control"} and set(table["kind"]) > {"control"}
    row = rows[rows["control_order"] == "ucb1"].iloc[0]
    assert row["control_allocation"] == "magnitude"
    assert row["eq_macs_test_0.5"] == mine["endpoints"]["macs"]["points"]["0.5"]["test"]
    inputs = Inputs(load_store(store.root), tmp_path)
    assert set(inputs.main_runs["kind"]) == {"bandit", "baseline"}  # never a ranked method
    assert set(inputs.main_runs["policy"]) == {"ucb1", "magnitude"}
    text = next(p for p in control_order.make(inputs) if p.suffix == ".md").read_text()
    assert "awaiting" not in text
    # one seed: the cell's mean is the record's value
    assert cell(text, "magnitude", "ucb1") == control_order.fmt(row["eq_macs_test_0.5"])


def cell(markdown: str, row: str, column: str) -> str:
    """The cell of a markdown table at (the row whose first cell is ``row``, ``column``)."""
    lines = [[c.strip() for c in line.strip().strip("|").split("|")]
             for line in markdown.splitlines() if line.startswith("|")]
    header, body = lines[0], {cells[0]: cells for cells in lines[2:]}
    return body[row][header.index(column)]
