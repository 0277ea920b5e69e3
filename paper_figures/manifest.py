"""The proof that a folder is an earlier output of ``python -m paper_figures``.

``--out`` is replaced as a whole, so the command must never delete a folder it did not
make. Each output carries ``MANIFEST`` (written last, atomically): a marker string
that only this module writes and the list of every file the run wrote. A folder
may be replaced only when it is absent, empty, or holds a manifest with the marker
and nothing the manifest does not list (a file someone added since is theirs).
A folder that holds, or is, the results being read is never replaced.
"""
from __future__ import annotations

import json
from pathlib import Path

from mabbench.files.atomic import atomic_write_text

MANIFEST = ".paper_figures-manifest.json"
MARKER = "mabbench.paper_figures.output/1"


def write_manifest(out: Path, written: list[Path]) -> Path:
    """Record ``written`` (paths under ``out``) with the marker; returns the manifest path."""
    files = sorted(p.relative_to(out).as_posix() for p in written)
    path = out / MANIFEST
    atomic_write_text(path, json.dumps({"marker": MARKER, "files": files}, indent=1) + "\n")
    return path


def _listed(out: Path) -> set[str] | None:
    """The files the manifest in ``out`` lists, or None when there is no valid one."""
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("marker") != MARKER:
        return None
    files = manifest.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files) | {MANIFEST}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def why_not_replaceable(out: Path, results: Path) -> str | None:
    """Why ``out`` may not be replaced by a new output, or None when it may."""
    out_real, results_real = out.resolve(), Path(results).resolve()
    if _inside(results_real, out_real):
        return (f"--out {out}: holds the results being read ({results}); "
                "choose a folder outside them")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        return f"--out {out}: exists and is not a folder"
    if not out.is_dir() or not any(out.iterdir()):
        return None
    listed = _listed(out)
    if listed is None:
        return (f"--out {out}: not empty and not an earlier paper_figures output "
                f"(no {MANIFEST} written by it); choose another folder")
    present = {p.relative_to(out).as_posix() for p in out.rglob("*")
               if not p.is_dir() or p.is_symlink()}
    foreign = sorted(present - listed)
    if foreign:
        return (f"--out {out}: holds {len(foreign)} file(s) paper_figures did not write "
                f"(e.g. {foreign[0]}); move them or choose another folder")
    return None
