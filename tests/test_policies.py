"""The policy interface every registered policy keeps: batched rounds, retired
arms, seeded randomness and one-line errors. Parametrized over the registry,
so a new policy is checked by adding its registry line."""
from __future__ import annotations

import numpy as np
import pytest
from hydra.utils import instantiate
from omegaconf import OmegaConf

from mabbench.policies import POLICIES, hyperparameters, make_policy, policy_class
from mabbench.policies.sampling import inclusion_probabilities, softmax, systematic_sample

NAMES = POLICIES.names()
MEANS = np.linspace(0.05, 0.95, 12)


def play(policy, rounds: int, k: int, seed: int = 0) -> list[np.ndarray]:
    """Pull ``rounds`` rounds of k arms of a Bernoulli bandit with means MEANS."""
    env = np.random.default_rng(seed)
    chosen = []
    for _ in range(rounds):
        arms = policy.select(k)
        chosen.append(arms)
        policy.update(arms, (env.random(k) < MEANS[arms]).astype(float))
    return chosen


@pytest.mark.parametrize("name", NAMES)
def test_batches_are_distinct_live_arms_past_the_budget(name):
    policy = make_policy(name, n_arms=12, seed=0, budget=60, n_sought=4)
    policy.remove(np.array([0, 5]))
    for arms in play(policy, rounds=30, k=5):  # 150 pulls: 2.5x the budget
        assert len(set(arms.tolist())) == 5
        assert not np.isin(arms, [0, 5]).any()
        assert arms.min() >= 0 and arms.max() < 12
    estimates = policy.estimates()
    assert estimates.shape == (12,) and np.isfinite(estimates).all()
    assert policy.select(10).size == 10  # every live arm, when asked


@pytest.mark.parametrize("name", NAMES)
def test_one_arm_per_round_works(name):
    arms = np.concatenate(play(make_policy(name, n_arms=12, seed=0, budget=40), 40, k=1))
    assert len(np.unique(arms)) > 1  # explores beyond one arm


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_pulls_different_seed_different_pulls(name):
    def pulls(seed):
        return np.concatenate(play(make_policy(name, n_arms=12, seed=seed, budget=200), 50, k=4))

    np.testing.assert_array_equal(pulls(0), pulls(0))
    assert not np.array_equal(pulls(0), pulls(1))


@pytest.mark.parametrize("name", NAMES)
def test_bad_input_names_policy_argument_and_value(name):
    policy = make_policy(name, n_arms=6, seed=0)
    with pytest.raises(ValueError, match=rf"{name}.*k=7"):
        policy.select(7)
    arms = policy.select(2)
    with pytest.raises(ValueError, match=rf"{name}.*rewards\[1\]=1\.5"):
        policy.update(arms, np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match=rf"{name}.*rewards\[0\]=-0\.1"):
        policy.update(arms, np.array([-0.1, 0.5]))
    with pytest.raises(ValueError, match=rf"{name}.*rewards\[0\]=nan"):
        policy.update(arms, np.array([np.nan, 0.5]))
    with pytest.raises(ValueError, match=rf"{name}.*rewards"):
        policy.update(arms, np.array([0.5]))
    with pytest.raises(ValueError, match=rf"{name}.*unknown argument foo=1"):
        make_policy(name, n_arms=6, seed=0, foo=1)
    policy.remove(np.array([3]))
    with pytest.raises(ValueError, match=rf"{name}.*arms contains 3"):
        policy.update(np.array([3]), np.array([0.5]))


@pytest.mark.parametrize("name, key, value", [
    ("epsilon_greedy", "epsilon", 1.5), ("epsilon_decay", "schedule", "sometimes"),
    ("softmax", "temperature", 0.0), ("ucb1", "c", -1.0), ("exp3", "gamma", 0.0),
    ("hedge", "eta", -0.5), ("thompson", "alpha", 0.0), ("thompson", "likelihood", "poisson"),
    ("kl_ucb", "iterations", 0), ("lucb", "delta", 1.0),
])
def test_bad_hyperparameter_names_key_and_value(name, key, value):
    with pytest.raises(ValueError, match=rf"{key}={value!r}"):
        make_policy(name, n_arms=6, seed=0, **{key: value})


def test_wrongly_typed_override_is_a_value_error():
    with pytest.raises(ValueError, match="ucb1.*c='wide'"):
        make_policy("ucb1", n_arms=6, seed=0, c="wide")


def test_paper_settings_are_the_defaults():
    """PROTOCOL.md: epsilon 0.9, annealing 1/log t, temperature 0.9, gamma 0.2, eta 0.9, c 2."""
    assert make_policy("epsilon_greedy", 4, 0).epsilon == 0.9
    assert make_policy("epsilon_decay", 4, 0, budget=None).current_epsilon() == 1.0  # t = 1
    decay = make_policy("epsilon_decay", 4, 0)
    decay.t = 99
    assert decay.current_epsilon() == pytest.approx(1 / np.log(100))
    assert make_policy("softmax", 4, 0).temperature == 0.9
    assert make_policy("exp3", 4, 0).gamma == 0.2
    assert make_policy("hedge", 4, 0).eta == 0.9
    assert make_policy("ucb1", 4, 0).c == 2.0


@pytest.mark.parametrize("name", NAMES)
def test_yaml_builds_the_registered_policy(make_cfg, name):
    """``policy=<name>`` on the command line and ``make_policy(name)`` agree."""
    cfg = make_cfg(f"policy={name}")
    assert cfg.policy.name == name
    params = OmegaConf.masked_copy(cfg.policy, [k for k in cfg.policy if k != "name"])
    assert type(instantiate(params, n_arms=5, seed=0)) is policy_class(name)
    composed = {k: v for k, v in OmegaConf.to_container(params).items() if k != "_target_"}
    assert composed == hyperparameters(name)


def test_batch_sampling_hits_the_inclusion_probabilities():
    """EXP3's importance weights are unbiased only if a batch includes arm i
    with exactly the probability pi_i the policy divides by."""
    rng = np.random.default_rng(0)
    p = softmax(3 * rng.normal(size=30))
    pi = inclusion_probabilities(p, 8)
    assert pi.sum() == pytest.approx(8) and pi.max() <= 1
    assert pi.max() == 1  # this p has arms worth more than 1/8: capped
    uncapped = pi < 1
    np.testing.assert_allclose(pi[uncapped] / p[uncapped], (pi / p)[uncapped][0])
    hits = np.zeros(30)
    for _ in range(4_000):
        batch = systematic_sample(rng, pi, 8)
        assert len(np.unique(batch)) == 8
        hits[batch] += 1
    np.testing.assert_allclose(hits / 4_000, pi, atol=0.03)
