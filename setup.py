"""Packaging that pyproject.toml cannot say alone: the top-level conf/ ships
inside the package as ``mabbench/conf`` (mabbench.config.location finds it there), so a
non-editable install runs from any directory. Everything else: pyproject.toml."""
from pathlib import Path

from setuptools import find_packages, setup

# conf/ and each of its group folders become mabbench.conf[.<group>] in the wheel.
CONF_PACKAGES = ["mabbench.conf"] + [
    "mabbench.conf." + ".".join(d.relative_to("conf").parts)
    for d in sorted(Path("conf").rglob("*")) if d.is_dir()
]

setup(
    packages=find_packages(include=["mabbench*", "baselines*", "paper_figures*"])
    + ["hydra_plugins.mabbench_grid"] + CONF_PACKAGES,  # the grid sweeper (experiments)
    package_dir={"mabbench.conf": "conf"},
    package_data={name: ["*.yaml"] for name in CONF_PACKAGES},
)
