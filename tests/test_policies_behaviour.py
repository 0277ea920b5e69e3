"""Policies on stationary Bernoulli bandits with known means: regret minimisers
beat uniform random, identification policies find the top-m arms with fewer
pulls than UCB1 ranking by mean. Parametrized over the registry by
``Policy.objective``, so a new policy is held to the bar of its kind.

Bandits are simulated with their own seeded generator; a round is a batch of
k distinct arms, as the pruning engine pulls them.
"""
from __future__ import annotations

import numpy as np
import pytest

from mabbench.policies import POLICIES, make_policy, policy_class

REGRET_MINIMISERS = [n for n in POLICIES if policy_class(n).objective == "regret"]
IDENTIFIERS = [n for n in POLICIES if policy_class(n).objective == "identification"]


def pseudo_regret(name: str, means: np.ndarray, pulls: int, k: int, seed: int) -> float:
    """Sum over rounds of (best k means - means of the k arms pulled)."""
    policy = make_policy(name, n_arms=len(means), seed=seed, budget=pulls)
    env = np.random.default_rng(1_000 + seed)
    best = np.sort(means)[-k:].sum()
    regret = 0.0
    for _ in range(pulls // k):
        arms = policy.select(k)
        regret += best - means[arms].sum()
        policy.update(arms, (env.random(k) < means[arms]).astype(float))
    return regret


def random_regret(means: np.ndarray, pulls: int, k: int) -> float:
    """Expected pseudo-regret of k distinct arms drawn uniformly each round."""
    return (np.sort(means)[-k:].sum() - k * means.mean()) * (pulls // k)


# 20 arms, 5,000 pulls in rounds of 5, 3 seeds. Measured regret / random's
# (mean of seeds 0-2): thompson 0.07, thompson_gaussian 0.06, kl_ucb 0.09,
# epsilon_decay 0.16, softmax_anneal 0.17, ucb1 0.21, exp3 0.53, hedge 0.69,
# softmax 0.80, epsilon_greedy 0.905. The paper's constant epsilon = 0.9 picks
# a random arm 90% of the time, so it can never do better than ~0.9: the bar
# is 0.95, which uniform random itself (1.0) fails.
MEANS_20 = np.linspace(0.1, 0.9, 20)


@pytest.mark.parametrize("name", REGRET_MINIMISERS)
def test_regret_minimiser_beats_uniform_random(name):
    regret = np.mean([pseudo_regret(name, MEANS_20, 5_000, 5, seed) for seed in range(3)])
    assert regret < 0.95 * random_regret(MEANS_20, 5_000, 5)


def test_ucb1_regret_per_pull_falls_with_horizon():
    """Measured: 0.172, 0.103, 0.050 per pull at 500, 2,000, 8,000 pulls."""
    per_pull = [np.mean([pseudo_regret("ucb1", MEANS_20, pulls, 5, seed) for seed in range(3)])
                / pulls for pulls in (500, 2_000, 8_000)]
    assert per_pull[0] > per_pull[1] > per_pull[2]


# The pruning question: which m arms are safest to remove. 20 arms, m = 10
# (sparsity 0.5), means 0.9..0.55 (the sought) and 0.45..0.1, gap 0.1 at the
# boundary; budget 1,600 pulls (80 per arm) in rounds of 8; 40 seeds.
# Measured probability of returning exactly the top 10 as the 10 highest
# estimates(): successive_halving 0.95 (0.975 at 1,200 pulls, 0.75 at 800),
# lucb 0.95 (0.90 at 1,200, 0.825 at 800); UCB1 ranking by mean 0.75 at 1,600,
# 0.775 at 2,400, 0.85 at 3,200 and 0.90 only at 4,800 pulls (3x the budget).
MEANS_TOP = np.concatenate((np.linspace(0.9, 0.55, 10), np.linspace(0.45, 0.1, 10)))
SOUGHT, BUDGET, K, SEEDS = 10, 1_600, 8, 40


def found_top(name: str, seed: int) -> bool:
    policy = make_policy(name, n_arms=len(MEANS_TOP), seed=seed, budget=BUDGET, n_sought=SOUGHT)
    env = np.random.default_rng(10_000 + seed)
    for _ in range(BUDGET // K):
        arms = policy.select(K)
        policy.update(arms, (env.random(K) < MEANS_TOP[arms]).astype(float))
    ranked = np.argsort(-policy.estimates(), kind="stable")[:SOUGHT]
    return set(ranked.tolist()) == set(range(SOUGHT))


@pytest.fixture(scope="module")
def ucb1_accuracy() -> float:
    return float(np.mean([found_top("ucb1", seed) for seed in range(SEEDS)]))


@pytest.mark.parametrize("name", IDENTIFIERS)
def test_identification_finds_the_sought_arms_with_fewer_pulls_than_ucb1(name, ucb1_accuracy):
    accuracy = np.mean([found_top(name, seed) for seed in range(SEEDS)])
    assert accuracy >= 0.9
    assert ucb1_accuracy < 0.9  # so UCB1 needs more than BUDGET pulls for the same accuracy


@pytest.mark.parametrize("name", IDENTIFIERS)
def test_identified_set_ranks_on_top_after_the_budget(name):
    """The engine prunes by estimates(): the identified set must come first,
    and select() keeps answering once the plan is spent."""
    policy = make_policy(name, n_arms=20, seed=0, budget=200, n_sought=5)
    env = np.random.default_rng(0)
    for _ in range(60):  # 480 pulls, 2.4x the budget
        arms = policy.select(8)
        assert len(set(arms.tolist())) == 8 and policy.live[arms].all()  # 8 distinct live arms
        policy.update(arms, (env.random(8) < MEANS_TOP[arms]).astype(float))
    top = np.argsort(-policy.estimates(), kind="stable")[:5]
    assert set(top.tolist()) <= set(range(10))  # gaps of 0.04: the top half, not the exact 5


# Estimation policies (uniform allocation) spread the budget evenly over the
# live arms: the equal-pulls reference the adaptive policies are held against.
ESTIMATORS = [n for n in POLICIES if policy_class(n).objective == "estimation"]


@pytest.mark.parametrize("name", ESTIMATORS)
def test_estimation_spends_within_one_pull_per_arm_of_even(name):
    policy = make_policy(name, n_arms=20, seed=0, budget=137)
    env = np.random.default_rng(0)
    for round_ in range(40):
        if round_ == 20:  # retired arms (iterative pruning): the rest stay even
            policy.remove(np.array([3, 11]))
        arms = policy.select(7)
        policy.update(arms, (env.random(7) < MEANS_20[arms]).astype(float))
        live = policy.counts[policy.live]
        assert live.max() - live.min() <= 1
    assert policy.counts[policy.live].sum() == 280 - policy.counts[[3, 11]].sum()


@pytest.mark.parametrize("name", ESTIMATORS)
def test_estimation_ranks_by_mean_reward(name):
    policy = make_policy(name, n_arms=20, seed=0)
    env = np.random.default_rng(0)
    for _ in range(400):  # 100 pulls per arm
        arms = policy.select(5)
        policy.update(arms, (env.random(5) < MEANS_20[arms]).astype(float))
    np.testing.assert_array_equal(policy.estimates(), policy.sums / policy.counts)
    assert np.corrcoef(policy.estimates(), MEANS_20)[0, 1] > 0.95


def past_the_plan(name: str, seed: int, k: int) -> tuple[bool, bool, np.ndarray]:
    """(top-m found at the planned budget, found at 3x it, pulls per arm past the plan)."""
    policy = make_policy(name, n_arms=len(MEANS_TOP), seed=seed, budget=BUDGET, n_sought=SOUGHT)
    env = np.random.default_rng(10_000 + seed)
    found = []
    for budget in (BUDGET, 3 * BUDGET):
        while policy.t < budget:
            arms = policy.select(k)
            policy.update(arms, (env.random(k) < MEANS_TOP[arms]).astype(float))
        ranked = np.argsort(-policy.estimates(), kind="stable")[:SOUGHT]
        found.append(set(ranked.tolist()) == set(range(SOUGHT)))
        if budget == BUDGET:
            planned = policy.counts.copy()
    return found[0], found[1], policy.counts - planned


@pytest.mark.parametrize("k", [1, K])
@pytest.mark.parametrize("name", IDENTIFIERS)
def test_pulls_past_the_plan_keep_refining_the_boundary(name, k):
    """Given 3x the budget they planned for, identification policies spend the
    extra pulls on several arms near the boundary of the sought set (arms
    6..13 of 0..19; 40% of pulls under uniform allocation), and identify the
    top m at least as often as at the planned budget. Measured (20 seeds,
    k = 1 and 8): share near the boundary 0.69-0.76, at least 4 arms with 5%
    of the extra pulls in every run, accuracy 0.9-0.95 -> 1.0. Successive
    halving used to pull its top-ranked arms: share 0.0 (k = 1) and 0.29."""
    runs = [past_the_plan(name, seed, k) for seed in range(20)]
    at_plan, at_three = (np.mean([run[i] for run in runs]) for i in (0, 1))
    assert at_three >= at_plan
    for _, _, extra in runs:
        assert (extra >= 0.05 * extra.sum()).sum() >= 4  # several arms, not one
    near = np.mean([extra[6:14].sum() / extra.sum() for _, _, extra in runs])
    assert near > 0.55


@pytest.mark.parametrize("name", IDENTIFIERS)
def test_retired_arms_count_as_found_and_the_boundary_stays_put(name):
    """Iterative pruning retires the safest arms as it goes: after the top 5
    of the 10 sought are retired, the 5 still sought are arms 5..9 and the
    boundary is still between arms 9 and 10, where the pulls should go."""
    policy = make_policy(name, n_arms=len(MEANS_TOP), seed=0, budget=BUDGET, n_sought=SOUGHT)
    env = np.random.default_rng(0)
    retired_at = BUDGET // 2
    while policy.t < 3 * BUDGET:
        if policy.t == retired_at:
            policy.remove(np.arange(5))
            before = policy.counts.copy()
        arms = policy.select(K)
        policy.update(arms, (env.random(K) < MEANS_TOP[arms]).astype(float))
    extra = policy.counts - before
    assert extra[6:14].sum() / extra.sum() > 0.55
    ranked = np.argsort(-np.where(policy.live, policy.estimates(), -np.inf), kind="stable")
    assert set(ranked[:5].tolist()) == set(range(5, 10))


@pytest.mark.parametrize("name", IDENTIFIERS)
def test_without_a_budget_they_plan_the_default_and_keep_refining(name):
    policy = make_policy(name, n_arms=len(MEANS_TOP), seed=0, n_sought=SOUGHT)  # no budget
    env = np.random.default_rng(0)
    planned = policy.budget_or_default()
    while policy.t < 3 * planned:
        if policy.t == planned:
            before = policy.counts.copy()
        arms = policy.select(1)
        policy.update(arms, (env.random(1) < MEANS_TOP[arms]).astype(float))
    extra = policy.counts - before
    assert (extra >= 0.05 * extra.sum()).sum() >= 4
