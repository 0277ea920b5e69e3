"""Thompson sampling (Agrawal & Goyal 2012) for rewards in [0, 1], batched."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mabbench.config.registry import Registry
from mabbench.config.schemas import store_schema
from mabbench.policies.base import Policy, PolicyConfig

LIKELIHOODS: Registry = Registry("thompson likelihood")


class Thompson(Policy):
    """Draws one sample from each live arm's posterior; pulls the k highest.

    ``likelihood: bernoulli`` (default): a reward r in [0, 1] is turned into a
    Bernoulli trial b ~ Bernoulli(r) (drawn from the policy's generator) and
    the arm's Beta(alpha + successes, beta + failures) posterior is updated
    with b; Agrawal & Goyal show this keeps Beta-Bernoulli's regret bound for
    any [0, 1] reward. ``estimates()`` is the plain mean reward (the trials
    only drive exploration). ``likelihood: gaussian``: mean ~ N((sum + prior_mean) /
    (n + 1), sigma^2 / (n + 1)), the prior counting as one observation.
    """

    name = "thompson"

    def __init__(self, n_arms: int, seed: int, likelihood: str = "bernoulli",
                 alpha: float = 1.0, beta: float = 1.0, prior_mean: float = 0.5,
                 sigma: float = 0.5, **planning) -> None:
        super().__init__(n_arms, seed, **planning)
        self.require(likelihood in LIKELIHOODS, "likelihood", likelihood,
                     f"must be one of {LIKELIHOODS.names()}")
        self.require(alpha > 0, "alpha", alpha, "must be > 0")
        self.require(beta > 0, "beta", beta, "must be > 0")
        self.require(sigma > 0, "sigma", sigma, "must be > 0")
        self.likelihood = LIKELIHOODS.get(likelihood)
        self.alpha, self.beta, self.prior_mean, self.sigma = alpha, beta, prior_mean, sigma
        self.successes = np.zeros(n_arms)  # Bernoulli trials won, per arm

    def _update(self, arms: np.ndarray, rewards: np.ndarray) -> None:
        trials = self.rng.random(len(arms)) < rewards
        np.add.at(self.successes, arms, trials)

    def _select(self, k: int) -> np.ndarray:
        return self.top_k(self.likelihood.sample(self), k)


@LIKELIHOODS.register("bernoulli")
class BetaBernoulli:
    @staticmethod
    def sample(p: Thompson) -> np.ndarray:
        return p.rng.beta(p.alpha + p.successes, p.beta + p.counts - p.successes)


@LIKELIHOODS.register("gaussian")
class Gaussian:
    @staticmethod
    def sample(p: Thompson) -> np.ndarray:
        mean = (p.sums + p.prior_mean) / (p.counts + 1)
        return mean + p.sigma / np.sqrt(p.counts + 1) * p.rng.standard_normal(p.n_arms)


@dataclass
class ThompsonConfig(PolicyConfig):
    _target_: str = "mabbench.policies.thompson.Thompson"
    name: str = "thompson"
    likelihood: str = "bernoulli"
    alpha: float = 1.0  # Beta prior: uniform
    beta: float = 1.0
    prior_mean: float = 0.5  # Gaussian prior, worth one observation
    sigma: float = 0.5  # Gaussian noise scale; 1/2 bounds any [0, 1] reward


@dataclass
class ThompsonGaussianConfig(ThompsonConfig):
    name: str = "thompson_gaussian"
    likelihood: str = "gaussian"


store_schema("policy", "thompson", ThompsonConfig)
store_schema("policy", "thompson_gaussian", ThompsonGaussianConfig)
