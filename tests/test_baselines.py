"""Baselines rank arms by what their docstrings say, seeded, and every run
records its Spearman rho against the cached leave-one-out oracle."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import torch
from conftest import TINY, compose_config
from torch import nn

import baselines.oracle as oracle_module
from baselines.greedy import GreedyActivation
from baselines.oracle import Oracle
from baselines.random_order import RandomOrder
from baselines.taylor import Taylor
from mabbench.config.schemas import PruningConfig
from mabbench.pruning.arms import masked
from mabbench.pruning.context import PruningContext
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy
from mabbench.trial.run import run_trial

IN, H, OUT, ROWS = 6, 10, 3, 50
DEAD = 4  # a hidden unit whose outgoing weights are zero: removing it changes nothing


def mlp() -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential()
    model.add_module("hidden0", nn.Linear(IN, H))
    model.add_module("act0", nn.Tanh())
    model.add_module("out", nn.Linear(H, OUT))
    with torch.no_grad():
        model.out.weight[:, DEAD] = 0.0
    model.prunable = ("hidden0",)
    return model.eval()


def context(seed: int = 0, cache_dir=None, batch_size: int = 16,
            schedule: str = "one_shot") -> PruningContext:
    """One-shot by default: these tests check each score's formula on the dense
    model (staged re-scoring: tests/test_equal_schedules.py)."""
    generator = torch.Generator().manual_seed(5)
    val = Split((torch.randn(ROWS, IN, generator=generator),),
                torch.randint(0, OUT, (ROWS,), generator=generator))
    cfg = SimpleNamespace(**vars(PruningConfig(batch_size=batch_size, arms_per_round=4,
                                               schedule=schedule)))
    return PruningContext(model=mlp(), widths={"hidden0": H}, prune=val, loss=cross_entropy,
                          cfg=cfg, seed=seed, device=torch.device("cpu"), cache_dir=cache_dir)


def test_random_is_a_seeded_permutation():
    a, b, c = (RandomOrder().rank(context(seed)) for seed in (0, 0, 1))
    assert sorted(a.order["hidden0"]) == list(range(H))
    assert a.order == b.order and a.order != c.order


def test_taylor_is_the_squared_gate_gradient_averaged_over_batches():
    ctx = context(batch_size=ROWS)  # one batch: the mean is that batch's value
    model, (x,), y = ctx.model, ctx.prune.inputs, ctx.prune.targets
    h = model.hidden0(x).detach().requires_grad_(True)
    loss = cross_entropy(model.out(model.act0(h)), y).mean()
    (grad,) = torch.autograd.grad(loss, h)
    want = (grad * h).sum(dim=0).pow(2)
    got = Taylor().importance(ctx, SimpleNamespace(forward_flops=0.0, pulls=0))["hidden0"]
    torch.testing.assert_close(got.float(), want.detach(), rtol=1e-4, atol=1e-9)
    assert Taylor().rank(ctx).order["hidden0"][0] == DEAD


def test_greedy_ranks_by_activation_variance_on_prune():
    ctx = context()
    with torch.no_grad():
        ctx.model.hidden0.weight[7] = 0.0  # a constant unit: zero variance, pruned first
        # measured after the activation function (act0 = Tanh), on the prune split
        want = torch.tanh(ctx.model.hidden0(ctx.prune.inputs[0]).double()).var(
            dim=0, unbiased=False)
    ranking = GreedyActivation().rank(ctx)
    torch.testing.assert_close(torch.tensor(ranking.scores["hidden0"], dtype=torch.float64),
                               want, rtol=1e-6, atol=1e-9)
    assert ranking.order["hidden0"][0] == 7
    assert ranking.cost.forward_flops > 0


def test_oracle_is_leave_one_out_on_the_whole_prune_split_and_cached(tmp_path, monkeypatch):
    ctx = context(cache_dir=tmp_path)
    ranking = Oracle().rank(ctx)
    with torch.no_grad():
        base = cross_entropy(ctx.model(*ctx.prune.inputs), ctx.prune.targets).mean()
        for unit in (0, DEAD, H - 1):
            with masked(ctx.model, {"hidden0": [unit]}):
                want = cross_entropy(ctx.model(*ctx.prune.inputs), ctx.prune.targets).mean() - base
            assert ranking.scores["hidden0"][unit] == pytest.approx(want.item(), abs=1e-6)
    assert ranking.cost.pulls == H and ranking.cost.forward_flops > 0
    saved = json.loads((tmp_path / "oracle.json").read_text())
    assert saved["hidden0"]["delta"] == ranking.scores["hidden0"]
    monkeypatch.setattr(oracle_module, "_layer_deltas", lambda *a: pytest.fail("recomputed"))
    again = Oracle().rank(ctx)  # read from the cache, still reports what it cost
    assert again.order == ranking.order and again.cost == ranking.cost


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """One store for the module: the dense model is trained once and shared."""
    return tmp_path_factory.mktemp("store")


@pytest.mark.parametrize("policy", ["random", "magnitude", "taylor", "greedy", "oracle",
                                    "oracle_unsigned", "shapley", "uniform"])
def test_every_baseline_runs_end_to_end_and_records_rho_against_the_oracle(policy, results):
    record = run_trial(compose_config([*TINY, f"policy={policy}"], results))
    assert record["kind"] == ("bandit" if policy == "uniform" else "baseline")
    assert record["target"]["params"] < record["dense"]["params"]
    assert -1.0 <= record["spearman_oracle"] <= 1.0
    assert set(record["spearman_oracle_per_layer"]) == set(record["layers"])
    assert record["oracle_cost"]["pulls"] == sum(record["layers"].values())
    if policy == "oracle":
        assert record["spearman_oracle"] == pytest.approx(1.0)
        assert record["cost"]["pulls"] == record["oracle_cost"]["pulls"]
    budget = 2 * sum(record["layers"].values())  # the bandits' pull budget: 2 pulls per arm
    if policy == "uniform":
        assert record["cost"]["pulls"] == budget
    if policy == "shapley":  # a permutation needs 2 pulls: at most 1 per layer left unspent
        assert budget - len(record["layers"]) <= record["cost"]["pulls"] <= budget
    if policy == "oracle_unsigned":
        assert record["cost"]["pulls"] == record["oracle_cost"]["pulls"]
    if policy not in ("magnitude", "random"):  # they use data: their compute is counted
        assert record["cost"]["forward_flops"] > 0
    assert list(results.glob("dense/*/*/*/seed=0/oracle.json"))  # cached beside the dense model


def test_greedy_prunes_a_dead_relu_unit_first_though_its_pre_activation_varies():
    from baselines.greedy import activation_points

    ctx = context()
    ctx.model.act0 = nn.ReLU()
    with torch.no_grad():
        ctx.model.hidden0.bias[2] = -100.0  # never fires on these rows: a dead ReLU unit
        pre = ctx.model.hidden0(ctx.prune.inputs[0])
    assert pre[:, 2].var() > 0.1 and (pre[:, 2] < 0).all()
    assert activation_points(ctx.model, ["hidden0"], ctx.prune.inputs) == {"hidden0": "act0"}
    ranking = GreedyActivation().rank(ctx)
    assert ranking.scores["hidden0"][2] == 0.0 and ranking.order["hidden0"][0] == 2


@pytest.mark.parametrize("model_name, want", [
    ("mlp", {"hidden0": "act0"}),
    ("lenet", {"conv1": "act1", "conv2": "act2", "fc1": "act3"}),
    ("vgg", {"conv1": "act1", "conv2": "act2", "fc1": "fc_act1"}),
])
def test_greedy_measures_the_zoo_after_its_activation_modules(make_cfg, model_name, want):
    from baselines.greedy import activation_points
    from mabbench.models import build_model
    from mabbench.tasks import load_splits

    task = "tabular" if model_name == "mlp" else "image"
    cfg = make_cfg(f"task={task}", f"model={model_name}")
    splits = load_splits(cfg)
    model = build_model(cfg.model, splits).eval()
    probe = tuple(x[:2] for x in splits.prune.inputs)
    found = activation_points(model, list(model.prunable), probe)
    assert {layer: found[layer] for layer in want} == want
