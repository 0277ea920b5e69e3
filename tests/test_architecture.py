"""Imports run one way between the folders of the house (docs/architecture.md).

Every import counts, the ones inside functions too: a lazy import is still a
dependency, and a circle through one breaks as soon as someone hoists it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO

# Bottom to top: a folder may import the folders of lower layers, never its own
# layer's neighbours or anything above. Same numbers as docs/architecture.md.
LAYERS = {
    "mabbench.config": 0,
    "mabbench.runtime": 1,
    "mabbench.files": 2,
    "mabbench.tasks": 3,
    "mabbench.models": 4,
    "mabbench.policies": 4,
    "mabbench.store": 5,
    "mabbench.pruning": 6,
    "baselines": 7,
    "mabbench.reference": 7,
    "mabbench.trial": 8,
    "mabbench.experiments": 9,
    "paper_figures": 10,
    "hydra_plugins": 10,
    "mabbench.compare": 11,  # a command's own modules: reads paper_figures, runs a grid
    "commands": 12,  # the command line, `python -m` entry points and the benches
}
PACKAGES = ("mabbench", "baselines", "paper_figures", "hydra_plugins")


def unit_of(module: str) -> str:
    """The folder a dotted module name belongs to, in LAYERS' terms."""
    parts = module.split(".")
    if parts[-1] == "__main__" or parts[:2] in (["mabbench", "cli"], ["mabbench", "bench"]):
        return "commands"
    if parts[0] == "mabbench":
        return ".".join(parts[:2]) if len(parts) > 1 else "mabbench"
    return parts[0]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, module: str) -> set[str]:
    """Every project module ``path`` imports, at any depth of the file."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.update(f"{base}.{alias.name}" for alias in node.names)
            found.add(base)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def violations(root: Path) -> list[str]:
    """One line per import that goes sideways or up, or leaves the table."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "out" in path.relative_to(root).parts:
                continue
            module = module_name(path, root)
            source = unit_of(module)
            by_unit = {}  # one line per folder reached: ``from a.b import c`` names a.b and a.b.c
            for target in sorted(imports_of(path, module)):
                by_unit.setdefault(unit_of(target), target)
            for unit, target in by_unit.items():
                if unit == source or unit == "mabbench":
                    continue
                if source not in LAYERS or unit not in LAYERS:
                    found.append(f"{module} -> {target}: folder not in the layer table")
                elif LAYERS[unit] >= LAYERS[source]:
                    found.append(f"{module} (layer {LAYERS[source]}) -> {target} "
                                 f"(layer {LAYERS[unit]})")
    return found


def test_imports_run_one_way_between_folders():
    assert violations(REPO) == []


def test_every_folder_is_in_the_table():
    folders = {f"mabbench.{p.name}" for p in (REPO / "mabbench").iterdir()
               if (p / "__init__.py").exists() and p.name != "bench"}
    assert folders <= set(LAYERS), folders - set(LAYERS)


def test_the_root_holds_only_the_command_line():
    modules = {p.name for p in (REPO / "mabbench").glob("*.py")}
    assert modules == {"__init__.py", "__main__.py", "cli.py"}


@pytest.mark.parametrize("planted, into", [
    ("from mabbench.trial.run import run_trial", "mabbench/store/compact.py"),  # up
    ("from mabbench.policies.base import Policy", "mabbench/models/mlp.py"),    # sideways
    ("    from mabbench.experiments import grid", "mabbench/config/errors.py"),  # lazy, up
])
def test_a_planted_back_import_is_caught(tmp_path, planted, into):
    for package in PACKAGES:
        source = REPO / package
        for path in source.rglob("*.py"):
            if "out" in path.relative_to(REPO).parts:
                continue
            copy = tmp_path / path.relative_to(REPO)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(path.read_text())
    target = tmp_path / into
    body = target.read_text()
    target.write_text(body + ("\n\ndef _planted():\n" if planted.startswith(" ") else "\n")
                      + planted + "\n")
    found = violations(tmp_path)
    assert len(found) == 1 and planted.strip().split()[1] in found[0], found
