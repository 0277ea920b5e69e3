"""README.md's commands still work as written: every ``python -m mabbench ...`` (or
``mabbench ...``) command line in its code blocks composes, every ``python -m
<module>`` it names can be run, every ``make`` target it names exists, and its links
point at files in this repository.

How a command line is checked, cheapest first:

- a single run: composed and validated in this process exactly as the command line
  does before Hydra starts (``preflight``: Hydra's compose API plus the strict-override
  and value checks), which covers what ``--cfg job`` would print;
- a multirun without an experiment: every job expanded as Hydra's basic sweeper will,
  and each (or, above 64 jobs, the first holding each swept value) composed and
  validated (``preflight_sweep``);
- a multirun of a named experiment (``+experiment=...``, a grid): run as a subprocess
  with ``hydra.sweeper.dry_run=true``, which lists the grid's jobs and runs none.

Placeholder lines (``...``, ``<name>``) are skipped by name, and a line that needs an
optional extra that is not installed (the Ray launcher) is skipped saying so; the test
asserts how many lines were checked, so it cannot pass by checking nothing.
"""
from __future__ import annotations

import importlib.util
import re
import shlex
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import REPO, run_cli

from mabbench.experiments.preflight import preflight, preflight_sweep

README = REPO / "README.md"
USER_POLICY = REPO / "tests" / "user_policy"  # the README's my_policies/ and my_conf/
MIN_CHECKED = 10  # mabbench command lines the README holds today, less optional extras
HYDRA_FLAGS = ("--help", "-h", "--hydra-help", "--info")


def _code_lines(text: str) -> list[str]:
    """Logical lines (``\\`` continuations joined) of the shell-like code blocks."""
    lines, inside, shell, pending = [], False, False, ""
    for line in text.splitlines():
        fence = line.strip()
        if fence.startswith("```"):
            inside = not inside
            shell = inside and fence[3:].strip() in ("", "bash", "sh", "console")
            continue
        if not (inside and shell):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        lines.append((pending + line).strip())
        pending = ""
    return lines


def _mabbench_args(line: str) -> tuple[list[str], dict[str, str]] | None:
    """(arguments, environment) of a ``python -m mabbench`` / ``mabbench`` line, else None."""
    line = (line.replace("file://$PWD/my_conf", f"file://{USER_POLICY / 'conf'}")
                .replace("PYTHONPATH=my_policies", f"PYTHONPATH={USER_POLICY}"))
    tokens = shlex.split(line, comments=True)
    env = {}
    while tokens and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]):
        key, _, value = tokens.pop(0).partition("=")
        env[key] = value
    if tokens[:1] == ["mabbench"]:
        return tokens[1:], env
    if len(tokens) >= 3 and tokens[0].endswith("python") and tokens[1:3] == ["-m", "mabbench"]:
        return tokens[3:], env
    return None


def _readme_commands() -> list[str]:
    text = README.read_text()
    lines = _code_lines(text)
    lines += [line.strip() for line in text.splitlines() if line.startswith("mabbench ")]
    return [line for line in dict.fromkeys(lines) if _mabbench_args(line) is not None]


def _ray_installed() -> bool:
    return importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None


def test_every_mabbench_command_line_composes(tmp_path):
    checked, skipped, grids = [], [], []
    for line in _readme_commands():
        args, env = _mabbench_args(line)
        if any("..." in a or re.search(r"<\w+>", a) for a in args):
            skipped.append(f"placeholder: {line}")
            continue
        if "launcher=ray" in args and not _ray_installed():
            skipped.append(f"needs the [ray] extra: {line}")
            continue
        overrides = [a for a in args if a not in ("-m", "--multirun", *HYDRA_FLAGS)]
        assert not [a for a in overrides if a.startswith("-")], f"unhandled flag in: {line}"
        if "-m" not in args and "--multirun" not in args:
            preflight(overrides)
        elif not any(a.startswith("+experiment=") for a in overrides):
            preflight_sweep(overrides)
        else:
            grids.append((line, overrides, env))
        checked.append(line)

    def dry_run(number: int, overrides: list[str], env: dict[str, str]):
        folder = tmp_path / f"grid{number}"
        folder.mkdir()
        return run_cli("-m", *overrides, "hydra.sweeper.dry_run=true",
                       f"hydra.sweep.dir={folder / 'sweep'}", cwd=folder, env=env)

    with ThreadPoolExecutor(max_workers=2) as pool:  # the dry runs wait on subprocesses
        done = list(pool.map(dry_run, range(len(grids)), *zip(*[g[1:] for g in grids])))
    for (line, _, _), result in zip(grids, done):
        assert result.returncode == 0, f"{line}\n{result.stderr[-2000:]}"
        assert re.search(r"^\d+ jobs: ", result.stdout, re.MULTILINE), result.stdout[-500:]
    print("\n".join(["checked:", *checked, "skipped:", *skipped]))
    assert len(checked) >= MIN_CHECKED, (checked, skipped)
    assert not list(tmp_path.rglob("result.json"))  # nothing ran


def _runnable(module: str) -> bool:
    """``python -m module`` would run something: a package with ``__main__`` or a
    module with an ``if __name__ == "__main__":`` block."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        return False
    if spec.submodule_search_locations is not None:
        return importlib.util.find_spec(f"{module}.__main__") is not None
    return '__name__ == "__main__"' in Path(spec.origin).read_text()


def test_every_python_module_the_readme_names_has_a_main():
    modules = set(re.findall(r"python -m ([A-Za-z_][\w.]*)", README.read_text()))
    assert {"mabbench", "paper_figures", "mabbench.store.collect"} <= modules
    missing = sorted(m for m in modules if not _runnable(m))
    assert not missing, f"README names python -m modules that cannot run: {missing}"


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"^([\w-]+):", (REPO / "Makefile").read_text(), re.MULTILINE))
    named = set(re.findall(r"\bmake ([a-z][\w-]*)", README.read_text()))
    assert named and named <= targets, sorted(named - targets)


def test_readme_links_stay_inside_the_repository():
    links = re.findall(r"\]\(([^)\s]+)\)", README.read_text())
    assert links
    outside = [link for link in links if re.match(r"[a-z][a-z0-9+.-]*:", link)]
    assert not outside, f"README links outside the repository: {outside}"
    missing = [link for link in links if not (REPO / link.split("#")[0]).exists()]
    assert not missing, f"README links to files that do not exist: {missing}"


def test_every_compare_command_line_parses_and_its_policy_composes(monkeypatch):
    """``python -m mabbench.compare ...`` lines: the compare command's own keys parse,
    and the policy they name composes (with the README's search path) as a trial."""
    from mabbench.compare.options import parse

    monkeypatch.syspath_prepend(str(USER_POLICY))  # the README's PYTHONPATH=$PWD/my_policies
    checked = 0
    for line in _code_lines(README.read_text()):
        line = line.replace("file://$PWD/my_conf", f"file://{USER_POLICY / 'conf'}")
        tokens = shlex.split(line, comments=True)
        if len(tokens) < 3 or not tokens[0].endswith("python") or tokens[1:3] != [
                "-m", "mabbench.compare"]:
            continue
        options = parse(tokens[3:])
        searchpath = [w for w in tokens[3:] if w.startswith("hydra.searchpath=")]
        preflight([f"policy={options.policy}", *searchpath])
        checked += 1
    assert checked >= 1
